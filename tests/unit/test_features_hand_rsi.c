/* Hand-computed RSI features (SPEC section 4, 12-20) and the combined ones built on them (54, 57), RSI(7).
 * After EB_HAND_PREFIX bars at 100 both Wilder averages are exactly 0 (no change ever), so RSI = 100 and
 * the first crafted changes are easy to follow: g' = (6g + up)/7, l' = (6l + down)/7, RSI = 100 g/(g + l).
 * Changes are chosen so that g and l stay binary fractions: then RSI hits 70, 30, 60, 40, 55, 50, 45
 * exactly. Bars are zero-range (O = H = L = C) unless said; j = 1, 2, ... after the prefix. */
#include "tests/support/feature_hand.h"

#include <math.h>

static void flat100(eb_hand_t *e, int displacement)
{
    eb_feature_params_t p = eb_hand_params(displacement);
    eb_hand_start(e, &p);
    eb_hand_repeat(e, EB_HAND_PREFIX, 100, 100, 100, 100, 100);
}

/* The prefix, then closes 100 + d[0], 100 + d[0] + d[1], ... */
static void changes(eb_hand_t *e, const double *d, int n)
{
    double c = 100;
    flat100(e, 2);
    for (int i = 0; i < n; i++)
        eb_hand_level(e, c += d[i], 100);
}

/* +6.125: g = 6.125/7 = 0.875, l = 0 (RSI 100). -6.125: g = 0.875*6/7 = 0.75, l = 0.875 (RSI 600/13).
 * +7.75: g = (0.75*6 + 7.75)/7 = 12.25/7 = 1.75, l = 0.875*6/7 = 0.75; RSI = 175/2.5 = 70 exactly. */
TEST(rsi_exactly_70_then_the_extreme_run)
{
    eb_hand_t e;
    const double d[3] = {6.125, -6.125, 7.75};
    changes(&e, d, 1);
    /* The prefix has RSI 100 (> 70) from bar 7 (the first RSI) to 299: a run of 293; j=1 makes 294. */
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, EB_HAND_PREFIX - 7 + 1);
    eb_hand_end(&e);
    changes(&e, d, 3);
    CHECK(eb_features_rsi(e.f) == 70);
    HAND_IS(&e, RSI_OVERBOUGHT, 0); /* 70 is not > 70 */
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 0);
    HAND_IS(&e, RSI_IN_MOMENTUM_ZONE, 1); /* 70 > 60 */
    HAND_IS(&e, RSI_SLOPE, -10);          /* (70 - RSI[t-3] = 100)/3 */
    eb_hand_level(&e, 108.75, 100);       /* +1: g = 11.5/7, l = 4.5/7, RSI = 1150/16 = 71.875 */
    HAND_NEAR(&e, RSI_SLOPE, (71.875 - 100) / 3); /* RSI[t-3] is j=1's 100 */
    HAND_IS(&e, RSI_OVERBOUGHT, 1);
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 1);
    eb_hand_level(&e, 109.75, 100); /* +1: g = 76/49, l = 27/49, RSI = 7600/103 = 73.8 */
    HAND_NEAR(&e, RSI_SLOPE, (7600.0 / 103 - 600.0 / 13) / 3); /* RSI[t-3] is j=2's */
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 2);
    eb_hand_level(&e, 89.75, 100); /* -20: g = 456/343, l = 1142/343, RSI = 45600/1598 = 28.5 */
    CHECK_NEAR(eb_features_rsi(e.f), 45600.0 / 1598, 1e-9);
    HAND_IS(&e, RSI_OVERSOLD, 1);
    HAND_IS(&e, RSI_OVERBOUGHT, 0);
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 3); /* from > 70 straight to < 30: still in an extreme zone */
    eb_hand_level(&e, 92.75, 100);        /* +3: g = 3765/2401, l = 6852/2401, RSI = 35.5 */
    CHECK_NEAR(eb_features_rsi(e.f), 376500.0 / 10617, 1e-9);
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 0);
    HAND_IS(&e, RSI_IN_MOMENTUM_ZONE, -1); /* 35.5 < 40 */
    eb_hand_end(&e);
}

/* The mirror: -6.125, +6.125, -7.75 gives l = 1.75, g = 0.75: RSI = 75/2.5 = 30 exactly. */
TEST(rsi_exactly_30)
{
    eb_hand_t e;
    const double d[4] = {-6.125, 6.125, -7.75, -1};
    changes(&e, d, 3);
    CHECK(eb_features_rsi(e.f) == 30);
    HAND_IS(&e, RSI_OVERSOLD, 0); /* 30 is not < 30 */
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 0);
    HAND_IS(&e, RSI_IN_MOMENTUM_ZONE, -1);
    HAND_NEAR(&e, RSI_SLOPE, (30.0 - 100) / 3);
    eb_hand_end(&e);
    changes(&e, d, 4); /* -1: the mirror of 71.875 */
    HAND_NEAR(&e, RSI_SLOPE, (28.125 - 0) / 3); /* RSI[t-3] is j=1's 0 */
    HAND_IS(&e, RSI_OVERSOLD, 1);
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 1);
    eb_hand_end(&e);
}

