#include "core/pipeline.h"

#include "core/name_table.h"

#include <math.h>
#include <string.h>

static int model_shape_ok(const eb_model_t *m)
{
    return eb_model_num_features(m) == EB_FEATURE_COUNT && eb_model_num_classes(m) == 3 &&
           eb_model_objective(m) == EB_MODEL_OBJ_SOFTPROB;
}

static eb_pipeline_status_t check_model(const eb_model_t *m, uint64_t schema_hash)
{
    if (!model_shape_ok(m))
        return EB_PIPELINE_E_MODEL_SHAPE;
    if (eb_model_schema_hash(m) != schema_hash)
        return EB_PIPELINE_E_SCHEMA;
    return EB_PIPELINE_OK;
}

/* Prefetched bars (eb_pipeline_prefetch): entries [head, n) wait for their steps. */
struct eb_pipeline_ahead {
    int head, n;
    struct {
        const eb_bar_t *bar;
        int refused, ready; /* the step refuses it / its features are defined */
    } e[EB_PIPELINE_AHEAD];
    double x[EB_PIPELINE_AHEAD][EB_FEATURE_COUNT]; /* entry i's features (as the step would write them) */
    double probs[EB_PIPELINE_AHEAD][3];            /* and its calibrated outputs, when ready */
};

static size_t head_size(void) { return (sizeof(eb_pipeline_t) + 7u) & ~(size_t)7u; }
static size_t ahead_size(const eb_pipeline_config_t *c)
{
    return c->ahead ? (sizeof(struct eb_pipeline_ahead) + 7u) & ~(size_t)7u : 0;
}

static int window_ok(int w) { return w >= 20 && w <= EB_PIPELINE_MAX_ATR_WINDOW; }

size_t eb_pipeline_size(const eb_pipeline_config_t *c)
{
    if (!c || !window_ok(c->atr_window))
        return 0;
    int with_features = c->model || c->with_features;
    size_t f = with_features ? eb_features_state_size(&c->features) : 0;
    if (with_features && f == 0)
        return 0;
    return head_size() + ahead_size(c) + f;
}

eb_pipeline_status_t eb_pipeline_init(void *mem, size_t size, const eb_pipeline_config_t *c, eb_pipeline_t **out)
{
    if (!mem || !c || !out || ((uintptr_t)mem & 7u) || !window_ok(c->atr_window))
        return EB_PIPELINE_E_ARG;
    if (eb_feature_params_validate(&c->features, NULL) != 0)
        return EB_PIPELINE_E_FEATURES;
    uint64_t hash = eb_features_schema_hash(&c->features);
    eb_pipeline_status_t st = c->model ? check_model(c->model, hash) : EB_PIPELINE_OK;
    if (st != EB_PIPELINE_OK)
        return st;
    if (size < eb_pipeline_size(c) || eb_atr_size(c->features.atr) > sizeof(eb_atr_t))
        return EB_PIPELINE_E_ARG;
    eb_pipeline_t *p = mem;
    memset(p, 0, sizeof *p);
    if (eb_engine_init(&p->engine, &c->engine) != 0)
        return EB_PIPELINE_E_ENGINE;
    if (c->model)
        eb_signal_params_from_model(&p->engine.cfg.signal, c->model);
    eb_atr_init(&p->atr, c->features.atr);
    p->atr_window = c->atr_window;
    p->atr_now = NAN;
    p->model = c->model;
    p->params = c->features;
    p->schema_hash = hash;
    size_t at = head_size() + ahead_size(c);
    p->ahead = c->ahead ? (struct eb_pipeline_ahead *)(void *)((char *)mem + head_size()) : NULL;
    if (p->ahead) /* zeroed once: refused entries' rows are walked too (never read), so never undefined */
        memset(p->ahead, 0, sizeof *p->ahead);
    if (c->model || c->with_features)
        p->features = eb_features_init((char *)mem + at, size - at, &c->features);
    *out = p;
    return EB_PIPELINE_OK;
}

eb_pipeline_status_t eb_pipeline_set_model(eb_pipeline_t *p, const eb_model_t *m)
{
    if (!p || (m && !p->features) || (p->ahead && p->ahead->head < p->ahead->n))
        return EB_PIPELINE_E_ARG;
    eb_pipeline_status_t st = m ? check_model(m, p->schema_hash) : EB_PIPELINE_OK;
    if (st != EB_PIPELINE_OK)
        return st;
    p->model = m;
    if (m)
        eb_signal_params_from_model(&p->engine.cfg.signal, m);
    return EB_PIPELINE_OK;
}

const char *eb_pipeline_status_name(eb_pipeline_status_t s)
{
    static const char *const names[] = {
        [EB_PIPELINE_OK] = "ok",
        [EB_PIPELINE_E_ARG] = "bad argument",
        [EB_PIPELINE_E_FEATURES] = "invalid feature parameters",
        [EB_PIPELINE_E_ENGINE] = "invalid engine config",
        [EB_PIPELINE_E_SCHEMA] = "model schema hash differs from the configured features",
        [EB_PIPELINE_E_MODEL_SHAPE] = "model is not a 58-feature 3-class softprob model",
    };
    _Static_assert(sizeof names / sizeof names[0] == EB_PIPELINE_E_MODEL_SHAPE + 1, "a name for every status");
    return EB_NAME_OR(names, s, "unknown");
}

