/* Hand-computed ATR features (SPEC section 4, 21-29), the combined ones built on them (49, 56), and a gap
 * in the bar times. ATR(7); the prefix is EB_HAND_PREFIX bars O = C = 100, H 101, L 99, so TR = 2 on every
 * bar and ATR = ATR(5) = ATR(20) = 2 exactly ((2*6 + 2)/7 = 2); atr_pct = 2/100*100 on all 252 bars of the
 * percentile window (call that value v0; equal inputs give equal bits, so ties are exact). Closes stay at
 * 100, so both RSI averages are 0 and RSI = 100. Bars are numbered j = 1, 2, ... after the prefix. */
#include "app/bars_csv.h"
#include "tests/support/feature_hand.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void atr2(eb_hand_t *e)
{
    eb_feature_params_t p = eb_hand_params(2);
    eb_hand_start(e, &p);
    eb_hand_repeat(e, EB_HAND_PREFIX, 100, 101, 99, 100, 100);
}

/* A bar of this close with TR 2 (H = C + 1, L = C - 1; closes move by at most 1 a bar). */
static void range2(eb_hand_t *e, double c, double v) { eb_hand_bar(e, c, c + 1, c - 1, c, v); }

/* j=1: O 100 H 105 L 96 C 100: TR = max(9, |105-100|, |96-100|) = 9, ATR = (2*6 + 9)/7 = 3,
 * ATR(5) = (2*4 + 9)/5 = 3.4, ATR(20) = (2*19 + 9)/20 = 2.35. The 20 ATRs are 19 2s and a 3: mean 2.05,
 * population std sqrt(19)/20 = 0.218, so mean + 2 std = 2.486 < 3. j=2 back to TR 2: ATR = (3*6 + 2)/7 =
 * 20/7, ATR(5) = (3.4*4 + 2)/5 = 3.12, ATR(20) = (2.35*19 + 2)/20 = 2.3325. */
TEST(atr_spike_by_hand)
{
    eb_hand_t e;
    atr2(&e);
    HAND_IS(&e, ATR_TREND, 0);            /* SMA5 == SMA20 == 2 */
    HAND_IS(&e, ATR_BREAKOUT, 0);         /* 2 is not > 2 + 2*0 */
    HAND_IS(&e, ATR_HIGH_RSI_EXTREME, 0); /* RSI 100, but ATR 2 is not > its mean 2 */
    HAND_IS(&e, ATR_EXPANDING, 1);        /* 2 / max 2 */
    HAND_IS(&e, COMPRESSION_RATIO, 1);
    HAND_IS(&e, ATR_REGIME, 1);       /* all equal: rank (0 + 252 + 1)/2/252 = 0.502 */
    HAND_IS(&e, IS_LOW_VOLATILITY, 0); /* v0 is not below its 10th percentile v0 */
    eb_hand_bar(&e, 100, 105, 96, 100, 100);
    CHECK(eb_features_atr(e.f) == 3);
    HAND_NEAR(&e, ATR_PCT, 3);
    HAND_IS(&e, ATR_EXPANDING, 1);   /* 3 / max 3 */
    HAND_IS(&e, PRICE_ATR_RATIO, 3); /* R 9 / 3 */
    HAND_IS(&e, ATR_VOLUME, 0);      /* volume flat: no spread, 0 */
    HAND_NEAR(&e, COMPRESSION_RATIO, 3.4 / 2.35);
    HAND_IS(&e, ATR_REGIME, 2); /* the largest: rank (251 + 252 + 1)/2/252 = 1 */
    HAND_IS(&e, ATR_BREAKOUT, 1);
    HAND_IS(&e, IS_LOW_VOLATILITY, 0);
    HAND_IS(&e, ATR_TREND, 1);            /* SMA5 (4*2 + 3)/5 = 2.2 > SMA20 2.05 */
    HAND_IS(&e, ATR_HIGH_RSI_EXTREME, 1); /* 3 > 2.05 and RSI 100 > 70 */
    HAND_IS(&e, ATR_BODY_RATIO, 0);       /* O == C */
    range2(&e, 100, 100);
    double atr = 20.0 / 7, last20[20];
    for (int i = 0; i < 18; i++)
        last20[i] = 2;
    last20[18] = 3, last20[19] = atr;
    double m20 = (36 + 3 + atr) / 20;
    HAND_NEAR(&e, ATR_PCT, atr);
    HAND_NEAR(&e, ATR_EXPANDING, atr / 3);
    HAND_NEAR(&e, PRICE_ATR_RATIO, 2 / atr); /* 0.7 */
    HAND_NEAR(&e, COMPRESSION_RATIO, 3.12 / 2.3325);
    HAND_IS(&e, ATR_REGIME, 2); /* 250 below, 3 above: rank (250 + 251 + 1)/2/252 = 251/252 */
    HAND_IS(&e, ATR_BREAKOUT, atr > m20 + 2 * eb_hand_pstd(last20, 20)); /* 2.857 > 2.652 */
    CHECK(atr > m20 + 2 * eb_hand_pstd(last20, 20));
    HAND_IS(&e, ATR_TREND, (6 + 3 + atr) / 5 > m20);
    eb_hand_end(&e);
}

