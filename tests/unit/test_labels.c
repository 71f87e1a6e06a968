/* Training labels on hand-made price paths: every case of SPEC section 10's triple barrier (long and
 * short wins and stops, the same-bar rule, horizon expiry, gaps, end of data) and the volatility-scaled
 * option. R = 1 (atr 1, multiplier 1) unless a test says otherwise, entry = next open = 100. */
#include "core/labels.h"
#include "tests/support/check.h"

#include <math.h>

#define MAXB 16
static eb_bar_t bars[MAXB];
static double atr[MAXB], mult[MAXB];
static int8_t lab[MAXB];
static int32_t ex[MAXB];
static size_t nb;

static void reset(void)
{
    nb = 0;
    for (int i = 0; i < MAXB; i++) {
        atr[i] = 1.0;
        mult[i] = 1.0;
        lab[i] = 99;
        ex[i] = 99;
    }
}

static void add(double o, double h, double l, double c)
{
    eb_bar_t b = {.open_time_ms = 1000 * (int64_t)nb, .open = o, .high = h, .low = l, .close = c, .volume = 1};
    bars[nb++] = b;
}

static int8_t label0(int horizon)
{
    eb_barrier_params_t p = eb_barrier_params_default();
    p.horizon = horizon;
    CHECK_EQ_INT(eb_labels_barrier(bars, nb, atr, mult, &p, lab, ex), EB_LABELS_OK);
    return lab[0];
}

TEST(long_win)
{
    reset();
    add(99, 99.5, 98.5, 99);  /* signal bar t = 0 */
    add(100, 100.9, 99.5, 100.5); /* entry bar: neither side decided (short stop 101 not touched) */
    add(100.5, 103.0, 100.2, 102.8); /* high == target 103 exactly: a touch */
    CHECK_EQ_INT(label0(48), 1);
    CHECK_EQ_INT(ex[0], 2);
}

TEST(long_stop_then_short_stop_is_neutral)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 99.0, 99.5);  /* long stop 99 touched exactly */
    add(99.5, 101.2, 99.2, 101);  /* short stop 101 */
    add(101, 110, 100, 109);      /* later moves do not matter */
    CHECK_EQ_INT(label0(48), 0);
    CHECK_EQ_INT(ex[0], 2);
}

TEST(short_win)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 99.0, 99.2);  /* long stopped */
    add(99.2, 99.4, 97.0, 97.1);  /* short target 97 */
    CHECK_EQ_INT(label0(48), -1);
    CHECK_EQ_INT(ex[0], 2);
}

TEST(short_stop_long_win)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 101.0, 99.6, 100.8); /* short stop 101 */
    add(100.8, 103.5, 100.1, 103.2);
    CHECK_EQ_INT(label0(48), 1);
}

/* A bar touching both barriers of one trade counts as its stop. */
TEST(same_bar_rule)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 103.0, 99.0, 102);   /* long: target and stop on one bar -> stop; short: stop */
    add(102, 110, 101, 109);
    CHECK_EQ_INT(label0(48), 0);
    CHECK_EQ_INT(ex[0], 1);
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 98.9, 99.5);  /* long stop */
    add(99.5, 101.0, 97.0, 98);   /* short: target 97 and stop 101 on one bar -> stop */
    CHECK_EQ_INT(label0(48), 0);
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 98.9, 99.5);
    add(99.5, 100.99, 97.0, 98);  /* the same without touching the stop: a short win */
    CHECK_EQ_INT(label0(48), -1);
}

TEST(horizon_expiry_is_neutral)
{
    reset();
    add(99, 99.5, 98.5, 99);
    for (int i = 0; i < 4; i++)
        add(100, 100.5, 99.5, 100);
    add(100, 104, 99.8, 103.5);   /* bar 5: long target, one bar after a horizon of 4 */
    CHECK_EQ_INT(label0(4), 0);
    CHECK_EQ_INT(ex[0], 4);
    CHECK_EQ_INT(label0(5), 1);   /* with horizon 5 the target is inside */
    CHECK_EQ_INT(ex[0], 5);
}

