/* Hand-computed candle and volume features (SPEC section 4: 33, 34, 38-41, 43, 44, 52) that
 * test_features_cases.c does not cover. The prefix is EB_HAND_PREFIX zero-range bars at 100 with volume 70:
 * MA20 = 100 on every bar (so "downtrend" MA20[t] < MA20[t-5] compares with 100 for the first 5 bars),
 * mean volume 70, both RSI averages 0. Bars are numbered j = 1, 2, ... after the prefix. */
#include "tests/support/feature_hand.h"

#include <math.h>

static void flat100(eb_hand_t *e)
{
    eb_feature_params_t p = eb_hand_params(2);
    eb_hand_start(e, &p);
    eb_hand_repeat(e, EB_HAND_PREFIX, 100, 100, 100, 100, 70);
}

/* One bar after the prefix; its features are in e. */
static void one_bar(eb_hand_t *e, double o, double h, double l, double c)
{
    flat100(e);
    eb_hand_bar(e, o, h, l, c, 70);
}

TEST(hammer_and_oversold_hammer)
{
    eb_hand_t e;
    /* O 98 H 100 L 90 C 99: R 10, body 0.1, upper 0.1, lower 0.8; MA20 = (19*100 + 99)/20 = 99.95 < 100.
     * RSI: one loss of 1 from averages 0: 0 < 30. */
    one_bar(&e, 98, 100, 90, 99);
    HAND_NEAR(&e, LOWER_SHADOW_RATIO, 0.8);
    HAND_IS(&e, HAMMER, 1);
    HAND_IS(&e, HANGING_MAN, 0);
    HAND_IS(&e, OVERSOLD_HAMMER, 1);
    HAND_NEAR(&e, WICK_DOMINANCE, 0.1 - 0.8);
    HAND_IS(&e, HIGH_VOLUME_REVERSAL, 0); /* volume 70: no spike */
    eb_hand_end(&e);
    one_bar(&e, 97, 100, 90, 98); /* lower (97 - 90)/10 == 0.7: not > 0.7 */
    HAND_IS(&e, HAMMER, 0);
    HAND_IS(&e, OVERSOLD_HAMMER, 0);
    eb_hand_end(&e);
    one_bar(&e, 99.5, 100, 95, 100); /* lower 0.9, body 0.1, but MA20 100 == MA20[t-5]: no trend */
    HAND_IS(&e, HAMMER, 0);
    HAND_IS(&e, HANGING_MAN, 0);
    eb_hand_end(&e);
    /* A hammer with RSI above 30: j=1 at 90 (loss 10: l = 10/7), j=2..4 at 90 (l *= 6/7 each), j=5 O 93.5
     * H 95 L 85 C 94 (gain 4: g = 4/7, l = 10/7 (6/7)^4; RSI = 400/(4 + 10 (6/7)^4) = 42.6). Shape: lower
     * 8.5/10, body 0.5/10 = 0.05 (not a doji: not < 0.05). MA20 = (15*100 + 4*90 + 94)/20 = 97.7 < 100. */
    flat100(&e);
    eb_hand_repeat(&e, 4, 90, 90, 90, 90, 70);
    eb_hand_bar(&e, 93.5, 95, 85, 94, 70);
    CHECK_NEAR(eb_features_rsi(e.f), 400 / (4 + 10 * pow(6.0 / 7, 4)), 1e-9);
    HAND_IS(&e, HAMMER, 1);
    HAND_IS(&e, OVERSOLD_HAMMER, 0);
    HAND_IS(&e, DOJI, 0);
    eb_hand_end(&e);
}