/* atr_high_rsi_extreme needs both: j=1 O 100 H 105 L 96 C 96: TR 9, ATR 3 > mean 2.05, and a loss of 4
 * from RSI averages 0: RSI 0 < 30. j=2 O 96 H 101 L 96 C 100: TR 5, ATR (3*6 + 5)/7 = 23/7 > mean
 * (18*2 + 3 + 23/7)/20 = 2.11, but g = 4/7, l = 24/49: RSI 700/13 = 53.8, not extreme. */
TEST(atr_high_rsi_extreme_by_hand)
{
    eb_hand_t e;
    atr2(&e);
    eb_hand_bar(&e, 100, 105, 96, 96, 100);
    CHECK(eb_features_atr(e.f) == 3 && eb_features_rsi(e.f) == 0);
    HAND_IS(&e, ATR_HIGH_RSI_EXTREME, 1);
    HAND_NEAR(&e, ATR_BODY_RATIO, 4.0 / 3);
    eb_hand_bar(&e, 96, 101, 96, 100, 100);
    CHECK_NEAR(eb_features_atr(e.f), 23.0 / 7, 1e-12);
    CHECK_NEAR(eb_features_rsi(e.f), 700.0 / 13, 1e-9);
    HAND_IS(&e, ATR_HIGH_RSI_EXTREME, 0);
    eb_hand_end(&e);
}

/* Pearson of (ATR, V) over 10 bars. The spike bar's ATR 3 against nine 2s, with its volume 400 (or 0)
 * against nine 100s: one direction, correlation +1 (or -1, zero volume). A volume spike while ATR stays 2:
 * the ATR window has no spread, 0. */
TEST(atr_volume_by_hand)
{
    const double v[2] = {400, 0}, want[2] = {1, -1};
    for (int i = 0; i < 2; i++) {
        eb_hand_t e;
        atr2(&e);
        eb_hand_bar(&e, 100, 105, 96, 100, v[i]);
        HAND_NEAR(&e, ATR_VOLUME, want[i]);
        if (i == 0) { /* j=2: ATR 20/7, volume 100 */
            range2(&e, 100, 100);
            double a[10] = {2, 2, 2, 2, 2, 2, 2, 2, 3, 20.0 / 7}, vol[10] = {100, 100, 100, 100, 100, 100, 100, 100, 400, 100};
            HAND_NEAR(&e, ATR_VOLUME, eb_hand_pearson(a, vol, 10));
        }
        eb_hand_end(&e);
    }
    eb_hand_t e;
    atr2(&e);
    range2(&e, 100, 400);
    HAND_IS(&e, ATR_VOLUME, 0);
    eb_hand_end(&e);
}

/* ATR stays 2, so atr_pct = 200/C: the percentile window is ordered by the closes. A ramp of k bars away
 * from 100 by 0.5 a bar and k-1 bars back, then a bar at 100 again (value v0): 2k-1 ramp values and
 * 252 - (2k-1) v0s (the current one included) in the window.
 *   ramp down (values above v0): less 0, less-or-equal 253 - 2k: rank = (127 - k)/252;
 *     k = 43: 84/252 = 1/3 exactly (not below 1/3: regime 1); k = 44: 83/252 (regime 0).
 *   ramp up (values below v0): less 2k-1, less-or-equal 252: rank = (k + 126)/252;
 *     k = 42: 168/252 = 2/3 exactly (not above: regime 1); k = 43: 169/252 (regime 2). */