TEST(gaps_through_barriers)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.6, 99.6, 100.4);
    add(104, 104.5, 103.8, 104.2); /* gap up over the target: long win (the short is stopped there) */
    CHECK_EQ_INT(label0(48), 1);
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.6, 99.6, 100.4);
    add(96, 96.5, 95.5, 96.2);     /* gap down through long's stop and short's target */
    CHECK_EQ_INT(label0(48), -1);
}

TEST(entry_is_next_open_and_r_scales)
{
    reset();
    add(90, 91, 89, 90);           /* the signal bar's close (90) is not the entry */
    add(100, 100.9, 99.5, 100);
    add(100, 102.9, 99.2, 102);    /* +3R from 90 would have been hit long ago; from 100 it is not */
    CHECK_EQ_INT(label0(2), 0);
    reset();
    atr[0] = 2.0;
    mult[0] = 1.5;                 /* R = 3: target 109, stop 97 */
    add(99, 99.5, 98.5, 99);
    add(100, 102, 97.5, 101);      /* with R = 1 both long barriers would be on this bar */
    add(101, 108.9, 100, 108);
    add(108, 109, 107, 108.5);
    CHECK_EQ_INT(label0(48), 1);
    CHECK_EQ_INT(ex[0], 3);
}

TEST(end_of_data_and_undefined_inputs)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 99.5, 100);
    add(100, 100.5, 99.5, 100);
    CHECK_EQ_INT(label0(48), EB_LABEL_NONE); /* undecided when the data ends */
    CHECK_EQ_INT(ex[0], -1);
    CHECK_EQ_INT(lab[2], EB_LABEL_NONE);     /* the last bar has no next open */
    CHECK_EQ_INT(label0(2), 0);              /* but a complete horizon decides */
    CHECK_EQ_INT(lab[1], EB_LABEL_NONE);     /* bar 1: horizon 2 needs bars 2 and 3 */
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 103.5, 99.5, 103);              /* decided before the data ends */
    CHECK_EQ_INT(label0(48), 1);
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 98.0, 99);               /* long stopped; short open when the data ends */
    CHECK_EQ_INT(label0(48), EB_LABEL_NONE);
    atr[0] = NAN;
    CHECK_EQ_INT(label0(48), EB_LABEL_NONE);
    atr[0] = 0;
    CHECK_EQ_INT(label0(48), EB_LABEL_NONE);
    atr[0] = 1;
    mult[0] = NAN;
    CHECK_EQ_INT(label0(48), EB_LABEL_NONE);
}

TEST(bad_params_change_nothing)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 99.5, 100);
    eb_barrier_params_t p = eb_barrier_params_default();
    p.horizon = 0;
    CHECK_EQ_INT(eb_labels_barrier(bars, nb, atr, mult, &p, lab, ex), EB_LABELS_BAD_HORIZON);
    p.horizon = 48;
    p.reward = -3;
    CHECK_EQ_INT(eb_labels_barrier(bars, nb, atr, mult, &p, lab, ex), EB_LABELS_BAD_REWARD);
    p.reward = 3;
    p.risk = NAN;
    CHECK_EQ_INT(eb_labels_barrier(bars, nb, atr, mult, &p, lab, ex), EB_LABELS_BAD_RISK);
    CHECK_EQ_INT(lab[0], 99);
    CHECK_EQ_INT(ex[0], 99);
    CHECK(strstr(eb_labels_status_text(EB_LABELS_BAD_HORIZON), "1..100000") != NULL);
    eb_volscaled_params_t v = {.horizon = 2, .k = 0};
    double sig[2] = {0.01, 0.01};
    CHECK_EQ_INT(eb_labels_volscaled(bars, nb, sig, &v, lab), EB_LABELS_BAD_REWARD);
    CHECK_EQ_INT(lab[0], 99);
}

