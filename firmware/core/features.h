/* The 58 model features of SPEC section 4, computed bar by bar from bars <= t in O(1) amortised time per
 * bar (O(log n) for the 252-bar percentiles), in one caller-supplied block of memory sized from the
 * indicator periods. The box, the backtest and training all run this same engine.
 *
 *     size_t n = eb_features_state_size(&p);          // p validated with eb_feature_params_validate
 *     eb_features_t *f = eb_features_init(mem, n, &p); // NULL if mem is too small or p invalid
 *     for each closed bar:  if (eb_features_step(f, &bar, x) == 1) use x[0..57]
 *
 * Definitions, boundary conventions and the schema hash algorithm: docs/features.md. */
#ifndef EB_CORE_FEATURES_H
#define EB_CORE_FEATURES_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

#define EB_FEATURE_COUNT 58
/* Bump when any feature's definition changes: it is part of the schema hash, so old models are refused. */
#define EB_FEATURE_SCHEMA_VERSION 1
/* Window of atr_expanding's max, the atr_pct percentiles and eb_features_atr_mean (SPEC sections 4 and 7). */
#define EB_FEATURES_ATR_HISTORY 252

/* Feature indices, in SPEC order (eb_feature_names[EB_F_X] is the name). */
typedef enum {
    EB_F_PRICE_ABOVE_CLOUD, EB_F_PRICE_BELOW_CLOUD, EB_F_PRICE_INSIDE_CLOUD, EB_F_CLOUD_GREEN,
    EB_F_CLOUD_THICKNESS, EB_F_TENKAN_KIJUN_CROSS, EB_F_PRICE_VS_KIJUN, EB_F_CHIKOU_POSITION,
    EB_F_DIST_PRICE_TO_CLOUD, EB_F_DIST_PRICE_TO_KIJUN, EB_F_KUMO_TWIST,
    EB_F_RSI_OVERBOUGHT, EB_F_RSI_OVERSOLD, EB_F_RSI_BULLISH_DIV, EB_F_RSI_BEARISH_DIV, EB_F_RSI_SLOPE,
    EB_F_RSI_STD, EB_F_RSI_MIDLINE_REJECTION, EB_F_RSI_IN_MOMENTUM_ZONE, EB_F_TIME_IN_EXTREME_ZONE,
    EB_F_ATR_PCT, EB_F_ATR_EXPANDING, EB_F_PRICE_ATR_RATIO, EB_F_ATR_VOLUME, EB_F_COMPRESSION_RATIO,
    EB_F_ATR_REGIME, EB_F_ATR_BREAKOUT, EB_F_IS_LOW_VOLATILITY, EB_F_ATR_TREND,
    EB_F_BODY_SIZE_RATIO, EB_F_UPPER_SHADOW_RATIO, EB_F_LOWER_SHADOW_RATIO, EB_F_HAMMER, EB_F_HANGING_MAN,
    EB_F_ENGULFING_BULLISH, EB_F_PIERCING_PATTERN, EB_F_DISTANCE_TO_MA, EB_F_VOLUME_SPIKE,
    EB_F_UP_TREND_STRENGTH, EB_F_CONSECUTIVE_BODY_GROWTH, EB_F_HIGH_VOLUME_REVERSAL, EB_F_MARUBOZU,
    EB_F_DOJI, EB_F_WICK_DOMINANCE, EB_F_THREE_WHITE_SOLDIERS, EB_F_THREE_BLACK_CROWS,
    EB_F_KUMO_SUPPORT_RSI, EB_F_KUMO_RESISTANCE_RSI, EB_F_ATR_HIGH_RSI_EXTREME, EB_F_KUMO_THICKNESS_ATR,
    EB_F_ATR_BODY_RATIO, EB_F_OVERSOLD_HAMMER, EB_F_KUMO_BREAKOUT_CANDLE, EB_F_RSI_PRICE_DIVERGENCE,
    EB_F_TREND_CONFIRMATION, EB_F_VOLATILITY_SQUEEZE_BREAKOUT, EB_F_DIVERGENCE_IN_CLOUD,
    EB_F_REVERSAL_AT_KIJUN,
    EB_F_COUNT_ /* == EB_FEATURE_COUNT (checked at compile time in features.c) */
} eb_feature_id_t;

/* The names, exactly as SPEC section 4 spells them, in order. */
extern const char *const eb_feature_names[EB_FEATURE_COUNT];

/* Indicator periods from the strategy config (SPEC section 3; defaults 9, 26, 52, 26, 14, 14). */
typedef struct {
    int tenkan, kijun, senkou_b, displacement, rsi, atr;
} eb_feature_params_t;

/* Which parameter is wrong and what is allowed: value not in [min, max] or not min + k*step. */
typedef struct {
    const char *key; /* "tenkan", "kijun", "senkou_b", "displacement", "rsi", "atr" */
    int value, min, max, step;
} eb_feature_param_error_t;

eb_feature_params_t eb_feature_params_default(void);
/* 0 when every period is within its range; else -1 and *err (may be NULL) describes the first bad one. */
int eb_feature_params_validate(const eb_feature_params_t *p, eb_feature_param_error_t *err);

typedef struct eb_features eb_features_t;

/* Bytes eb_features_init needs for these periods (0 when p is invalid). Fixed for the engine's life. */
size_t eb_features_state_size(const eb_feature_params_t *p);
/* Lays the engine out in mem (any alignment); NULL if p is invalid or size < eb_features_state_size(p). */
eb_features_t *eb_features_init(void *mem, size_t size, const eb_feature_params_t *p);
/* Feeds one closed bar. Returns 1 when all 58 features are defined (out filled), 0 while warming up (out
 * left unspecified), -1 when the bar is refused (eb_bar_check fails or open_time_ms does not increase):
 * then the engine is unchanged. Gaps in time are not filled: bars are taken in the order given. */
int eb_features_step(eb_features_t *f, const eb_bar_t *bar, double out[EB_FEATURE_COUNT]);
/* Bars needed before eb_features_step first returns 1 (the ready bar is bar number warmup, 1-based). */
int eb_features_warmup_bars(const eb_feature_params_t *p);

/* What risk management and metrics read after each step (NaN until defined). */
double eb_features_atr(const eb_features_t *f);      /* ATR with the configured period at the last bar */
double eb_features_atr_mean(const eb_features_t *f); /* mean of the last EB_FEATURES_ATR_HISTORY ATRs */
double eb_features_rsi(const eb_features_t *f);      /* RSI with the configured period */
double eb_features_close(const eb_features_t *f);    /* close of the last accepted bar */
long eb_features_bars(const eb_features_t *f);       /* bars accepted so far */

/* Stable 64-bit hash of (schema version, ordered names, parameters); algorithm in docs/features.md. */
uint64_t eb_features_schema_hash(const eb_feature_params_t *p);

#endif
