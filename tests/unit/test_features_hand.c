/* Hand-computed Ichimoku features (SPEC section 4, 1-11) and the combined ones built on the cloud (47, 48,
 * 50, 51, 53, 55, 58). Periods tenkan 8, kijun 24, senkou B 48, rsi 7, atr 7; every case starts from
 * EB_HAND_PREFIX identical bars, so before the crafted bars every high/low window, the cloud and MA20 sit
 * at the prefix price and ATR/RSI averages are known exactly. Bars are numbered j = 1, 2, ... after the
 * prefix (j = 0 is its last bar). Expected values come from the definitions, never from the engine. */
#include "tests/support/feature_hand.h"

#include <math.h>

/* Flat prefix at 100 (zero range, volume 100): ATR 0, RSI averages 0 (RSI 100), cloud A = B = 100. */
static void flat100(eb_hand_t *e, int displacement)
{
    eb_feature_params_t p = eb_hand_params(displacement);
    eb_hand_start(e, &p);
    eb_hand_repeat(e, EB_HAND_PREFIX, 100, 100, 100, 100, 100);
}

/* D = 2. j=1: O 100 H 120 L 100 C 120, then zero-range bars at 120.
 *   TR[1] = 20, ATR[1] = (0*6 + 20)/7 = 20/7; TR = 0 after, so ATR[j] = 20/7 * (6/7)^(j-1).
 *   tenkan[j] = (120 + 100)/2 = 110 while its 8 bars j-7..j hold j=1's low 100 (j <= 8), 120 from j = 9.
 *   kijun[j] = spanB_raw[j] = (120 + 100)/2 = 110 (the prefix lows stay in 24 and 48 bars).
 *   spanA_raw[j] = (tenkan + kijun)/2 = 110 for j <= 8, 115 from j = 9.
 *   Cloud at j = raw spans at j-2: A = B = 100 at j = 1, 2; A = B = 110 for 3 <= j <= 10; A 115 B 110 from 11. */