/* r = ln(close[t+h] / open[t+1]) against k * sigma * sqrt(h) = 1 * 0.01 * 2 = 0.02 with h = 4. */
TEST(volatility_scaled)
{
    reset();
    add(100, 100, 100, 100);
    add(100, 101, 99, 100);
    add(100, 101, 99, 100);
    add(100, 101, 99, 100);
    add(100, 103, 99, 102.1);    /* r = ln(1.021) = 0.0208 > 0.02 -> +1 for t = 0 */
    add(100, 101, 97, 97.9);     /* t = 1: ln(0.979/1) = -0.0212 -> -1 */
    add(100, 101, 99, 101.9);    /* t = 2: ln(1.019) = 0.0188 -> 0 */
    double sig[MAXB];
    for (int i = 0; i < MAXB; i++)
        sig[i] = 0.01;
    sig[3] = NAN;
    eb_volscaled_params_t v = {.horizon = 4, .k = 1.0};
    CHECK_EQ_INT(eb_labels_volscaled(bars, nb, sig, &v, lab), EB_LABELS_OK);
    CHECK_EQ_INT(lab[0], 1);
    CHECK_EQ_INT(lab[1], -1);
    CHECK_EQ_INT(lab[2], 0);
    CHECK_EQ_INT(lab[3], EB_LABEL_NONE); /* sigma undefined (and too few bars) */
    CHECK_EQ_INT(lab[6], EB_LABEL_NONE);
}

TEST(realized_vol_matches_direct)
{
    eb_bar_t b[200];
    double sig[200];
    double p = 100;
    for (int i = 0; i < 200; i++) {
        p *= 1.0 + 0.01 * sin(i * 1.7) + 0.003 * cos(i * 0.3);
        eb_bar_t x = {.open_time_ms = i, .open = p, .high = p, .low = p, .close = p, .volume = 1};
        b[i] = x;
    }
    eb_labels_realized_vol(b, 200, 20, sig);
    CHECK(isnan(sig[19]));
    double worst = 0;
    for (int t = 20; t < 200; t++) {
        double s = 0, ss = 0;
        for (int i = t - 19; i <= t; i++) {
            double r = log(b[i].close / b[i - 1].close);
            s += r;
            ss += r * r;
        }
        double m = s / 20, want = sqrt(ss / 20 - m * m);
        worst = fmax(worst, fabs(sig[t] - want));
    }
    CHECK_NEAR(worst, 0, 1e-12);
}

/* Outcomes in R: +3 for a win, -1 for a stop, the close move at expiry, NaN when undecided. */
TEST(barrier_outcomes)
{
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.9, 99.5, 100.5);
    add(100.5, 103.0, 100.2, 102.8);
    double lr[MAXB], sr[MAXB];
    eb_barrier_params_t p = eb_barrier_params_default();
    CHECK_EQ_INT(eb_labels_barrier_outcomes(bars, nb, atr, mult, &p, lr, sr), EB_LABELS_OK);
    CHECK_NEAR(lr[0], 3.0, 0);
    CHECK_NEAR(sr[0], -1.0, 0);
    CHECK(isnan(lr[2]) && isnan(sr[2]));
    reset();
    add(99, 99.5, 98.5, 99);
    add(100, 100.5, 99.5, 100.2);
    add(100.2, 100.8, 99.6, 100.6);  /* expiry after 2 bars: long +0.6R, short -0.6R */
    p.horizon = 2;
    CHECK_EQ_INT(eb_labels_barrier_outcomes(bars, nb, atr, mult, &p, lr, sr), EB_LABELS_OK);
    CHECK_NEAR(lr[0], 0.6, 1e-12);
    CHECK_NEAR(sr[0], -0.6, 1e-12);
    p.risk = 0;
    lr[0] = 7;
    CHECK_EQ_INT(eb_labels_barrier_outcomes(bars, nb, atr, mult, &p, lr, sr), EB_LABELS_BAD_RISK);
    CHECK_NEAR(lr[0], 7, 0);
}

int main(void)
{
    RUN(long_win);
    RUN(long_stop_then_short_stop_is_neutral);
    RUN(short_win);
    RUN(short_stop_long_win);
    RUN(same_bar_rule);
    RUN(horizon_expiry_is_neutral);
    RUN(gaps_through_barriers);
    RUN(entry_is_next_open_and_r_scales);
    RUN(end_of_data_and_undefined_inputs);
    RUN(bad_params_change_nothing);
    RUN(volatility_scaled);
    RUN(realized_vol_matches_direct);
    RUN(barrier_outcomes);
    return eb_check_report();
}
