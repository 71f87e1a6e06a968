#include "tools/edgebox/validate/wf_config.h"
#include "common/errf.h"
#include "common/file_read.h"
#include "common/json_strict.h"


#include "core/feature_schema.h"
#include "core/features.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eb_wf_config_default(eb_wf_config_t *c)
{
    eb_wf_config_t d = {
        .train_months = 12, .valid_months = 3, .step_months = 3,
        .tenkan = {8, 10, 1}, .kijun = {24, 28, 2}, .senkou_b = {48, 56, 4}, .rsi = {7, 28, 7}, .atr = {7, 28, 7},
        .displacement = 26, .trials = 1, .seed = 42,
        .learning_rate = {0.01, 0.3, 1}, .max_leaves = {20, 100, 1}, .min_child_weight = {10, 50, 1},
        .rounds = {50, 500, 1}, .early_stopping = 20, .max_bin = 64,
        .label_method = EB_WF_LABEL_BARRIER, .horizon = 48, .reward = 3.0, .risk = 1.0, .k = 1.0,
        .vol_window = 48, .tune_fraction = 0.2, .embargo_bars = 48, .calibrate = 1, .min_signals = 5,
        .min_trades = 10,
    };
    *c = d;
}

/* A table of keys per JSON object: unknown keys are errors, every value is range-checked. */
typedef enum { K_INT, K_DBL, K_BOOL, K_U64, K_METHOD, K_OBJ } kind_t;
typedef struct spec {
    const char *name;
    kind_t kind;
    size_t off;
    double min, max;
    const struct spec *sub; /* K_OBJ: the object's keys (offsets relative to this one's) */
} spec_t;

#define F(field) offsetof(eb_wf_config_t, field)
#define R(field) offsetof(eb_wf_irange_t, field)
static const spec_t grid_range[] = {{"start", K_INT, R(start), 1, 1000, 0}, {"end", K_INT, R(end), 1, 1000, 0},
                                    {"step", K_INT, R(step), 1, 1000, 0}, {0}};
static const spec_t int_range[] = {{"min", K_INT, R(start), 0, 100000, 0}, {"max", K_INT, R(end), 0, 100000, 0}, {0}};
static const spec_t float_range[] = {{"min", K_DBL, offsetof(eb_wf_frange_t, min), 1e-6, 1, 0},
                                     {"max", K_DBL, offsetof(eb_wf_frange_t, max), 1e-6, 1, 0},
                                     {"log", K_BOOL, offsetof(eb_wf_frange_t, log), 0, 1, 0}, {0}};
static const spec_t grid[] = {
    {"tenkan", K_OBJ, F(tenkan), 0, 0, grid_range},     {"kijun", K_OBJ, F(kijun), 0, 0, grid_range},
    {"senkou_b", K_OBJ, F(senkou_b), 0, 0, grid_range}, {"rsi", K_OBJ, F(rsi), 0, 0, grid_range},
    {"atr", K_OBJ, F(atr), 0, 0, grid_range},           {"displacement", K_INT, F(displacement), 1, 52, 0},
    {0}};
static const spec_t search[] = {
    {"trials", K_INT, F(trials), 1, 1000, 0},
    {"seed", K_U64, F(seed), 0, 0, 0},
    {"learning_rate", K_OBJ, F(learning_rate), 0, 0, float_range},
    {"max_leaves", K_OBJ, F(max_leaves), 0, 0, int_range},
    {"min_child_weight", K_OBJ, F(min_child_weight), 0, 0, int_range},
    {"rounds", K_OBJ, F(rounds), 0, 0, int_range},
    {"early_stopping", K_INT, F(early_stopping), 0, 1000, 0},
    {"max_bin", K_INT, F(max_bin), 16, 1024, 0},
    {0}};
