/* Table-driven: one row per key with its type, default (set by eb_config_default), range and place. */
#include "app/config.h"

#include "common/errf.h"
#include "common/json_strict.h"

#include "app/feature_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { K_NUM, K_INT, K_BOOL, K_NUM_OR_NULL, K_SIZING, K_VENUE, K_SYMBOL, K_INTERVAL } kind_t;

typedef struct {
    const char *section, *key;
    kind_t kind;
    double min, max;
    size_t off; /* offset in eb_config_t */
} cfg_key_t;

#define O(field) offsetof(eb_config_t, field)
#define E(field) offsetof(eb_config_t, pipeline.engine.field)

static const cfg_key_t keys[] = {
    {"signal", "threshold_buy", K_NUM_OR_NULL, 0, 1, O(threshold_buy)},
    {"signal", "threshold_sell", K_NUM_OR_NULL, 0, 1, O(threshold_sell)},
    {"risk", "master_switch", K_BOOL, 0, 1, E(master_switch)},
    {"risk", "risk_per_trade", K_NUM, 0.001, 0.05, E(sizing.risk_per_trade)},
    {"risk", "risk_exposition", K_NUM, 0.001, 0.25, E(risk_exposition)},
    {"risk", "min_multiplier", K_NUM, 0.1, 10, E(min_multiplier)},
    {"risk", "max_multiplier", K_NUM, 0.1, 10, E(max_multiplier)},
    {"risk", "historical_atr_window", K_INT, 20, EB_PIPELINE_MAX_ATR_WINDOW, O(pipeline.atr_window)},
    {"risk", "sizing", K_SIZING, 0, 0, E(sizing.method)},
    {"risk", "fixed_fraction", K_NUM, 0.001, 1, E(sizing.fixed_fraction)},
    {"risk", "volatility_target", K_NUM, 0.0001, 0.05, E(sizing.volatility_target)},
    {"risk", "kelly_win_rate", K_NUM, 0.01, 0.99, E(sizing.kelly_win_rate)},
    {"risk", "kelly_payoff", K_NUM, 0.1, 100, E(sizing.kelly_payoff)},
    {"risk", "max_open_positions", K_INT, 1, EB_ENGINE_MAX_POSITIONS, E(max_open_positions)},
    {"risk", "partial_exit", K_BOOL, 0, 1, E(partial_exit)},
    {"risk", "partial_exit_r", K_NUM, 0.5, 10, E(partial_exit_r)},
    {"risk", "partial_exit_fraction", K_NUM, 0.05, 0.95, E(partial_exit_fraction)},
    {"breakers", "daily", K_NUM, 0.005, 0.5, E(breakers.limit[0])},
    {"breakers", "weekly", K_NUM, 0.005, 0.5, E(breakers.limit[1])},
    {"breakers", "monthly", K_NUM, 0.005, 0.9, E(breakers.limit[2])},
    {"breakers", "auto_reset_threshold", K_NUM, 0.05, 0.95, E(breakers.auto_reset)},
    {"breakers", "breakeven_alert_threshold", K_NUM, 0.05, 1, E(breakers.breakeven_alert)},
    {"limits", "max_trades_per_day", K_INT, 1, 1000, E(limits.max_trades_per_day)},
    {"limits", "min_seconds_between_trades", K_INT, 0, 86400, E(limits.min_seconds_between_trades)},
    {"limits", "min_confidence", K_NUM, 0, 1, E(limits.min_confidence)},
    {"limits", "max_daily_loss", K_NUM, 0, 1e12, E(limits.max_daily_loss)},
    {"limits", "max_position_pct", K_NUM, 0.01, 1, E(limits.max_position_pct)},
    /* The fill rule's costs (core/fill.h, which also checks these ranges), in basis points. */
    {"costs", "taker_fee_bps", K_NUM, 0, 100, E(costs.fee_bps)},
    {"costs", "maker_fee_bps", K_NUM, 0, 100, O(maker_fee_bps)},
    {"costs", "slippage_bps", K_NUM, 0, 500, E(costs.slippage_bps)},
    {"costs", "stop_extreme_fraction", K_NUM, 0, 1, E(costs.stop_extreme_fraction)},
    {"costs", "entry_gap_bps", K_NUM, 0, 1000, E(costs.entry_gap_bps)},
    {"venue", "type", K_VENUE, 0, 0, O(futures)},
    {"venue", "symbol", K_SYMBOL, 0, 0, O(symbol)},
    {"venue", "lot_step", K_NUM, 1e-12, 1e6, E(venue.lot_step)},
    {"venue", "min_notional", K_NUM, 0, 1e9, E(venue.min_notional)},
    {"venue", "leverage", K_NUM, 1, 20, E(venue.leverage)},
    {"backtest", "initial_capital", K_NUM, 1, 1e12, E(initial_capital)},
    {"backtest", "bar_interval_ms", K_INTERVAL, 60000, 604800000, O(bar_interval_ms)},
    {"backtest", "flatten_at_end", K_BOOL, 0, 1, O(flatten_at_end)},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static const char *const own_sections[] = {"features", "signal", "risk", "breakers", "limits", "costs", "venue",
                                           "backtest"};
/* Read by the daemon (appliance, exchange, http, notify, lifecycle) and the host tool (walkforward). */
static const char *const daemon_sections[] = {"appliance", "exchange", "http", "notify", "lifecycle", "walkforward"};

void eb_config_default(eb_config_t *c)
{
    memset(c, 0, sizeof *c);
    eb_engine_config_default(&c->pipeline.engine);
    c->pipeline.features = eb_feature_params_default();
    c->pipeline.atr_window = 252;
    c->threshold_buy = c->threshold_sell = NAN;
    c->maker_fee_bps = 5;
    memcpy(c->symbol, "BTCUSDT", 8);
    c->flatten_at_end = 1;
}

static void value_text(const cJSON *v, char *buf, size_t cap)
{
    char *t = cJSON_PrintUnformatted(v);
    snprintf(buf, cap, "%s", t ? t : "?");
    cJSON_free(t);
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static int name_ok(const char *s, size_t max, int upper_only)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 (!upper_only && ((ch >= 'a' && ch <= 'z') || ch == '_' || ch == '-'));
        if (!ok)
            return 0;
    }
    return n >= 1 && n <= max;
}