TEST(cloud_after_a_step_up)
{
    eb_hand_t e;
    flat100(&e, 2);
    double atr1 = 20.0 / 7;
    CHECK_EQ_INT(eb_hand_bar(&e, 100, 120, 100, 120, 100), 1);
    HAND_IS(&e, PRICE_ABOVE_CLOUD, 1); /* 120 > max(100, 100) */
    HAND_IS(&e, PRICE_BELOW_CLOUD, 0);
    HAND_IS(&e, PRICE_INSIDE_CLOUD, 0);
    HAND_IS(&e, CLOUD_GREEN, 0);     /* A == B: not green */
    HAND_IS(&e, CLOUD_THICKNESS, 0); /* (100 - 100)/120 */
    HAND_IS(&e, KUMO_TWIST, 0);      /* sign 0 before and now */
    HAND_IS(&e, TENKAN_KIJUN_CROSS, 0); /* tenkan 110 == kijun 110: not above */
    HAND_IS(&e, PRICE_VS_KIJUN, 1);     /* 120 > 110 + 0.1*20/7 */
    HAND_IS(&e, CHIKOU_POSITION, 1);    /* 120 > H[j-2] = 100 */
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, 7);  /* (120 - 100)/(20/7) */
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, 3.5); /* (120 - 110)/(20/7) */
    HAND_NEAR(&e, ATR_BODY_RATIO, 7);        /* |120 - 100|/(20/7) */
    HAND_IS(&e, TREND_CONFIRMATION, 0); /* above, RSI 100, but the cloud is not green */
    HAND_IS(&e, KUMO_SUPPORT_RSI, 0);   /* above but RSI 100 */
    HAND_IS(&e, KUMO_THICKNESS_ATR, 0); /* thickness 0 / atr_pct */
    CHECK(eb_features_atr(e.f) == atr1 && eb_features_rsi(e.f) == 100);
    eb_hand_level(&e, 120, 100);     /* j=2 */
    HAND_IS(&e, CHIKOU_POSITION, 1); /* against bar j-2 = 0 (H 100), not j=1 (H 120) */
    eb_hand_repeat(&e, 6, 120, 120, 120, 120, 100); /* j = 3..8 */
    HAND_IS(&e, TENKAN_KIJUN_CROSS, 0);             /* j=8: tenkan still 110 */
    eb_hand_level(&e, 120, 100);                    /* j=9: tenkan[8] 110 <= kijun[8] 110, tenkan[9] 120 > 110 */
    HAND_IS(&e, TENKAN_KIJUN_CROSS, 1);
    eb_hand_level(&e, 120, 100); /* j=10: cloud = raw[8] = 110/110 */
    HAND_IS(&e, TENKAN_KIJUN_CROSS, 0);
    HAND_IS(&e, CLOUD_GREEN, 0);
    HAND_IS(&e, KUMO_TWIST, 0);
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, (120 - 110) / (atr1 * pow(6.0 / 7, 9)));
    eb_hand_level(&e, 120, 100); /* j=11: cloud = raw[9] = A 115, B 110 */
    double atr11 = atr1 * pow(6.0 / 7, 10);
    HAND_IS(&e, CLOUD_GREEN, 1);
    HAND_IS(&e, KUMO_TWIST, 1); /* sign(A-B): 0 at j=10, +1 now */
    HAND_NEAR(&e, CLOUD_THICKNESS, 5.0 / 120);
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, (120 - 115) / atr11);
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, (120 - 110) / atr11);
    HAND_NEAR(&e, KUMO_THICKNESS_ATR, (5.0 / 120) / (atr11 / 120 * 100)); /* thickness / atr_pct */
    HAND_IS(&e, CHIKOU_POSITION, 0);    /* 120 == H[9] == L[9]: neither above nor below */
    HAND_IS(&e, TREND_CONFIRMATION, 1); /* above, green, RSI 100 > 50 */
    eb_hand_level(&e, 120, 100);        /* j=12 */
    HAND_IS(&e, KUMO_TWIST, 0);         /* +1 again */
    /* j=13 at 112: cloud = raw[11] = A 115, B 110, so 110 <= 112 <= 115. TR = |112 - 120| = 8:
     * ATR[13] = (ATR[12]*6 + 8)/7. kijun[13] = (120 + 100)/2 = 110; tenkan (120 + 112)/2 = 116 > 110 again. */
    eb_hand_level(&e, 112, 100);
    double atr13 = (atr1 * pow(6.0 / 7, 11) * 6 + 8) / 7;
    HAND_IS(&e, PRICE_INSIDE_CLOUD, 1);
    HAND_IS(&e, PRICE_ABOVE_CLOUD, 0);
    HAND_IS(&e, PRICE_BELOW_CLOUD, 0);
    HAND_IS(&e, DIST_PRICE_TO_CLOUD, 0); /* inside */
    HAND_NEAR(&e, CLOUD_THICKNESS, 5.0 / 112);
    HAND_IS(&e, CHIKOU_POSITION, -1); /* 112 < L[11] = 120 */
    HAND_IS(&e, PRICE_VS_KIJUN, 1);   /* 112 > 110 + 0.1*atr13 (about 0.16) */
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, 2 / atr13);
    HAND_IS(&e, TENKAN_KIJUN_CROSS, 0);
    HAND_IS(&e, TREND_CONFIRMATION, 0); /* inside */
    HAND_IS(&e, KUMO_BREAKOUT_CANDLE, 0);
    /* j=14 at 105: cloud = raw[12] = A 115, B 110 (tenkan[12] over j=5..12 is 120 again): below a green
     * cloud after two losses (RSI about 20 < 50), yet trend_confirmation -1 needs a red cloud. */
    eb_hand_level(&e, 105, 100);
    HAND_IS(&e, PRICE_BELOW_CLOUD, 1);
    HAND_IS(&e, CLOUD_GREEN, 1);
    CHECK(eb_features_rsi(e.f) < 50);
    HAND_IS(&e, TREND_CONFIRMATION, 0);
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, (105 - 110) / ((atr13 * 6 + 7) / 7));
    eb_hand_end(&e);
}