TEST(hanging_man_hammer_and_the_trend_five_bars_back)
{
    eb_hand_t e;
    one_bar(&e, 101, 110, 100, 102); /* upper 0.8, body 0.1; MA20 100.1 > 100 */
    HAND_IS(&e, HANGING_MAN, 1);
    HAND_IS(&e, HAMMER, 0);
    HAND_NEAR(&e, WICK_DOMINANCE, 0.8 - 0.1);
    eb_hand_end(&e);
    one_bar(&e, 102, 110, 100, 103); /* upper (110 - 103)/10 == 0.7 */
    HAND_IS(&e, HANGING_MAN, 0);
    eb_hand_end(&e);
    /* j=1..5 at 95, j=6 a hanging-man shape (upper 10/11, body 1/11) closing at c. MA20 moves by
     * (new - old)/20 = -0.25 a bar: 99.75 at j=1, 99.5 at j=2 ... 98.75 at j=5, then 98.75 + (c - 100)/20.
     * c = 120: MA20[6] = 99.75 == MA20[1] (t-5): no uptrend, though it is above MA20[2] = 99.5 (t-4).
     * c = 121: MA20[6] = 99.8 > 99.75: uptrend. */
    const double c[2] = {120, 121};
    for (int i = 0; i < 2; i++) {
        flat100(&e);
        eb_hand_repeat(&e, 5, 95, 95, 95, 95, 70);
        eb_hand_bar(&e, c[i] - 1, c[i] + 10, c[i] - 1, c[i], 70);
        HAND_NEAR(&e, UPPER_SHADOW_RATIO, 10.0 / 11);
        HAND_IS(&e, HANGING_MAN, i);
        eb_hand_end(&e);
    }
    /* The hammer's mirror: j=1..5 at 105 (MA20 100.25 ... 101.25), j=6 a hammer shape (O c+1, H c+1,
     * L c-10: lower 10/11, body 1/11) at c = 80: MA20[6] = 101.25 - 1 = 100.25 == MA20[1], no downtrend
     * (though below MA20[2] = 100.5); c = 79: 100.2 < 100.25, downtrend. */
    const double d[2] = {80, 79};
    for (int i = 0; i < 2; i++) {
        flat100(&e);
        eb_hand_repeat(&e, 5, 105, 105, 105, 105, 70);
        eb_hand_bar(&e, d[i] + 1, d[i] + 1, d[i] - 10, d[i], 70);
        HAND_NEAR(&e, LOWER_SHADOW_RATIO, 10.0 / 11);
        HAND_IS(&e, HAMMER, i);
        eb_hand_end(&e);
    }
}

/* Volume 70 on the prefix; a bar of volume V: mean(V, 20) = (19*70 + V)/20. V = 190: mean 76, 2.5*76 = 190,
 * not above: no spike. V = 190.5: mean 76.025, 2.5x = 190.0625 < 190.5: spike. */
TEST(volume_spike_at_exactly_two_and_a_half)
{
    const double v[2] = {190, 190.5};
    for (int i = 0; i < 2; i++) {
        eb_hand_t e;
        flat100(&e);
        eb_hand_level(&e, 100, v[i]);
        HAND_IS(&e, VOLUME_SPIKE, i);
        HAND_IS(&e, HIGH_VOLUME_REVERSAL, 0); /* no reversal candle */
        eb_hand_end(&e);
    }
}

/* j=1 green O 100 C 104; j=2 red O 104 (== C[t-1]) C 99 (< O[t-1] = 100): a bearish engulfing, which only
 * high_volume_reversal and reversal_at_kijun see. Volume 400: the 20-bar window holds eighteen prefix 70s,
 * j=1's 70 and 400, mean 86.5, 2.5x = 216.25 < 400: a spike. Volume 180: mean 75.5, 2.5x = 188.75 > 180. */
TEST(high_volume_reversal_by_hand)
{
    const double v[2] = {400, 180};
    for (int i = 0; i < 2; i++) {
        eb_hand_t e;
        flat100(&e);
        eb_hand_bar(&e, 100, 104, 100, 104, 70);
        eb_hand_bar(&e, 104, 104, 99, 99, v[i]);
        HAND_IS(&e, VOLUME_SPIKE, i == 0);
        HAND_IS(&e, ENGULFING_BULLISH, 0);
        HAND_IS(&e, HAMMER, 0);
        HAND_IS(&e, HANGING_MAN, 0);
        HAND_IS(&e, PIERCING_PATTERN, 0);
        HAND_IS(&e, HIGH_VOLUME_REVERSAL, i == 0);
        eb_hand_end(&e);
    }
}

/* Bodies 1, 2, 3 (red), 3, 4, 0: growth 1, 2, 3, 0 (equal is not larger), 1, 0. Greens among the last 5
 * (the prefix bars have C == O: not green): 1, 2, 2, 3, 4 and then 3 (j=6 has C == O). */