static double regime_after_ramp(int k, double dir)
{
    eb_hand_t e;
    atr2(&e);
    for (int i = 1; i <= k; i++)
        range2(&e, 100 + dir * 0.5 * i, 100);
    for (int i = k - 1; i >= 1; i--)
        range2(&e, 100 + dir * 0.5 * i, 100);
    range2(&e, 100, 100);
    double r = e.ready == 1 && eb_features_atr(e.f) == 2 ? e.out[EB_F_ATR_REGIME] : NAN;
    eb_hand_end(&e);
    return r;
}

TEST(atr_regime_at_one_and_two_thirds)
{
    CHECK(regime_after_ramp(43, -1) == 1);
    CHECK(regime_after_ramp(44, -1) == 0);
    CHECK(regime_after_ramp(42, 1) == 1);
    CHECK(regime_after_ramp(43, 1) == 2);
}

/* 10th percentile of 252 values: sorted v[25] + 0.1*(v[26] - v[25]) (position 0.1*251 = 25.1). Closes
 * 100.5, 101, 101.5 then a plateau at 102 (the smallest atr_pct). With P plateau bars: P <= 26 leaves
 * v[26] above the plateau value, so the percentile is above it and the bar is low-volatility; at P = 27
 * v[25] = v[26] = the plateau value = the percentile, not below it. */
TEST(is_low_volatility_plateau_edge)
{
    eb_hand_t e;
    atr2(&e);
    range2(&e, 100.5, 100);
    range2(&e, 101, 100);
    range2(&e, 101.5, 100);
    for (int p = 1; p <= 27; p++) {
        range2(&e, 102, 100);
        if (p == 1 || p == 26 || p == 27)
            CHECK_MSG(e.ready == 1 && e.out[EB_F_IS_LOW_VOLATILITY] == (p <= 26), "plateau bar %d: %g", p,
                      e.out[EB_F_IS_LOW_VOLATILITY]);
    }
    eb_hand_end(&e);
}

/* j=1 closes 100.5 (TR 2): the only value below v0, low-volatility. Then bars at 100 (not low: v0 is the
 * percentile). After `flat` of them a breakout bar to `c`; the last 20 closes are eighteen 100s, 100.5 and c.
 * Bollinger(20, 2): 110 > mean 100.525 + 2*2.176 = 104.88; 90 < 96.08; 99.8 is below the mean 100.015 but
 * above the lower band 100.015 - 2*0.1195 = 99.776. `side` is where c is by hand (+1 above the upper band,
 * -1 below the lower one, 0 between), checked here with the formula. The low-volatility bar counts while it
 * is one of the last 5 (t-4 .. t): flat = 3 yes, flat = 4 no. */
static double squeeze(int flat, double c, int side)
{
    eb_hand_t e;
    atr2(&e);
    range2(&e, 100.5, 100);
    int low = e.out[EB_F_IS_LOW_VOLATILITY] == 1;
    range2(&e, 100, 100);
    int not_low = e.out[EB_F_IS_LOW_VOLATILITY] == 0;
    for (int i = 1; i < flat; i++)
        range2(&e, 100, 100);
    eb_hand_bar(&e, 100, c > 100 ? c : 100, c > 100 ? 100 : c, c, 100);
    double closes[20], r = NAN;
    for (int i = 0; i < 18; i++)
        closes[i] = 100;
    closes[18] = 100.5, closes[19] = c;
    double m = (1800 + 100.5 + c) / 20, sd = eb_hand_pstd(closes, 20);
    CHECK(low && not_low && side == (c > m + 2 * sd ? 1 : c < m - 2 * sd ? -1 : 0));
    if (e.ready == 1)
        r = e.out[EB_F_VOLATILITY_SQUEEZE_BREAKOUT];
    eb_hand_end(&e);
    return r;
}

TEST(volatility_squeeze_breakout_by_hand)
{
    CHECK(squeeze(3, 110, 1) == 1);
    CHECK(squeeze(3, 90, -1) == -1);
    CHECK(squeeze(3, 99.8, 0) == 0); /* below the mean, inside the band */
    CHECK(squeeze(4, 110, 1) == 0);  /* the low-volatility bar is t-5 */
    CHECK(squeeze(4, 90, -1) == 0);
}