/* Rolling mean of the ATR over the window: a running sum, re-added exactly once per window so rounding
 * cannot drift over millions of bars (O(1) amortised). */
static void track_atr(eb_pipeline_t *p, const eb_bar_t *bar)
{
    double a = eb_atr_step(&p->atr, bar->high, bar->low, bar->close);
    p->atr_now = a;
    if (isnan(a))
        return;
    if (p->atr_count == p->atr_window)
        p->atr_sum -= p->atr_hist[p->atr_pos];
    else
        p->atr_count++;
    p->atr_hist[p->atr_pos] = a;
    p->atr_sum += a;
    if (++p->atr_pos == p->atr_window) {
        p->atr_pos = 0;
        double s = 0;
        for (int i = 0; i < p->atr_count; i++)
            s += p->atr_hist[i];
        p->atr_sum = s;
    }
}

double eb_pipeline_atr(const eb_pipeline_t *p) { return p->atr_now; }

double eb_pipeline_atr_mean(const eb_pipeline_t *p)
{
    return p->atr_count == p->atr_window ? p->atr_sum / p->atr_window : NAN;
}

/* The step's refusal rule: a bar that fails its checks or does not come after the last accepted one. */
static int refused(const eb_bar_t *bar, int has_last, int64_t last_ms)
{
    return eb_bar_check(bar) != EB_BAR_OK || (has_last && bar->open_time_ms <= last_ms);
}

int eb_pipeline_prefetch(eb_pipeline_t *p, const eb_bar_t *bars, int n)
{
    struct eb_pipeline_ahead *a = p ? p->ahead : NULL;
    if (!a || !bars || n < 1 || n > EB_PIPELINE_AHEAD || a->head < a->n)
        return -1;
    if (!p->model)
        return 0;
    int has_last = p->engine.has_bar;
    int64_t last = p->engine.last_time_ms;
    for (int i = 0; i < n; i++) {
        a->e[i].bar = &bars[i];
        a->e[i].refused = refused(&bars[i], has_last, last);
        a->e[i].ready = 0;
        if (a->e[i].refused)
            continue;
        has_last = 1;
        last = bars[i].open_time_ms;
        a->e[i].ready = eb_features_step(p->features, &bars[i], a->x[i]) == 1;
    }
    /* One batch through the model; only the ready entries' outputs are used (the others are warm-up
     * bars, walked for nothing, or refused ones). */
    eb_model_predict_rows(p->model, &a->x[0][0], EB_FEATURE_COUNT, (size_t)n, &a->probs[0][0]);
    for (int i = 0; i < n; i++)
        if (a->e[i].ready)
            eb_model_calibrate(p->model, a->probs[i], a->probs[i]);
    a->head = 0;
    a->n = n;
    return n;
}

enum { PRE_NONE = 0, PRE_TAKEN = 1, PRE_REFUSED = 2, PRE_WRONG_BAR = -1 };

/* The features and model outputs for this bar: prefetched (PRE_TAKEN; PRE_REFUSED when the prefetch
 * found the step must refuse it, so the rule is not run twice), PRE_WRONG_BAR when another bar waits, or
 * PRE_NONE: computed now. */
static int take_prefetched(eb_pipeline_t *p, const eb_bar_t *bar, int *features_ready)
{
    struct eb_pipeline_ahead *a = p->ahead;
    if (!a || a->head >= a->n)
        return PRE_NONE;
    if (a->e[a->head].bar != bar)
        return PRE_WRONG_BAR;
    int i = a->head++;
    if (a->e[i].refused) /* a refused bar changes nothing */
        return PRE_REFUSED;
    *features_ready = a->e[i].ready;
    memcpy(p->x, a->x[i], sizeof p->x);
    if (a->e[i].ready)
        memcpy(p->probs, a->probs[i], 3 * sizeof p->probs[0]);
    p->features_ready = a->e[i].ready;
    return PRE_TAKEN;
}

int eb_pipeline_step(eb_pipeline_t *p, const eb_bar_t *bar, int direction, eb_intent_t *out, int cap)
{
    if (!p || !bar || !out || cap < EB_ENGINE_MAX_INTENTS)
        return -1;
    int features_ready = 1, pre = take_prefetched(p, bar, &features_ready);
    if (pre == PRE_WRONG_BAR)
        return -1;
    /* Refuse before any state moves, so a bad bar changes nothing anywhere. */
    if (pre == PRE_REFUSED || (pre == PRE_NONE && refused(bar, p->engine.has_bar, p->engine.last_time_ms))) {
        p->engine.n.bad_bars++;
        return -1;
    }
    eb_engine_input_t in = {.direction = direction};
    if (p->features && pre == PRE_NONE)
        features_ready = p->features_ready = eb_features_step(p->features, bar, p->x) == 1;
    if (p->model) {
        if (features_ready) {
            if (pre == PRE_NONE) {
                eb_model_predict(p->model, p->x, p->probs);
                eb_model_calibrate(p->model, p->probs, p->probs);
            }
            in.probs = p->probs;
            in.nprobs = 3;
        } else {
            in.direction = 0; /* no model output yet: no signal */
        }
    }
    track_atr(p, bar);
    in.atr = p->atr_now;
    in.atr_mean = eb_pipeline_atr_mean(p);
    in.ready = features_ready && !isnan(in.atr_mean);
    p->ready = in.ready;
    return eb_engine_step(&p->engine, bar, &in, out, cap);
}