/* +6.125, -6.125 (g 0.75, l 0.875), then +3.375: g = (4.5 + 3.375)/7 = 1.125, l = 0.75, RSI = 112.5/1.875
 * = 60 exactly; one more +1: g = 7.75/7, l = 4.5/7, RSI = 775/12.25 = 63.3. The mirror gives 40 and 36.7. */
TEST(rsi_momentum_zone_at_60_and_40)
{
    const double up[4] = {6.125, -6.125, 3.375, 1}, down[4] = {-6.125, 6.125, -3.375, -1};
    const double *path[2] = {up, down};
    for (int s = 0; s < 2; s++) {
        eb_hand_t e;
        changes(&e, path[s], 3);
        CHECK(eb_features_rsi(e.f) == (s ? 40 : 60));
        HAND_IS(&e, RSI_IN_MOMENTUM_ZONE, 0);
        eb_hand_end(&e);
        changes(&e, path[s], 4);
        CHECK_NEAR(eb_features_rsi(e.f), s ? 100 - 775 / 12.25 : 775 / 12.25, 1e-9);
        HAND_IS(&e, RSI_IN_MOMENTUM_ZONE, s ? -1 : 1);
        eb_hand_end(&e);
    }
}

/* One loss of 1: g = 0, l = 1/7, RSI = 0. The last 14 RSIs are thirteen 100s and a 0: population std
 * 100 * sqrt(p(1-p)) with p = 13/14, i.e. 100*sqrt(13)/14. Then +1: g = 1/7, l = 6/49, RSI = 700/13. */
TEST(rsi_std_and_slope)
{
    eb_hand_t e;
    flat100(&e, 2);
    eb_hand_level(&e, 99, 100);
    HAND_NEAR(&e, RSI_STD, 100 * sqrt(13.0) / 14);
    HAND_NEAR(&e, RSI_SLOPE, -100.0 / 3);
    HAND_IS(&e, RSI_OVERSOLD, 1);
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, EB_HAND_PREFIX - 7 + 1); /* the prefix's run of 100s goes on */
    eb_hand_level(&e, 100, 100);
    double last14[14] = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0, 700.0 / 13};
    HAND_NEAR(&e, RSI_STD, eb_hand_pstd(last14, 14));
    HAND_NEAR(&e, RSI_SLOPE, (700.0 / 13 - 100) / 3);
    HAND_IS(&e, TIME_IN_EXTREME_ZONE, 0);
    HAND_IS(&e, RSI_IN_MOMENTUM_ZONE, 0); /* 53.8 */
    eb_hand_end(&e);
}

/* rsi_midline_rejection at the last of the changes. RSI after each step (t-2, t-1, t):
 *  a: +12.25 (g 1.75: 100), -10.5 (g 1.5, l 1.5: 50 exactly), +1 (g 10/7, l 9/7: 52.6)    -> +1 (min 50)
 *  b: +12.25, -10.75 (49.4), +1 (52.0)                                                     -> 0 (min < 50)
 *  c: +33.6875 (g 4.8125: 100), -23.625 (g 4.125, l 3.375: 55 exactly), +1 (56.0)          -> +1 (min 55)
 *  d: +33.6875, -23.625 (55), -2 (g 24.75/7, l 22.25/7: 52.7), +1 (53.8): RSI[t-2] == 55   -> 0
 *  e: +33.6875, -23.5 (55.1), -2 (52.8), +1 (53.9): RSI[t-2] > 55                          -> +1
 * and their mirrors (every change negated, RSI' = 100 - RSI: 0, 50, 47.4 / 0, 45, 44.0 / ...) give -1, 0,
 * -1, 0, -1: RSI[t-2] < 45, max(RSI[t-1], RSI[t]) in [45, 50], turning down. */