static const spec_t labels[] = {
    {"method", K_METHOD, F(label_method), 0, 0, 0}, {"horizon", K_INT, F(horizon), 1, 10000, 0},
    {"reward", K_DBL, F(reward), 0.01, 100, 0},     {"risk", K_DBL, F(risk), 0.01, 100, 0},
    {"k", K_DBL, F(k), 0.01, 100, 0},               {"vol_window", K_INT, F(vol_window), 2, 10000, 0},
    {0}};
static const spec_t split[] = {{"tune_fraction", K_DBL, F(tune_fraction), 0.05, 0.5, 0},
                               {"embargo_bars", K_INT, F(embargo_bars), 0, 10000, 0},
                               {"allow_embargo_below_horizon", K_BOOL, F(allow_short_embargo), 0, 1, 0}, {0}};
static const spec_t decision[] = {{"calibrate", K_BOOL, F(calibrate), 0, 1, 0},
                                  {"min_signals", K_INT, F(min_signals), 1, 100000, 0}, {0}};
static const spec_t selection[] = {{"min_trades", K_INT, F(min_trades), 0, 100000, 0}, {0}};
static const spec_t root[] = {
    {"train_months", K_INT, F(train_months), 1, 120, 0}, {"valid_months", K_INT, F(valid_months), 1, 120, 0},
    {"step_months", K_INT, F(step_months), 1, 120, 0},   {"grid", K_OBJ, 0, 0, 0, grid},
    {"search", K_OBJ, 0, 0, 0, search},                  {"labels", K_OBJ, 0, 0, 0, labels},
    {"split", K_OBJ, 0, 0, 0, split},                    {"selection", K_OBJ, 0, 0, 0, selection},
    {"decision", K_OBJ, 0, 0, 0, decision},
    {0}};

static int fail(char *err, size_t cap, const char *path, const char *what)
{
    return eb_errf(err, cap, "%s: %s", path, what);
}

static int set_value(const cJSON *it, const spec_t *s, char *base, const char *path, char *err, size_t cap)
{
    if (s->kind == K_BOOL) {
        if (!cJSON_IsBool(it))
            return fail(err, cap, path, "must be true or false");
        *(int *)(base + s->off) = cJSON_IsTrue(it);
        return 0;
    }
    if (s->kind == K_METHOD) {
        const char *m = cJSON_GetStringValue(it);
        int vs = m && strcmp(m, "volscaled") == 0;
        if (!m || (!vs && strcmp(m, "barrier") != 0))
            return fail(err, cap, path, "must be \"barrier\" or \"volscaled\"");
        *(eb_wf_label_method_t *)(base + s->off) = vs ? EB_WF_LABEL_VOLSCALED : EB_WF_LABEL_BARRIER;
        return 0;
    }
    if (s->kind == K_U64) {
        const char *str = cJSON_GetStringValue(it);
        char *end;
        errno = 0;
        unsigned long long u = str ? strtoull(str, &end, 10) : 0;
        if (cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble <= 9007199254740992.0 &&
            it->valuedouble == floor(it->valuedouble))
            u = (unsigned long long)it->valuedouble;
        else if (!str || !*str || *end || errno || *str == '-')
            return fail(err, cap, path, "must be an integer 0..2^64-1 (a string above 2^53)");
        *(uint64_t *)(base + s->off) = u;
        return 0;
    }
    double v = it->valuedouble;
    if (!cJSON_IsNumber(it) || !isfinite(v) || v < s->min || v > s->max || (s->kind == K_INT && v != floor(v))) {
        char what[128];
        snprintf(what, sizeof what, "%.17g is not allowed (allowed: %s%g..%g)", cJSON_IsNumber(it) ? v : NAN,
                 s->kind == K_INT ? "integer " : "", s->min, s->max);
        return fail(err, cap, path, what);
    }
    if (s->kind == K_INT)
        *(int *)(base + s->off) = (int)v;
    else
        *(double *)(base + s->off) = v;
    return 0;
}