/* The field a key writes, at its offset in the config (cfg_key_t.off). */
static void *field(eb_config_t *c, const cfg_key_t *k)
{
    return (char *)c + k->off;
}

static int set_number(const cfg_key_t *k, const cJSON *v, eb_config_t *c, const char *vt, char *err, size_t cap)
{
    double x = v->valuedouble;
    if (k->kind == K_INT || k->kind == K_INTERVAL) {
        if (x != floor(x)) {
            return eb_errf(err, cap, "%s.%s: %s is not a whole number", k->section, k->key, vt);
        }
        if (k->kind == K_INTERVAL && x == 0) {
            *(int64_t *)field(c, k) = 0;
            return 0;
        }
    }
    if (!(x >= k->min && x <= k->max)) {
        return eb_errf(err, cap, "%s.%s: %s is outside the allowed range %s%.15g..%.15g", k->section, k->key, vt,
                       k->kind == K_INTERVAL ? "0 (inferred) or " : "", k->min, k->max);
    }
    if (k->kind == K_INT)
        *(int *)field(c, k) = (int)x;
    else if (k->kind == K_INTERVAL)
        *(int64_t *)field(c, k) = (int64_t)x;
    else
        *(double *)field(c, k) = x;
    return 0;
}

static int set_string(const cfg_key_t *k, const cJSON *v, eb_config_t *c, const char *vt, char *err, size_t cap)
{
    const char *s = v->valuestring;
    void *dst = field(c, k);
    if (k->kind == K_SIZING) {
        if (eb_sizing_method_from_name(s, (eb_sizing_method_t *)dst) == 0)
            return 0;
        return eb_errf(err, cap, "%s.%s: %s is not allowed (allowed: fixed_risk, fixed_fraction, volatility_target, "
                       "kelly)",
                       k->section, k->key, vt);
    }
    if (k->kind == K_VENUE) {
        if (strcmp(s, "spot") == 0 || strcmp(s, "futures") == 0) {
            *(int *)dst = strcmp(s, "futures") == 0;
            return 0;
        }
        return eb_errf(err, cap, "%s.%s: %s is not allowed (allowed: spot, futures)", k->section, k->key, vt);
    }
    if (!name_ok(s, sizeof c->symbol - 1, 1)) {
        return eb_errf(err, cap, "%s.%s: %s is not allowed (allowed: 1..23 characters A-Z "
                       "0-9)", k->section, k->key, vt);
    }
    snprintf(c->symbol, sizeof c->symbol, "%s", s);
    return 0;
}

static int set_key(const cfg_key_t *k, const cJSON *v, eb_config_t *c, char *err, size_t cap)
{
    char vt[96];
    value_text(v, vt, sizeof vt);
    int is_str = k->kind == K_SIZING || k->kind == K_VENUE || k->kind == K_SYMBOL;
    if (k->kind == K_BOOL) {
        if (!cJSON_IsBool(v)) {
            return eb_errf(err, cap, "%s.%s: %s is not allowed (allowed: true or false)", k->section, k->key, vt);
        }
        *(int *)field(c, k) = cJSON_IsTrue(v);
        return 0;
    }
    if (k->kind == K_NUM_OR_NULL && cJSON_IsNull(v)) {
        *(double *)field(c, k) = NAN;
        return 0;
    }
    if (is_str ? !cJSON_IsString(v) : !cJSON_IsNumber(v)) {
        return eb_errf(err, cap, "%s.%s: %s is not a %s", k->section, k->key, vt, is_str ? "string" : "number");
    }
    return is_str ? set_string(k, v, c, vt, err, cap) : set_number(k, v, c, vt, err, cap);
}

static void known_keys(const char *section, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NKEYS && used + 1 < cap; i++)
        if (strcmp(keys[i].section, section) == 0)
            used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", keys[i].key);
}

