/* The whole per-bar path of DESIGN.md: bar -> features -> model -> signal -> risk & positions -> intents,
 * in one caller-supplied block of memory. Without a model it runs model-free on a signal the caller gives
 * per bar (backtests of fixed or random signals, benchmarks); the features are then computed only when
 * asked for (with_features: the daemon keeps them warm for a model that arrives later).
 * The ATR the risk rules use, and its mean over historical_atr_window bars, come from a small tracker of
 * its own (the same Wilder ATR as the features, so both modes size alike). */
#ifndef EB_CORE_PIPELINE_H
#define EB_CORE_PIPELINE_H

#include "core/engine.h"
#include "core/features.h"
#include "core/ind_atr.h"
#include "core/model.h"

#include <stddef.h>
#include <stdint.h>

#define EB_PIPELINE_MAX_ATR_WINDOW 2000
#define EB_PIPELINE_AHEAD 64 /* bars one eb_pipeline_prefetch takes at most */

typedef struct {
    eb_engine_config_t engine;
    eb_feature_params_t features;
    int atr_window;           /* historical_atr_window: 252 by default, 20..EB_PIPELINE_MAX_ATR_WINDOW */
    const eb_model_t *model;  /* NULL: model-free */
    int with_features;        /* compute the features even without a model (the daemon, so a model that
                                 arrives later starts on warm features); always on with a model */
    int ahead;                /* 1: reserve room for eb_pipeline_prefetch (backtests) */
} eb_pipeline_config_t;

typedef enum {
    EB_PIPELINE_OK = 0,
    EB_PIPELINE_E_ARG,          /* NULL, too little memory, bad window, no features for a model */
    EB_PIPELINE_E_FEATURES,     /* feature parameters invalid */
    EB_PIPELINE_E_ENGINE,       /* engine config invalid */
    EB_PIPELINE_E_SCHEMA,       /* model schema hash differs from the configured features' */
    EB_PIPELINE_E_MODEL_SHAPE,  /* model is not a 58-feature, 3-class probability model */
} eb_pipeline_status_t;

typedef struct {
    eb_engine_t engine;
    eb_atr_t atr;
    double atr_hist[EB_PIPELINE_MAX_ATR_WINDOW];
    int atr_window, atr_count, atr_pos;
    double atr_sum, atr_now;
    const eb_model_t *model;
    eb_feature_params_t params;
    eb_features_t *features; /* inside this block, after the struct; NULL without features */
    int features_ready;      /* the last bar's features are defined (x is valid) */
    int ready;               /* the last step had every feature and the ATR history defined */
    uint64_t schema_hash;    /* of the configured features */
    double x[EB_FEATURE_COUNT];
    double probs[EB_MODEL_MAX_CLASSES];
    struct eb_pipeline_ahead *ahead; /* inside this block when configured, else NULL */
} eb_pipeline_t;

/* Bytes for this config (features included when a model is given or asked for); 0 when invalid. */
size_t eb_pipeline_size(const eb_pipeline_config_t *c);
/* Lays the pipeline out in mem (8-byte aligned, >= eb_pipeline_size). Returns a status; *out on success. */
eb_pipeline_status_t eb_pipeline_init(void *mem, size_t size, const eb_pipeline_config_t *c, eb_pipeline_t **out);
/* Swaps the model between two bars (same checks as init; the pipeline must compute features, and no
 * prefetched bar may be waiting). The signal thresholds come from the new model. NULL runs model-free.
 * A refused model leaves the running one. */
eb_pipeline_status_t eb_pipeline_set_model(eb_pipeline_t *p, const eb_model_t *m);
const char *eb_pipeline_status_name(eb_pipeline_status_t s);
/* One closed bar: features and model (or `direction` when model-free), then eb_engine_step. Returns the
 * number of intents or -1 for a refused bar (nothing changed). */
int eb_pipeline_step(eb_pipeline_t *p, const eb_bar_t *bar, int direction, eb_intent_t *out, int cap);
/* Backtests: the features and calibrated model outputs of the next n bars (1..EB_PIPELINE_AHEAD), computed
 * in one go so that the model walks them together (eb_model_predict_rows: bit-identical outputs, about 2.5
 * times the rows per second on AVX-512). The next n calls of eb_pipeline_step must then pass these same bars (the
 * same addresses, in order); they take the prefetched outputs and do everything else as usual, so a run
 * gives exactly the intents, counters and refusals it gives without prefetching. Bars the step will
 * refuse are recognised here and leave the features alone, as they would. Returns n; 0 when there is
 * nothing to gain (no model: the steps compute as usual); -1 (nothing changed) when the pipeline has no
 * room for it (config.ahead = 0), bars is NULL, n is out of range, or earlier prefetched bars are still
 * waiting for their steps. A step given any other bar while some wait returns -1 and changes nothing. */
int eb_pipeline_prefetch(eb_pipeline_t *p, const eb_bar_t *bars, int n);
double eb_pipeline_atr(const eb_pipeline_t *p);
double eb_pipeline_atr_mean(const eb_pipeline_t *p); /* NaN until the window is full */

#endif