/* The mirror: j=1 O 100 H 100 L 80 C 80, then zero-range bars at 80. kijun = spanB_raw = 90, tenkan 90 to
 * j = 8 and 80 from 9, spanA_raw 90 then 85. Cloud at j = raw[j-2]: 100 at j = 1; A 85, B 90 from j = 11.
 * RSI: only a loss, so the average gain is 0 and RSI = 0. */
TEST(cloud_after_a_step_down)
{
    eb_hand_t e;
    flat100(&e, 2);
    double atr1 = 20.0 / 7;
    eb_hand_bar(&e, 100, 100, 80, 80, 100);
    HAND_IS(&e, PRICE_BELOW_CLOUD, 1);
    HAND_IS(&e, PRICE_ABOVE_CLOUD, 0);
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, -7); /* (80 - 100)/(20/7) */
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, -3.5);
    HAND_IS(&e, PRICE_VS_KIJUN, -1);     /* 80 < 90 - 0.1*20/7 */
    HAND_IS(&e, CHIKOU_POSITION, -1);    /* 80 < L[j-2] = 100 */
    HAND_IS(&e, TREND_CONFIRMATION, -1); /* below, A == B is "not green", RSI 0 < 50 */
    HAND_IS(&e, KUMO_RESISTANCE_RSI, 0); /* below but RSI 0 */
    CHECK(eb_features_rsi(e.f) == 0);
    eb_hand_level(&e, 80, 100);       /* j=2 */
    HAND_IS(&e, CHIKOU_POSITION, -1); /* against bar 0 (L 100), not j=1 (L 80) */
    eb_hand_repeat(&e, 7, 80, 80, 80, 80, 100); /* j = 3..9 */
    HAND_IS(&e, TENKAN_KIJUN_CROSS, -1);        /* tenkan[8] 90 >= kijun 90, tenkan[9] 80 < 90 */
    eb_hand_repeat(&e, 2, 80, 80, 80, 80, 100); /* j = 10, 11 */
    double atr11 = atr1 * pow(6.0 / 7, 10);
    HAND_IS(&e, CLOUD_GREEN, 0);
    HAND_IS(&e, KUMO_TWIST, 1); /* 0 -> -1 */
    HAND_NEAR(&e, CLOUD_THICKNESS, -5.0 / 80);
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, (80 - 85) / atr11); /* below: C - min(A, B) */
    HAND_NEAR(&e, KUMO_THICKNESS_ATR, (-5.0 / 80) / (atr11 / 80 * 100));
    HAND_IS(&e, TREND_CONFIRMATION, -1);
    eb_hand_level(&e, 80, 100); /* j=12 */
    /* j=13 at 88: cloud raw[11] = 85/90, inside; chikou 88 > H[11] = 80; kijun 90, ATR about 1.6. */
    eb_hand_level(&e, 88, 100);
    HAND_IS(&e, PRICE_INSIDE_CLOUD, 1);
    HAND_IS(&e, CHIKOU_POSITION, 1);
    HAND_IS(&e, PRICE_VS_KIJUN, -1);
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, -2 / ((atr1 * pow(6.0 / 7, 11) * 6 + 8) / 7));
    HAND_IS(&e, TREND_CONFIRMATION, 0);
    eb_hand_end(&e);
}

/* A prefix of O = C = 100, H 105, L 95: TR = 10 on every bar, so ATR = 10 exactly ((10*6 + 10)/7), kijun =
 * (105 + 95)/2 = 100, and 0.1*ATR = 1 exactly. Bars below keep H 105 and L 95 (TR stays 10). */
static void atr10(eb_hand_t *e)
{
    eb_feature_params_t p = eb_hand_params(2);
    eb_hand_start(e, &p);
    eb_hand_repeat(e, EB_HAND_PREFIX, 100, 105, 95, 100, 100);
}

