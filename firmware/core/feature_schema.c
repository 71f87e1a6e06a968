#include "core/feature_schema.h"

#include <string.h>

const char *const eb_feature_names[EB_FEATURE_COUNT] = {
    "price_above_cloud", "price_below_cloud", "price_inside_cloud", "cloud_green", "cloud_thickness",
    "tenkan_kijun_cross", "price_vs_kijun", "chikou_position", "dist_price_to_cloud", "dist_price_to_kijun",
    "kumo_twist",
    "rsi_overbought", "rsi_oversold", "rsi_bullish_div", "rsi_bearish_div", "rsi_slope", "rsi_std",
    "rsi_midline_rejection", "rsi_in_momentum_zone", "time_in_extreme_zone",
    "atr_pct", "atr_expanding", "price_atr_ratio", "atr_volume", "compression_ratio", "atr_regime",
    "atr_breakout", "is_low_volatility", "atr_trend",
    "body_size_ratio", "upper_shadow_ratio", "lower_shadow_ratio", "hammer", "hanging_man",
    "engulfing_bullish", "piercing_pattern", "distance_to_ma", "volume_spike", "up_trend_strength",
    "consecutive_body_growth", "high_volume_reversal", "marubozu", "doji", "wick_dominance",
    "three_white_soldiers", "three_black_crows",
    "kumo_support_rsi", "kumo_resistance_rsi", "atr_high_rsi_extreme", "kumo_thickness_atr",
    "atr_body_ratio", "oversold_hammer", "kumo_breakout_candle", "rsi_price_divergence",
    "trend_confirmation", "volatility_squeeze_breakout", "divergence_in_cloud", "reversal_at_kijun",
};

_Static_assert(EB_F_COUNT_ == EB_FEATURE_COUNT, "feature ids and EB_FEATURE_COUNT disagree");

/* SPEC section 3's search ranges; displacement has none there: 26 by default, 1..52 allowed (our choice,
 * up to twice the classic value). */
const eb_feature_param_range_t eb_feature_param_ranges[EB_FEATURE_PARAM_COUNT] = {
    {"tenkan", 8, 10, 1, 9},          {"kijun", 24, 28, 2, 26}, {"senkou_b", 48, 56, 4, 52},
    {"displacement", 1, 52, 1, 26},   {"rsi", 7, 28, 7, 14},    {"atr", 7, 28, 7, 14},
};

int eb_feature_param_get(const eb_feature_params_t *p, int i)
{
    switch (i) {
    case 0: return p->tenkan;
    case 1: return p->kijun;
    case 2: return p->senkou_b;
    case 3: return p->displacement;
    case 4: return p->rsi;
    default: return p->atr;
    }
}

eb_feature_params_t eb_feature_params_default(void)
{
    eb_feature_params_t p = {9, 26, 52, 26, 14, 14};
    return p;
}

int eb_feature_params_validate(const eb_feature_params_t *p, eb_feature_param_error_t *err)
{
    for (int i = 0; i < EB_FEATURE_PARAM_COUNT; i++) {
        const eb_feature_param_range_t *r = &eb_feature_param_ranges[i];
        int v = eb_feature_param_get(p, i);
        if (v < r->min || v > r->max || (v - r->min) % r->step != 0) {
            if (err) {
                err->key = r->key;
                err->value = v;
                err->min = r->min;
                err->max = r->max;
                err->step = r->step;
            }
            return -1;
        }
    }
    return 0;
}

uint64_t eb_fnv1a64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *s = data;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Appends to a bounded buffer, counting what would have been written. */
typedef struct {
    char *buf;
    size_t cap, len;
} text_t;

static void put(text_t *t, const char *s)
{
    for (; *s; s++, t->len++)
        if (t->len + 1 < t->cap)
            t->buf[t->len] = *s;
}

static void put_int(text_t *t, int v)
{
    char d[16];
    int i = (int)sizeof d - 1;
    unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    d[i] = 0;
    do {
        d[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        d[--i] = '-';
    put(t, d + i);
}

size_t eb_feature_schema_text(const eb_feature_params_t *p, char *buf, size_t cap)
{
    text_t t = {buf, cap, 0};
    put(&t, "edgebox-features\nversion=");
    put_int(&t, EB_FEATURE_SCHEMA_VERSION);
    put(&t, "\n");
    for (int i = 0; i < EB_FEATURE_COUNT; i++) {
        put(&t, eb_feature_names[i]);
        put(&t, "\n");
    }
    for (int i = 0; i < EB_FEATURE_PARAM_COUNT; i++) {
        put(&t, eb_feature_param_ranges[i].key);
        put(&t, "=");
        put_int(&t, eb_feature_param_get(p, i));
        put(&t, "\n");
    }
    if (cap > 0)
        buf[t.len < cap ? t.len : cap - 1] = 0;
    return t.len;
}

uint64_t eb_features_schema_hash(const eb_feature_params_t *p)
{
    char text[2048];
    size_t n = eb_feature_schema_text(p, text, sizeof text);
    return eb_fnv1a64(EB_FNV1A64_OFFSET, text, n < sizeof text ? n : sizeof text - 1);
}

int eb_features_warmup_bars(const eb_feature_params_t *p)
{
    if (eb_feature_params_validate(p, NULL) != 0)
        return -1;
    /* 0-based index of the first bar at which each group is defined (docs/features.md). */
    int atr = p->atr + EB_FEATURES_ATR_HISTORY - 1 + 4; /* 252 atr_pct values, then 5 is_low_volatility */
    int cloud = p->senkou_b + p->displacement;          /* the cloud at t-1 for kumo_twist */
    int rsi = p->rsi + 19;                              /* RSI over 20 bars for the divergences */
    int last = atr;
    if (cloud > last)
        last = cloud;
    if (rsi > last)
        last = rsi;
    if (p->kijun > last)
        last = p->kijun;
    if (24 > last)
        last = 24; /* MA20[t-5] */
    return last + 1;
}