/* O 100 H 105 L 99 C 104: TR = max(6, 5, 1) = 6, ATR = (12 + 6)/7 = 18/7; MA20 = (19*100 + 104)/20 = 100.2. */
TEST(distance_to_ma_by_hand)
{
    eb_hand_t e;
    atr2(&e);
    eb_hand_bar(&e, 100, 105, 99, 104, 100);
    HAND_NEAR(&e, DISTANCE_TO_MA, (104 - 100.2) / (18.0 / 7));
    HAND_NEAR(&e, PRICE_ATR_RATIO, 6 / (18.0 / 7));
    HAND_NEAR(&e, ATR_BODY_RATIO, 4 / (18.0 / 7));
    range2(&e, 104, 100); /* TR = max(2, |105-104|, |103-104|) = 2: ATR = (18/7*6 + 2)/7; MA20 100.4 */
    HAND_NEAR(&e, DISTANCE_TO_MA, (104 - 100.4) / ((18.0 / 7 * 6 + 2) / 7));
    eb_hand_end(&e);
}

/* The same bars with and without a hole of 9 missing bars in their times, through the CSV reader: the
 * reader reports the 9 missing bars on the bar after the hole, and the features are identical (bars are
 * taken in order). Prefix of zero-range bars at 100; after the hole zero-range bars at 110. At the first
 * of them TR = |110 - 100| = 10 (against the previous bar in order), ATR = 10/7; kijun (110 + 100)/2. */
#define GAP_BARS (EB_HAND_PREFIX + 6)
static int gap_csv(char *buf, size_t cap, int hole)
{
    size_t n = (size_t)snprintf(buf, cap, "%s\n", EB_BARS_CSV_HEADER);
    for (int i = 0; i < GAP_BARS && n < cap; i++) {
        long long t = 300000LL * (i + (hole && i >= EB_HAND_PREFIX ? 9 : 0));
        double c = i < EB_HAND_PREFIX ? 100 : 110;
        n += (size_t)snprintf(buf + n, cap - n, "%lld,%g,%g,%g,%g,100\n", t, c, c, c, c);
    }
    return n < cap ? 0 : -1;
}

TEST(gap_in_bar_times)
{
    static char text[2][32768];
    static double out[2][GAP_BARS][EB_FEATURE_COUNT];
    int ready[2][GAP_BARS];
    long gaps[2] = {0, 0}, gap_at = -1;
    for (int g = 0; g < 2; g++) {
        CHECK(gap_csv(text[g], sizeof text[g], g) == 0);
        FILE *fp = fmemopen(text[g], strlen(text[g]), "r");
        eb_bars_csv_t r;
        eb_feature_params_t p = eb_hand_params(2);
        eb_hand_t e;
        eb_hand_start(&e, &p);
        eb_bar_t b;
        CHECK(eb_bars_csv_open_stream(&r, fp, "gap.csv") == 0);
        for (int i = 0; i < GAP_BARS && eb_bars_csv_next(&r, &b) == 1; i++) {
            gaps[g] += r.gap_bars;
            if (g == 1 && r.gap_bars)
                gap_at = i;
            ready[g][i] = eb_features_step(e.f, &b, out[g][i]);
        }
        fclose(fp);
        eb_hand_end(&e);
    }
    CHECK(gaps[0] == 0 && gaps[1] == 9 && gap_at == EB_HAND_PREFIX);
    int same = 1;
    for (int i = 0; i < GAP_BARS; i++)
        same &= ready[0][i] == ready[1][i] && (!ready[0][i] || memcmp(out[0][i], out[1][i], sizeof out[0][i]) == 0);
    CHECK(same && ready[1][GAP_BARS - 1] == 1);
    eb_hand_t e = {.ready = ready[1][EB_HAND_PREFIX]};
    memcpy(e.out, out[1][EB_HAND_PREFIX], sizeof e.out);
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, (110 - 105) / (10.0 / 7)); /* 3.5 */
    HAND_NEAR(&e, ATR_PCT, 10.0 / 7 / 110 * 100);
    HAND_IS(&e, PRICE_ATR_RATIO, 0);  /* R = 0 */
    HAND_IS(&e, CHIKOU_POSITION, 1);  /* 110 > H of the bar two bars back in order (100) */
}

int main(void)
{
    RUN(atr_spike_by_hand);
    RUN(atr_high_rsi_extreme_by_hand);
    RUN(atr_volume_by_hand);
    RUN(atr_regime_at_one_and_two_thirds);
    RUN(is_low_volatility_plateau_edge);
    RUN(volatility_squeeze_breakout_by_hand);
    RUN(distance_to_ma_by_hand);
    RUN(gap_in_bar_times);
    return eb_check_report();
}
