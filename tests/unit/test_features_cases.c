/* Hand-computed feature values on crafted bars: candle shapes and patterns, zero-range bars, zero volume,
 * flat prices (ATR 0: every ratio with a zero denominator is 0), the schema and the config section. */
#include "app/feature_config.h"
#include "core/feature_schema.h"
#include "core/features.h"
#include "tests/support/bars_load.h"
#include "tests/support/check.h"

#include <stdlib.h>

typedef struct {
    void *mem;
    eb_features_t *f;
    int64_t t;
    double out[EB_FEATURE_COUNT];
} eng_t;

/* An engine warmed up on 400 synthetic bars (prices around 30000). */
static void warm(eng_t *e)
{
    eb_feature_params_t p = eb_feature_params_default();
    size_t size = eb_features_state_size(&p);
    e->mem = malloc(size);
    e->f = eb_features_init(e->mem, size, &p);
    eb_bar_t *bars = eb_test_synth_bars(400, 21, 0);
    for (int i = 0; i < 400; i++)
        eb_features_step(e->f, &bars[i], e->out);
    e->t = bars[399].open_time_ms;
    free(bars);
}

static int feed(eng_t *e, double o, double h, double l, double c, double v)
{
    e->t += 300000;
    eb_bar_t b = {e->t, o, h, l, c, v};
    return eb_features_step(e->f, &b, e->out);
}

#define F(e, id) ((e)->out[EB_F_##id])

TEST(candle_ratios_by_hand)
{
    eng_t e;
    warm(&e);
    CHECK_EQ_INT(feed(&e, 30000, 30010, 29990, 30005, 1), 1);
    CHECK_NEAR(F(&e, BODY_SIZE_RATIO), 0.25, 1e-12);   /* |5| / 20 */
    CHECK_NEAR(F(&e, UPPER_SHADOW_RATIO), 0.25, 1e-12); /* (30010-30005)/20 */
    CHECK_NEAR(F(&e, LOWER_SHADOW_RATIO), 0.5, 1e-12);  /* (30000-29990)/20 */
    CHECK_NEAR(F(&e, WICK_DOMINANCE), -0.25, 1e-12);
    CHECK_NEAR(F(&e, ATR_BODY_RATIO), 5 / eb_features_atr(e.f), 1e-12);
    CHECK_NEAR(F(&e, PRICE_ATR_RATIO), 20 / eb_features_atr(e.f), 1e-12);
    CHECK_NEAR(F(&e, ATR_PCT), eb_features_atr(e.f) / 30005 * 100, 1e-12);
    CHECK_EQ_INT(F(&e, DOJI), 0);
    CHECK_EQ_INT(F(&e, MARUBOZU), 0);
    /* A zero-range bar with zero volume: ratios with R = 0 are 0, so it is a doji; no volume spike. */
    CHECK_EQ_INT(feed(&e, 30000, 30000, 30000, 30000, 0), 1);
    CHECK(F(&e, BODY_SIZE_RATIO) == 0 && F(&e, UPPER_SHADOW_RATIO) == 0 && F(&e, LOWER_SHADOW_RATIO) == 0);
    CHECK(F(&e, DOJI) == 1 && F(&e, MARUBOZU) == 0 && F(&e, PRICE_ATR_RATIO) == 0 && F(&e, VOLUME_SPIKE) == 0);
    CHECK(F(&e, CONSECUTIVE_BODY_GROWTH) == 0); /* body 0 is not larger than 5 */
    /* Marubozu both ways: body >= 0.95 of the range. */
    feed(&e, 30000, 30100, 30000, 30100, 1);
    CHECK_EQ_INT(F(&e, MARUBOZU), 1);
    CHECK_EQ_INT(F(&e, CONSECUTIVE_BODY_GROWTH), 1);
    feed(&e, 30100, 30101, 29900, 29905, 1); /* body 195 of 201 = 0.970 */
    CHECK_EQ_INT(F(&e, MARUBOZU), -1);
    CHECK_EQ_INT(F(&e, CONSECUTIVE_BODY_GROWTH), 2);
    free(e.mem);
}

