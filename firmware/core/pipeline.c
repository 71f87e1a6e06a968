#include "core/pipeline.h"

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

static size_t head_size(void) { return (sizeof(eb_pipeline_t) + 7u) & ~(size_t)7u; }

static int window_ok(int w) { return w >= 20 && w <= EB_PIPELINE_MAX_ATR_WINDOW; }

size_t eb_pipeline_size(const eb_pipeline_config_t *c)
{
    if (!c || !window_ok(c->atr_window))
        return 0;
    int with_features = c->model || c->with_features;
    size_t f = with_features ? eb_features_state_size(&c->features) : 0;
    if (with_features && f == 0)
        return 0;
    return head_size() + f;
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
    if (c->model || c->with_features)
        p->features = eb_features_init((char *)mem + head_size(), size - head_size(), &c->features);
    *out = p;
    return EB_PIPELINE_OK;
}

eb_pipeline_status_t eb_pipeline_set_model(eb_pipeline_t *p, const eb_model_t *m)
{
    if (!p || (m && !p->features))
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
    static const char *const names[] = {"ok", "bad argument", "invalid feature parameters", "invalid engine config",
                                        "model schema hash differs from the configured features",
                                        "model is not a 58-feature 3-class softprob model"};
    return (int)s >= 0 && (size_t)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
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

int eb_pipeline_step(eb_pipeline_t *p, const eb_bar_t *bar, int direction, eb_intent_t *out, int cap)
{
    if (!p || !bar || cap < EB_ENGINE_MAX_INTENTS)
        return -1;
    /* Refuse before any state moves, so a bad bar changes nothing anywhere. */
    if (eb_bar_check(bar) != EB_BAR_OK || (p->engine.has_bar && bar->open_time_ms <= p->engine.last_time_ms)) {
        p->engine.n.bad_bars++;
        return -1;
    }
    eb_engine_input_t in = {.direction = direction};
    int features_ready = 1;
    if (p->features)
        features_ready = p->features_ready = eb_features_step(p->features, bar, p->x) == 1;
    if (p->model) {
        if (features_ready) {
            eb_model_predict(p->model, p->x, p->probs);
            eb_model_calibrate(p->model, p->probs, p->probs);
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