TEST(rsi_midline_rejection_edges)
{
    static const struct {
        double d[4];
        int n, want;
    } k[] = {
        {{12.25, -10.5, 1}, 3, 1},        {{12.25, -10.75, 1}, 3, 0},     {{33.6875, -23.625, 1}, 3, 1},
        {{33.6875, -23.625, -2, 1}, 4, 0}, {{33.6875, -23.5, -2, 1}, 4, 1},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        for (int s = 1; s >= -1; s -= 2) {
            double d[4];
            for (int j = 0; j < k[i].n; j++)
                d[j] = s * k[i].d[j];
            eb_hand_t e;
            changes(&e, d, k[i].n);
            CHECK_MSG(e.ready == 1 && e.out[EB_F_RSI_MIDLINE_REJECTION] == s * k[i].want, "case %zu sign %d: %g", i,
                      s, e.out[EB_F_RSI_MIDLINE_REJECTION]);
            eb_hand_end(&e);
        }
    }
    eb_hand_t e; /* the exact RSIs the cases rest on */
    const double c[3] = {33.6875, -23.625, 1};
    changes(&e, c, 2);
    CHECK(eb_features_rsi(e.f) == 55);
    eb_hand_end(&e);
    changes(&e, (const double[]){12.25, -10.5}, 2);
    CHECK(eb_features_rsi(e.f) == 50);
    eb_hand_end(&e);
    changes(&e, (const double[]){-33.6875, 23.625}, 2);
    CHECK(eb_features_rsi(e.f) == 45);
    eb_hand_end(&e);
}

/* D = 26, so the cloud over the 20 bars is still the prefix's 100/100 and a close of 100 is inside it.
 * At j = 20 the older window is j = 1..10 and the newer j = 11..20 (both edges used below).
 * Bullish: j=1 O 100 H 100 L 90 C 90 (loss 10: g = 0, RSI 0); j=2..10 at 100 (j=2: +10, g = 10/7,
 * l = 60/49, RSI 700/13; flat bars scale both by 6/7, so RSI stays 700/13); j=11 O 100 H 100 L 89 C 100
 * (RSI 700/13); j=12..20 at 100. Newer low 89 < older low 90, RSI 53.8 > 0: divergence. */
static void bullish(eb_hand_t *e, int displacement, double new_low)
{
    flat100(e, displacement);
    eb_hand_bar(e, 100, 100, 90, 90, 100);
    eb_hand_repeat(e, 9, 100, 100, 100, 100, 100);
    eb_hand_bar(e, 100, 100, new_low, 100, 100);
}

TEST(rsi_bullish_divergence_window_edges)
{
    eb_hand_t e;
    bullish(&e, 26, 89);
    CHECK_NEAR(eb_features_rsi(e.f), 700.0 / 13, 1e-9);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100); /* j = 20 */
    HAND_IS(&e, RSI_BULLISH_DIV, 1);
    HAND_IS(&e, RSI_BEARISH_DIV, 0); /* highs 100 and 100: not higher */
    HAND_IS(&e, PRICE_INSIDE_CLOUD, 1);
    HAND_IS(&e, DIVERGENCE_IN_CLOUD, 1);
    eb_hand_level(&e, 100, 100); /* j=21: 89 is now in the older window (j = 2..11); newer low 100 */
    HAND_IS(&e, RSI_BULLISH_DIV, 0);
    HAND_IS(&e, DIVERGENCE_IN_CLOUD, 0);
    eb_hand_end(&e);
    /* Same lows, but both as wicks of unchanged closes: the RSI stays 100 at both lows, not above: none. */
    flat100(&e, 26);
    eb_hand_bar(&e, 100, 100, 90, 100, 100);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    eb_hand_bar(&e, 100, 100, 89, 100, 100);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    HAND_IS(&e, RSI_BULLISH_DIV, 0);
    HAND_IS(&e, DIVERGENCE_IN_CLOUD, 0);
    eb_hand_end(&e);
    /* The newer low equal to the older one (90): not below, none. */
    bullish(&e, 26, 90);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    HAND_IS(&e, RSI_BULLISH_DIV, 0);
    eb_hand_end(&e);
    /* D = 2: the cloud at j=20 is raw[18]: tenkan, kijun and span B all (100 + 89)/2 = 94.5 (the lows 89
     * and 90 are in all three windows), so the close 100 is above it: a divergence, but not in the cloud. */
    bullish(&e, 2, 89);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    HAND_IS(&e, RSI_BULLISH_DIV, 1);
    HAND_IS(&e, PRICE_ABOVE_CLOUD, 1);
    HAND_IS(&e, DIVERGENCE_IN_CLOUD, 0);
    eb_hand_end(&e);
}

/* Equal lows in the newer window: the earliest holds the extreme (docs/features.md). j=1 at 99, j=2 O 99 H 100
 * L 90 C 100 (the older low, RSI 700/13 = 53.8), flat to j=9, j=10 at 99 (a loss: RSI about 18.9), j=11 a
 * wick to 89 closing at 99 (RSI still 18.9), j=12 at 101 (RSI about 67.7), j=15 a wick to 89 closing at 101
 * (RSI 67.7), flat to j=20. The low 89 first comes with RSI 18.9 < 53.8: no divergence; without the wick at
 * j=11 the only 89 is j=15's, with RSI 67.7 > 53.8: divergence. */