TEST(two_bar_patterns_by_hand)
{
    eng_t e;
    warm(&e);
    feed(&e, 30000, 30010, 29940, 29950, 1); /* red */
    feed(&e, 29950, 30020, 29940, 30010, 1); /* green, O == C[t-1], C > O[t-1]: engulfing (one strict) */
    CHECK_EQ_INT(F(&e, ENGULFING_BULLISH), 1);
    CHECK_EQ_INT(F(&e, PIERCING_PATTERN), 0);
    feed(&e, 30010, 30010, 29900, 29900, 1); /* red */
    feed(&e, 29890, 29990, 29880, 29960, 1); /* opens below 29900, closes above the middle 29955, below 30010 */
    CHECK_EQ_INT(F(&e, PIERCING_PATTERN), 1);
    CHECK_EQ_INT(F(&e, ENGULFING_BULLISH), 0);
    feed(&e, 29960, 29970, 29950, 29955, 1); /* red, small */
    feed(&e, 29955, 29965, 29945, 29960, 1); /* same open as the close before, same close as its open */
    CHECK_EQ_INT(F(&e, ENGULFING_BULLISH), 0); /* equal on both sides: not engulfing */
    CHECK_NEAR(F(&e, UP_TREND_STRENGTH), 3 / 5.0, 1e-15); /* last 5: green, red, green, red, green */
    free(e.mem);
}

TEST(three_soldiers_and_crows)
{
    eng_t e;
    warm(&e);
    feed(&e, 30000, 30005, 29995, 30000.5, 1);
    feed(&e, 30000, 30060, 29998, 30050, 1);
    feed(&e, 30050, 30110, 30048, 30100, 1);
    feed(&e, 30100, 30160, 30098, 30150, 1);
    CHECK_EQ_INT(F(&e, THREE_WHITE_SOLDIERS), 1);
    CHECK_EQ_INT(F(&e, THREE_BLACK_CROWS), 0);
    feed(&e, 30150, 30200, 30100, 30160, 1); /* green but body 10/100 <= 0.5 */
    CHECK_EQ_INT(F(&e, THREE_WHITE_SOLDIERS), 0);
    feed(&e, 30160, 30162, 30100, 30110, 1);
    feed(&e, 30110, 30112, 30050, 30060, 1);
    feed(&e, 30060, 30062, 30000, 30010, 1);
    CHECK_EQ_INT(F(&e, THREE_BLACK_CROWS), 1);
    free(e.mem);
}

/* Flat prices and zero volume from the first bar: ATR is exactly 0, RSI 100 (no losses), the cloud is the
 * price, and every ratio with a zero denominator is 0. */
TEST(flat_market_boundaries)
{
    eb_feature_params_t p = eb_feature_params_default();
    size_t size = eb_features_state_size(&p);
    void *mem = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, &p);
    double out[EB_FEATURE_COUNT];
    int ready = 0;
    for (int i = 0; i < 300; i++) {
        eb_bar_t b = {1000 + i, 100, 100, 100, 100, 0};
        ready = eb_features_step(f, &b, out);
    }
    CHECK_EQ_INT(ready, 1);
    int finite = 1;
    for (int j = 0; j < EB_FEATURE_COUNT; j++)
        finite &= isfinite(out[j]);
    CHECK(finite);
    CHECK(eb_features_atr(f) == 0 && eb_features_rsi(f) == 100);
    CHECK(out[EB_F_PRICE_INSIDE_CLOUD] == 1 && out[EB_F_CLOUD_GREEN] == 0 && out[EB_F_CLOUD_THICKNESS] == 0);
    CHECK(out[EB_F_DIST_PRICE_TO_KIJUN] == 0 && out[EB_F_ATR_PCT] == 0 && out[EB_F_ATR_EXPANDING] == 0);
    CHECK(out[EB_F_COMPRESSION_RATIO] == 0 && out[EB_F_ATR_VOLUME] == 0 && out[EB_F_RSI_PRICE_DIVERGENCE] == 0);
    CHECK(out[EB_F_RSI_STD] == 0 && out[EB_F_RSI_SLOPE] == 0 && out[EB_F_RSI_OVERBOUGHT] == 1);
    CHECK_EQ_INT(out[EB_F_TIME_IN_EXTREME_ZONE], 299 - 14 + 1); /* RSI defined (100) from bar 14 */
    CHECK(out[EB_F_ATR_REGIME] == 1 && out[EB_F_IS_LOW_VOLATILITY] == 0); /* all equal: rank 0.5, not below */
    CHECK(out[EB_F_KUMO_THICKNESS_ATR] == 0 && out[EB_F_DISTANCE_TO_MA] == 0 && out[EB_F_VOLUME_SPIKE] == 0);
    CHECK(out[EB_F_DOJI] == 1 && out[EB_F_UP_TREND_STRENGTH] == 0 && out[EB_F_KUMO_TWIST] == 0);
    CHECK(out[EB_F_TREND_CONFIRMATION] == 0 && out[EB_F_VOLATILITY_SQUEEZE_BREAKOUT] == 0);
    free(mem);
}