static int parse_object(const cJSON *obj, const spec_t *keys, char *base, const char *path, char *err, size_t cap)
{
    if (!cJSON_IsObject(obj))
        return fail(err, cap, path, "must be an object");
    for (const cJSON *it = obj->child; it; it = it->next) {
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%s", path, it->string);
        const spec_t *s = keys;
        while (s->name && strcmp(s->name, it->string) != 0)
            s++;
        if (!s->name) {
            eb_errf(err, cap, "%s: unknown key (allowed:", sub);
            for (s = keys; s->name; s++)
                snprintf(err + strlen(err), cap - strlen(err), " %s", s->name);
            snprintf(err + strlen(err), cap - strlen(err), ")");
            return -1;
        }
        int rc = s->kind == K_OBJ ? parse_object(it, s->sub, base + s->off, sub, err, cap)
                                  : set_value(it, s, base, sub, err, cap);
        if (rc)
            return rc;
    }
    return 0;
}

int eb_wf_irange_count(const eb_wf_irange_t *r)
{
    return r->step >= 1 && r->start <= r->end ? (r->end - r->start) / r->step + 1 : 0;
}

static int check_range(const eb_wf_irange_t *r, const char *name, char *err, size_t cap)
{
    if (r->start > r->end) {
        return eb_errf(err, cap, "walkforward.%s: empty range (start/min %d > end/max %d)", name, r->start, r->end);
    }
    return 0;
}

/* Every combination of the grid must be a valid feature-engine parameter set. */
static int check_grid(const eb_wf_config_t *c, char *err, size_t cap)
{
    const eb_wf_irange_t *rs[] = {&c->tenkan, &c->kijun, &c->senkou_b, &c->rsi, &c->atr};
    const char *names[] = {"grid.tenkan", "grid.kijun", "grid.senkou_b", "grid.rsi", "grid.atr"};
    for (int i = 0; i < 5; i++) {
        if (check_range(rs[i], names[i], err, cap))
            return -1;
        for (int v = rs[i]->start; v <= rs[i]->end; v += rs[i]->step) {
            eb_feature_params_t p = {c->tenkan.start, c->kijun.start, c->senkou_b.start, c->displacement,
                                     c->rsi.start, c->atr.start};
            int *slot[] = {&p.tenkan, &p.kijun, &p.senkou_b, &p.rsi, &p.atr};
            *slot[i] = v;
            eb_feature_param_error_t fe;
            if (eb_feature_params_validate(&p, &fe) != 0) {
                return eb_errf(err, cap, "walkforward.%s: %s %d is not allowed (allowed: %d..%d step %d)", names[i],
                               fe.key, fe.value, fe.min, fe.max, fe.step);
            }
        }
    }
    return 0;
}

static int check_config(const eb_wf_config_t *c, char *err, size_t cap)
{
    if (check_grid(c, err, cap) || check_range(&c->max_leaves, "search.max_leaves", err, cap) ||
        check_range(&c->min_child_weight, "search.min_child_weight", err, cap) ||
        check_range(&c->rounds, "search.rounds", err, cap))
        return -1;
    if (c->learning_rate.min > c->learning_rate.max) {
        return eb_errf(err, cap, "walkforward.search.learning_rate: empty range (min %g > max %g)",
                       c->learning_rate.min, c->learning_rate.max);
    }
    if (c->max_leaves.start < 2 || c->max_leaves.end > 1024 || c->rounds.start < 1 || c->rounds.end > 5000) {
        return eb_errf(err, cap, "walkforward.search: max_leaves must lie in 2..1024 and rounds in 1..5000 "
                       "(have %d..%d, %d..%d)", c->max_leaves.start, c->max_leaves.end, c->rounds.start, c->rounds.end);
    }
    return 0;
}

/* An embargo shorter than the label horizon lets the rows just after a boundary share most of their
 * label path with the rows just before it: refused unless the config says it means it. */
static int check_embargo(const eb_wf_config_t *c, char *err, size_t cap)
{
    if (c->embargo_bars >= c->horizon || c->allow_short_embargo)
        return 0;
    return eb_errf(err, cap, "walkforward.split.embargo_bars: %d is below walkforward.labels.horizon %d: rows after "
                   "a split boundary would share label paths with the rows before it (allowed: >= %d, or set "
                   "walkforward.split.allow_embargo_below_horizon: true)", c->embargo_bars, c->horizon, c->horizon);
}