TEST(price_vs_kijun_band_edges)
{
    eb_hand_t e;
    atr10(&e);
    eb_hand_bar(&e, 101, 105, 95, 101, 100); /* 101 == kijun + 0.1*ATR: not above */
    CHECK(eb_features_atr(e.f) == 10);
    HAND_IS(&e, PRICE_VS_KIJUN, 0);
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, 0.1);
    HAND_IS(&e, CHIKOU_POSITION, 0);   /* 95 <= 101 <= 105 (bar j-2) */
    HAND_IS(&e, REVERSAL_AT_KIJUN, 0); /* near the kijun, but no reversal candle */
    eb_hand_bar(&e, 101.5, 105, 95, 101.5, 100);
    HAND_IS(&e, PRICE_VS_KIJUN, 1);
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, 0.15);
    eb_hand_bar(&e, 99, 105, 95, 99, 100); /* 99 == kijun - 0.1*ATR: not below */
    HAND_IS(&e, PRICE_VS_KIJUN, 0);
    HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, -0.1);
    eb_hand_bar(&e, 98.5, 105, 95, 98.5, 100);
    HAND_IS(&e, PRICE_VS_KIJUN, -1);
    CHECK(eb_features_atr(e.f) == 10);
    eb_hand_end(&e);
}

/* A red bar (O 101, C 99) then a green one opening at 99 and closing above 101: a bullish engulfing. With
 * ATR 10 and kijun 100, dist_price_to_kijun = (C - 100)/10: 0.15 qualifies, 0.2 exactly does not. */
TEST(reversal_at_kijun_edge)
{
    const double close[2] = {101.5, 102};
    const double want[2] = {1, 0};
    for (int i = 0; i < 2; i++) {
        eb_hand_t e;
        atr10(&e);
        eb_hand_bar(&e, 101, 105, 95, 99, 100);
        eb_hand_bar(&e, 99, 105, 95, close[i], 100);
        HAND_IS(&e, ENGULFING_BULLISH, 1);
        HAND_NEAR(&e, DIST_PRICE_TO_KIJUN, (close[i] - 100) / 10);
        HAND_IS(&e, REVERSAL_AT_KIJUN, want[i]);
        eb_hand_end(&e);
    }
}

/* D = 1. Prefix at `from`, j=1 a jump to 200, then steps of `step` (-1 or +1) a bar. RSI after the jump of
 * 100 (seen from the prefix, where both averages are 0): g = 100/7, l = 0; each step of 1 against it then
 * gives g = 100/7 * (6/7)^m and l = 1 - (6/7)^m after m steps (l' = (6l + 1)/7), or the mirror.
 * m = 17: RSI = 52.85 (> 50); m = 18: RSI = 48.72 (< 50). ATR: TR 100 then 1: ATR = 1 + (100/7 - 1)(6/7)^m. */
static void jump_then_drift(eb_hand_t *e, double from, double step, int m)
{
    eb_feature_params_t p = eb_hand_params(1);
    eb_hand_start(e, &p);
    eb_hand_repeat(e, EB_HAND_PREFIX, from, from, from, from, 100);
    eb_hand_level(e, 200, 100);
    for (int k = 1; k <= m; k++)
        eb_hand_level(e, 200 + step * k, 100);
}

static double drift_rsi(int m, int with)
{
    double decay = pow(6.0 / 7, m), g = 100.0 / 7 * decay, l = 1 - decay;
    return with ? 100 * g / (g + l) : 100 * l / (g + l);
}