static double equal_lows(int wick_at_11)
{
    eb_hand_t e;
    flat100(&e, 26);
    eb_hand_level(&e, 99, 100);
    eb_hand_bar(&e, 99, 100, 90, 100, 100);
    eb_hand_repeat(&e, 7, 100, 100, 100, 100, 100);
    eb_hand_level(&e, 99, 100);
    eb_hand_bar(&e, 99, 99, wick_at_11 ? 89 : 99, 99, 100);
    eb_hand_level(&e, 101, 100);
    eb_hand_repeat(&e, 2, 101, 101, 101, 101, 100);
    eb_hand_bar(&e, 101, 101, 89, 101, 100);
    eb_hand_repeat(&e, 5, 101, 101, 101, 101, 100);
    double r = e.ready == 1 && eb_features_bars(e.f) == EB_HAND_PREFIX + 20 ? e.out[EB_F_RSI_BULLISH_DIV] : NAN;
    eb_hand_end(&e);
    return r;
}

TEST(rsi_divergence_equal_lows_earliest_holds)
{
    CHECK(equal_lows(1) == 0);
    CHECK(equal_lows(0) == 1);
}

/* Bearish mirror: j=1 O 100 H 110 L 100 C 110 (gain: RSI 100); j=2 back to 100 (g = 60/49, l = 10/7,
 * RSI 600/13); j=11 O 100 H 111 L 100 C 100 (RSI 600/13). Higher high 111 > 110 with RSI 46.2 < 100. */
TEST(rsi_bearish_divergence)
{
    eb_hand_t e;
    flat100(&e, 26);
    eb_hand_bar(&e, 100, 110, 100, 110, 100);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    eb_hand_bar(&e, 100, 111, 100, 100, 100);
    CHECK_NEAR(eb_features_rsi(e.f), 600.0 / 13, 1e-9);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    HAND_IS(&e, RSI_BEARISH_DIV, 1);
    HAND_IS(&e, RSI_BULLISH_DIV, 0);
    HAND_IS(&e, DIVERGENCE_IN_CLOUD, 1);
    eb_hand_end(&e);
    /* A higher high with a higher RSI is no divergence: j=1 at 99, j=2 O 99 H 110 L 99 C 100 (RSI 700/13),
     * j=11 O 100 H 111 L 100 C 101 (a gain: RSI rises to about 67). */
    flat100(&e, 26);
    eb_hand_level(&e, 99, 100);
    eb_hand_bar(&e, 99, 110, 99, 100, 100);
    eb_hand_repeat(&e, 8, 100, 100, 100, 100, 100);
    eb_hand_bar(&e, 100, 111, 100, 101, 100);
    CHECK(eb_features_rsi(e.f) > 700.0 / 13);
    eb_hand_repeat(&e, 9, 101, 101, 101, 101, 100);
    HAND_IS(&e, RSI_BEARISH_DIV, 0);
    eb_hand_end(&e);
}

/* rsi_price_divergence: correlation of dC and dRSI over 10 bars.
 * j=1 at 99: dC = -1, RSI 100 -> 0 (dRSI -100); j=2..10 at 99: g stays 0, RSI 0, both changes 0.
 * At j=10 the pairs are (-1, -100) and nine (0, 0): one direction, correlation 1. At j=11 all ten pairs
 * are (0, 0): no spread, 0. Second path: j=2 back to 100 (dC +1, RSI 700/13): pairs (-1, -100),
 * (1, 700/13) and eight (0, 0). */
TEST(rsi_price_divergence_by_hand)
{
    eb_hand_t e;
    flat100(&e, 2);
    eb_hand_repeat(&e, 10, 99, 99, 99, 99, 100);
    HAND_NEAR(&e, RSI_PRICE_DIVERGENCE, 1);
    eb_hand_level(&e, 99, 100);
    HAND_IS(&e, RSI_PRICE_DIVERGENCE, 0);
    eb_hand_end(&e);
    flat100(&e, 2);
    eb_hand_level(&e, 99, 100);
    eb_hand_repeat(&e, 9, 100, 100, 100, 100, 100);
    double dc[10] = {-1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, dr[10] = {-100, 700.0 / 13, 0, 0, 0, 0, 0, 0, 0, 0};
    HAND_NEAR(&e, RSI_PRICE_DIVERGENCE, eb_hand_pearson(dc, dr, 10)); /* 0.9658 */
    eb_hand_end(&e);
}

int main(void)
{
    RUN(rsi_exactly_70_then_the_extreme_run);
    RUN(rsi_exactly_30);
    RUN(rsi_momentum_zone_at_60_and_40);
    RUN(rsi_std_and_slope);
    RUN(rsi_midline_rejection_edges);
    RUN(rsi_bullish_divergence_window_edges);
    RUN(rsi_divergence_equal_lows_earliest_holds);
    RUN(rsi_bearish_divergence);
    RUN(rsi_price_divergence_by_hand);
    return eb_check_report();
}