int eb_wf_config_embargo_warning(const eb_wf_config_t *c, char *out, size_t cap)
{
    if (c->embargo_bars >= c->horizon)
        return 0;
    snprintf(out, cap, "warning: walkforward.split.embargo_bars %d is below walkforward.labels.horizon %d "
             "(allowed by allow_embargo_below_horizon): tune rows just after each split boundary share label "
             "paths with the fit rows before it", c->embargo_bars, c->horizon);
    return 1;
}

int eb_wf_config_parse(const char *json, eb_wf_config_t *out, char *err, size_t cap)
{
    cJSON *doc = eb_json_strict_parse(json, strlen(json), "config", err, cap);
    if (!doc)
        return -1;
    if (!cJSON_IsObject(doc)) {
        eb_errf(err, cap, "config: not a JSON object");
        cJSON_Delete(doc);
        return -1;
    }
    eb_wf_config_t c;
    eb_wf_config_default(&c);
    c.embargo_bars = -1; /* not given: the label horizon, whatever it is */
    const cJSON *wf = cJSON_GetObjectItemCaseSensitive(doc, "walkforward");
    int rc = wf ? parse_object(wf, root, (char *)&c, "walkforward", err, cap) : 0;
    cJSON_Delete(doc);
    if (c.embargo_bars < 0)
        c.embargo_bars = c.horizon;
    if (rc || check_config(&c, err, cap) || check_embargo(&c, err, cap))
        return -1;
    *out = c;
    return 0;
}

int eb_wf_config_load(const char *path, eb_wf_config_t *c, char *err, size_t cap)
{
    char *buf = eb_file_read_all(path, 0, 0, NULL, err, cap);
    if (!buf)
        return -1;
    char inner[400];
    int rc = eb_wf_config_parse(buf, c, inner, sizeof inner);
    free(buf);
    if (rc)
        eb_errf(err, cap, "%s: %s", path, inner);
    else if (eb_wf_config_embargo_warning(c, inner, sizeof inner))
        fprintf(stderr, "<4>%s: %s\n", path, inner);
    return rc;
}

int eb_wf_config_format(const eb_wf_config_t *c, char *out, size_t cap)
{
    return snprintf(out, cap,
                    "months %d/%d/%d grid %d..%d/%d %d..%d/%d %d..%d/%d %d..%d/%d %d..%d/%d d%d "
                    "search %d %llu lr %.17g..%.17g log%d leaves %d..%d mcw %d..%d rounds %d..%d es %d bins %d "
                    "labels %d h%d %.17g %.17g k%.17g vw%d split %.17g emb %d cal %d ms %d sel %d",
                    c->train_months, c->valid_months, c->step_months, c->tenkan.start, c->tenkan.end,
                    c->tenkan.step, c->kijun.start, c->kijun.end, c->kijun.step, c->senkou_b.start,
                    c->senkou_b.end, c->senkou_b.step, c->rsi.start, c->rsi.end, c->rsi.step, c->atr.start,
                    c->atr.end, c->atr.step, c->displacement, c->trials, (unsigned long long)c->seed,
                    c->learning_rate.min, c->learning_rate.max, c->learning_rate.log, c->max_leaves.start,
                    c->max_leaves.end, c->min_child_weight.start, c->min_child_weight.end, c->rounds.start,
                    c->rounds.end, c->early_stopping, c->max_bin, (int)c->label_method, c->horizon, c->reward,
                    c->risk, c->k, c->vol_window, c->tune_fraction, c->embargo_bars, c->calibrate, c->min_signals, c->min_trades);
}

uint64_t eb_wf_config_hash(const eb_wf_config_t *c)
{
    char text[1024];
    int n = eb_wf_config_format(c, text, sizeof text);
    return eb_fnv1a64(EB_FNV1A64_OFFSET, text, (size_t)n);
}