TEST(schema_names_params_hash)
{
    CHECK_EQ_STR(eb_feature_names[0], "price_above_cloud");
    CHECK_EQ_STR(eb_feature_names[EB_F_ATR_PCT], "atr_pct");
    CHECK_EQ_STR(eb_feature_names[57], "reversal_at_kijun");
    int unique = 1;
    for (int i = 0; i < EB_FEATURE_COUNT; i++)
        for (int j = i + 1; j < EB_FEATURE_COUNT; j++)
            unique &= strcmp(eb_feature_names[i], eb_feature_names[j]) != 0;
    CHECK(unique);
    eb_feature_params_t p = eb_feature_params_default();
    /* Pinned: a change here invalidates every trained model (bump EB_FEATURE_SCHEMA_VERSION on purpose). */
    CHECK(eb_features_schema_hash(&p) == 0x2c52e1475194f439ULL);
    CHECK(eb_fnv1a64(EB_FNV1A64_OFFSET, "a", 1) == 0xaf63dc4c8601ec8cULL); /* published FNV-1a 64 vector */
    char text[2048];
    size_t n = eb_feature_schema_text(&p, text, sizeof text);
    CHECK(n < sizeof text && strstr(text, "version=1\nprice_above_cloud\n") && strstr(text, "\natr=14\n"));
    int differ = 1;
    for (int i = 0; i < 6; i++) {
        eb_feature_params_t q = p;
        int *v[6] = {&q.tenkan, &q.kijun, &q.senkou_b, &q.displacement, &q.rsi, &q.atr};
        *v[i] += eb_feature_param_ranges[i].step;
        differ &= eb_features_schema_hash(&q) != eb_features_schema_hash(&p);
    }
    CHECK(differ);
    eb_feature_param_error_t err;
    CHECK_EQ_INT(eb_feature_params_validate(&p, &err), 0);
    p.kijun = 25;
    CHECK_EQ_INT(eb_feature_params_validate(&p, &err), -1);
    CHECK(strcmp(err.key, "kijun") == 0 && err.value == 25 && err.min == 24 && err.max == 28 && err.step == 2);
    p = eb_feature_params_default();
    p.atr = 35;
    CHECK(eb_feature_params_validate(&p, &err) == -1 && strcmp(err.key, "atr") == 0);
}

static int config(const char *json, eb_feature_params_t *p, char *err)
{
    cJSON *o = cJSON_Parse(json);
    int rc = eb_feature_config_read(o, p, err, 256);
    cJSON_Delete(o);
    return rc;
}

TEST(config_section)
{
    eb_feature_params_t p = {0, 0, 0, 0, 0, 0}, before;
    char err[256];
    CHECK_EQ_INT(config("{\"tenkan\":8,\"rsi\":21}", &p, err), 0);
    CHECK(p.tenkan == 8 && p.rsi == 21 && p.kijun == 26 && p.atr == 14);
    CHECK_EQ_INT(eb_feature_config_read(NULL, &p, err, sizeof err), 0);
    CHECK(p.tenkan == 9);
    before = p;
    CHECK_EQ_INT(config("{\"kijun\":25}", &p, err), -1);
    CHECK_EQ_STR(err, "features.kijun: 25 is not allowed (allowed: 24..28 in steps of 2)");
    CHECK_EQ_INT(config("{\"rsi\":14.5}", &p, err), -1);
    CHECK_EQ_STR(err, "features.rsi: 14.5 is not a whole number");
    CHECK_EQ_INT(config("{\"atr\":\"14\"}", &p, err), -1);
    CHECK_EQ_STR(err, "features.atr: \"14\" is not a whole number");
    CHECK_EQ_INT(config("{\"sma\":20}", &p, err), -1);
    CHECK(strstr(err, "features.sma: unknown key") == err);
    CHECK_EQ_INT(config("[1]", &p, err), -1);
    CHECK(memcmp(&p, &before, sizeof p) == 0); /* refused: nothing changed */
}

int main(void)
{
    RUN(candle_ratios_by_hand);
    RUN(two_bar_patterns_by_hand);
    RUN(three_soldiers_and_crows);
    RUN(flat_market_boundaries);
    RUN(schema_names_params_hash);
    RUN(config_section);
    return eb_check_report();
}