TEST(up_trend_strength_and_body_growth)
{
    static const struct {
        double o, h, l, c, growth, greens;
    } k[] = {
        {100, 101, 100, 101, 1, 1}, {101, 103, 101, 103, 2, 2}, {103, 103, 100, 100, 3, 2},
        {100, 103, 100, 103, 0, 3}, {103, 107, 103, 107, 1, 4}, {107, 108, 106, 107, 0, 3},
    };
    eb_hand_t e;
    flat100(&e);
    HAND_IS(&e, UP_TREND_STRENGTH, 0);
    HAND_IS(&e, CONSECUTIVE_BODY_GROWTH, 0);
    for (int i = 0; i < 6; i++) {
        eb_hand_bar(&e, k[i].o, k[i].h, k[i].l, k[i].c, 70);
        CHECK_MSG(e.out[EB_F_CONSECUTIVE_BODY_GROWTH] == k[i].growth, "j=%d growth %g", i + 1,
                  e.out[EB_F_CONSECUTIVE_BODY_GROWTH]);
        CHECK_MSG(fabs(e.out[EB_F_UP_TREND_STRENGTH] - k[i].greens / 5) < 1e-15, "j=%d up_trend_strength %g", i + 1,
                  e.out[EB_F_UP_TREND_STRENGTH]);
    }
    eb_hand_end(&e);
}

TEST(doji_and_wick_dominance)
{
    eb_hand_t e;
    flat100(&e);
    eb_hand_bar(&e, 100, 110, 90, 101, 70); /* body 1/20 == 0.05: not a doji; wicks 9/20 and 10/20 */
    HAND_IS(&e, DOJI, 0);
    HAND_NEAR(&e, WICK_DOMINANCE, 0.45 - 0.5);
    eb_hand_bar(&e, 100, 110, 90, 100.5, 70); /* body 0.025 */
    HAND_IS(&e, DOJI, 1);
    eb_hand_bar(&e, 101, 110, 100, 100, 70); /* upper (110 - 101)/10, lower 0 */
    HAND_NEAR(&e, WICK_DOMINANCE, 0.9);
    eb_hand_bar(&e, 100, 103, 98, 101, 70); /* upper 2/5, lower 2/5 */
    HAND_IS(&e, WICK_DOMINANCE, 0);
    eb_hand_end(&e);
}

/* Marubozu at body_size_ratio exactly 0.95 (body 95 of a range 100: yes, both colours) and 0.94 (no);
 * a zero-body bar of the same range is neither colour. */
TEST(marubozu_at_exactly_095)
{
    static const struct {
        double o, h, l, c, want;
    } k[] = {
        {100, 200, 100, 195, 1}, {200, 200, 100, 105, -1}, {100, 200, 100, 194, 0},
        {200, 200, 100, 106, 0}, {150, 200, 100, 150, 0},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        eb_hand_t e;
        one_bar(&e, k[i].o, k[i].h, k[i].l, k[i].c);
        CHECK_MSG(e.out[EB_F_MARUBOZU] == k[i].want, "case %zu: %g", i, e.out[EB_F_MARUBOZU]);
        eb_hand_end(&e);
    }
}

/* Three bars after the prefix, each opening at the close before and closing `step` beyond it within a range
 * of 10: body 5 of 10 is exactly 0.5 (not > 0.5: none), 6 of 10 is a pattern. The mirror for crows. An
 * equal close (a body of 6 but the same close as the bar before) breaks the chain. */
static double three(double dir, double body, double last_shift)
{
    eb_hand_t e;
    flat100(&e);
    double c = 100;
    for (int j = 0; j < 3; j++) {
        double o = j == 2 ? c - dir * last_shift : c, nc = o + dir * body, far = o + dir * 10;
        eb_hand_bar(&e, o, dir > 0 ? far : o, dir > 0 ? o : far, nc, 70);
        c = nc;
    }
    double r = e.out[dir > 0 ? EB_F_THREE_WHITE_SOLDIERS : EB_F_THREE_BLACK_CROWS];
    CHECK(e.out[dir > 0 ? EB_F_THREE_BLACK_CROWS : EB_F_THREE_WHITE_SOLDIERS] == 0);
    eb_hand_end(&e);
    return r;
}

TEST(three_soldiers_and_crows_at_half_body)
{
    CHECK(three(+1, 6, 0) == 1);
    CHECK(three(+1, 5, 0) == 0);
    CHECK(three(-1, 6, 0) == 1);
    CHECK(three(-1, 5, 0) == 0);
    CHECK(three(+1, 6, 6) == 0); /* the third bar opens 6 lower and closes at the close before */
    CHECK(three(-1, 6, 6) == 0);
}

int main(void)
{
    RUN(hammer_and_oversold_hammer);
    RUN(hanging_man_hammer_and_the_trend_five_bars_back);
    RUN(volume_spike_at_exactly_two_and_a_half);
    RUN(high_volume_reversal_by_hand);
    RUN(up_trend_strength_and_body_growth);
    RUN(doji_and_wick_dominance);
    RUN(marubozu_at_exactly_095);
    RUN(three_soldiers_and_crows_at_half_body);
    return eb_check_report();
}