static int parse_section(const char *name, const cJSON *obj, eb_config_t *c, char *err, size_t cap)
{
    if (!cJSON_IsObject(obj)) {
        return eb_errf(err, cap, "%s: must be an object", name);
    }
    for (const cJSON *v = obj->child; v; v = v->next) {
        const cfg_key_t *k = NULL;
        for (size_t i = 0; i < NKEYS && !k; i++)
            if (strcmp(keys[i].section, name) == 0 && strcmp(keys[i].key, v->string) == 0)
                k = &keys[i];
        if (!k) {
            char known[512];
            known_keys(name, known, sizeof known);
            return eb_errf(err, cap, "%s.%s: unknown key (known: %s)", name, v->string, known);
        }
        if (set_key(k, v, c, err, cap) != 0)
            return -1;
    }
    return 0;
}

static int parse_top(const cJSON *v, eb_config_t *c, char *err, size_t cap)
{
    if (strcmp(v->string, "strategy") == 0) {
        char vt[96];
        value_text(v, vt, sizeof vt);
        if (!cJSON_IsString(v) || !name_ok(v->valuestring, EB_ORDER_ID_STRATEGY_MAX, 0)) {
            return eb_errf(err, cap, "strategy: %s is not allowed (allowed: 1..14 characters A-Z a-z 0-9 _ -)", vt);
        }
        snprintf(c->pipeline.engine.strategy, sizeof c->pipeline.engine.strategy, "%s", v->valuestring);
        return 0;
    }
    if (strcmp(v->string, "features") == 0)
        return eb_feature_config_read(v, &c->pipeline.features, err, cap);
    if (in_list(v->string, daemon_sections, sizeof daemon_sections / sizeof daemon_sections[0]))
        return 0;
    if (in_list(v->string, own_sections, sizeof own_sections / sizeof own_sections[0]))
        return parse_section(v->string, v, c, err, cap);
    return eb_errf(err, cap, "%s: unknown section (known: strategy, features, signal, risk, breakers, limits, costs, "
                   "venue, "
                             "backtest, appliance, exchange, http, notify, lifecycle, walkforward)", v->string);
}

/* Rules between keys, after every key is in range. */
static int cross_checks(eb_config_t *c, char *err, size_t cap)
{
    eb_engine_config_t *e = &c->pipeline.engine;
    if (e->max_multiplier < e->min_multiplier) {
        return eb_errf(err, cap, "risk.max_multiplier: %.15g is below risk.min_multiplier %.15g (allowed: >= it)",
                       e->max_multiplier, e->min_multiplier);
    }
    if (!c->futures && e->venue.leverage != 1) {
        eb_errf(err, cap, "venue.leverage: %.15g is not allowed on spot (allowed: 1; futures: "
                "1..20)", e->venue.leverage);
        return -1;
    }
    e->allow_short = c->futures;
    e->sizing.max_position_pct = e->limits.max_position_pct;
    return 0;
}

int eb_config_parse(const cJSON *root, eb_config_t *out, char *err, size_t cap)
{
    if (!cJSON_IsObject(root)) {
        return eb_errf(err, cap, "config: must be a JSON object");
    }
    eb_config_t c = *out;
    for (const cJSON *v = root->child; v; v = v->next)
        if (parse_top(v, &c, err, cap) != 0)
            return -1;
    if (cross_checks(&c, err, cap) != 0)
        return -1;
    *out = c;
    return 0;
}

/* name: the file for messages; its text is len bytes (a NUL inside is refused, not an end). */
static int parse_named(const char *text, size_t len, const char *name, eb_config_t *c, char *err, size_t cap)
{
    cJSON *root = eb_json_strict_parse(text, len, name, err, cap);
    if (!root)
        return -1;
    char sub[512];
    int rc = eb_config_parse(root, c, sub, sizeof sub);
    if (rc != 0)
        eb_errf(err, cap, "%s: %s", name, sub);
    cJSON_Delete(root);
    return rc;
}

int eb_config_parse_text(const char *text, eb_config_t *c, char *err, size_t cap)
{
    cJSON *root = eb_json_strict_parse(text, strlen(text), "config", err, cap);
    if (!root)
        return -1;
    int rc = eb_config_parse(root, c, err, cap);
    cJSON_Delete(root);
    return rc;
}

int eb_config_load(const char *path, eb_config_t *c, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return eb_errf(err, cap, "%s: %s", path, strerror(errno));
    }
    enum { MAX = 256 * 1024 };
    char *buf = malloc(MAX + 1);
    size_t n = buf ? fread(buf, 1, MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n > MAX) {
        eb_errf(err, cap, "%s: %s", path, buf ? "larger than 256 KiB" : "out of memory");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    int rc = parse_named(buf, n, path, c, err, cap);
    free(buf);
    return rc;
}

void eb_config_apply_signal(const eb_config_t *c, eb_signal_params_t *s)
{
    if (!isnan(c->threshold_buy))
        s->threshold_buy = c->threshold_buy;
    if (!isnan(c->threshold_sell))
        s->threshold_sell = c->threshold_sell;
}