TEST(kumo_support_and_resistance_rsi)
{
    eb_hand_t e;
    /* Up from 100 to 200, drifting down: j=18 closes 183, j=19 closes 182. Cloud at j = raw[j-1]:
     * at 19, tenkan[18] over closes 190..183 = 186.5, kijun[18] = spanB = (200 + 100)/2 = 150,
     * A = (186.5 + 150)/2 = 168.25 < 182: above a green cloud. At 18: tenkan 187.5, A 168.75 < 183. */
    jump_then_drift(&e, 100, -1, 17);
    CHECK_NEAR(eb_features_rsi(e.f), drift_rsi(17, 1), 1e-9);
    HAND_IS(&e, KUMO_SUPPORT_RSI, 0);   /* RSI 52.85 */
    HAND_IS(&e, TREND_CONFIRMATION, 1); /* above, green, RSI > 50 */
    eb_hand_level(&e, 182, 100);
    CHECK_NEAR(eb_features_rsi(e.f), drift_rsi(18, 1), 1e-9);
    HAND_IS(&e, PRICE_ABOVE_CLOUD, 1);
    HAND_IS(&e, KUMO_SUPPORT_RSI, 1); /* RSI 48.72 < 50 */
    HAND_IS(&e, TREND_CONFIRMATION, 0);
    HAND_NEAR(&e, CLOUD_THICKNESS, (168.25 - 150) / 182);
    HAND_NEAR(&e, DIST_PRICE_TO_CLOUD, (182 - 168.25) / (1 + (100.0 / 7 - 1) * pow(6.0 / 7, 18)));
    eb_hand_end(&e);
    /* Down from 300 to 200, drifting up to 217 then 218: tenkan[18] over 210..217 = 213.5, kijun 250,
     * A = 231.75 > 218: below a red cloud; the RSI is the mirror (47.15 then 51.28). */
    jump_then_drift(&e, 300, 1, 17);
    HAND_IS(&e, KUMO_RESISTANCE_RSI, 0);
    HAND_IS(&e, TREND_CONFIRMATION, -1); /* below, red, RSI < 50 */
    eb_hand_level(&e, 218, 100);
    CHECK_NEAR(eb_features_rsi(e.f), drift_rsi(18, 0), 1e-9);
    HAND_IS(&e, PRICE_BELOW_CLOUD, 1);
    HAND_IS(&e, KUMO_RESISTANCE_RSI, 1);
    HAND_IS(&e, TREND_CONFIRMATION, 0);
    HAND_NEAR(&e, CLOUD_THICKNESS, (231.75 - 250) / 218);
    eb_hand_end(&e);
}

/* After the flat prefix (cloud 100, volume 100): one bar; V > mean(V, 5) = (4*100 + V)/5 iff V > 100. */
TEST(kumo_breakout_candle_edges)
{
    static const struct {
        double o, h, l, c, v, want;
    } k[] = {
        {100, 120, 100, 120, 200, 1}, /* above, body 1, 200 > 120 */
        {100, 120, 100, 120, 100, 0}, /* V == mean(V, 5) == 100 */
        {100, 120, 100, 114, 200, 0}, /* body 14/20 == 0.7: not > 0.7 */
        {100, 120, 100, 115, 200, 1}, /* body 0.75 */
        {100, 100, 80, 80, 200, 1},   /* below the cloud */
        {80, 100, 80, 100, 200, 0},   /* C == 100 == A == B: inside */
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        eb_hand_t e;
        flat100(&e, 2);
        eb_hand_bar(&e, k[i].o, k[i].h, k[i].l, k[i].c, k[i].v);
        CHECK_MSG(e.out[EB_F_KUMO_BREAKOUT_CANDLE] == k[i].want, "case %zu: %g", i, e.out[EB_F_KUMO_BREAKOUT_CANDLE]);
        eb_hand_end(&e);
    }
    /* mean(V, 5) holds bars t-4..t: volumes 1000 (t-5), 50, 100, 100, 100 and the breakout's 100 give a
     * mean of 90 < 100 (over 4 bars it would be 100, over 6 bars 241.7). The cloud is still 100. */
    eb_hand_t e;
    flat100(&e, 2);
    eb_hand_level(&e, 100, 1000);
    eb_hand_level(&e, 100, 50);
    eb_hand_repeat(&e, 3, 100, 100, 100, 100, 100);
    eb_hand_bar(&e, 100, 120, 100, 120, 100);
    HAND_IS(&e, KUMO_BREAKOUT_CANDLE, 1);
    eb_hand_end(&e);
}

int main(void)
{
    RUN(cloud_after_a_step_up);
    RUN(cloud_after_a_step_down);
    RUN(price_vs_kijun_band_edges);
    RUN(reversal_at_kijun_edge);
    RUN(kumo_support_and_resistance_rsi);
    RUN(kumo_breakout_candle_edges);
    return eb_check_report();
}
