/* Training on the workstation (SPEC section 10): features from the box's own feature engine, labels from
 * core/labels.h, XGBoost through its C API, then a compiled blob (tools/edgebox/model_compile.h) whose
 * schema hash is the feature engine's. Decision thresholds and Platt calibration are tuned on a tune slice
 * at the end of the training window; purge and embargo keep labels from reaching across a boundary.
 *
 *   rows [lo, hi) of a window:  fit [lo, cut)  | embargo |  tune [cut+embargo, hi)
 *   a row is used only when its features are ready, its label is defined, and the bars its label looked
 *   at end before the slice does (purge): nothing a row learns from lies in a later slice. */
#ifndef EB_TOOLS_TRAIN_H
#define EB_TOOLS_TRAIN_H

#include "core/bar.h"
#include "core/features.h"
#include "tools/edgebox/wf_config.h"

#include <stddef.h>
#include <stdint.h>

/* Risk and cost settings the labels and the expected-value tuning need (strategy config; SPEC 7/8). */
typedef struct {
    double min_multiplier, max_multiplier; /* volatility multiplier clamp, 1.0 / 1.5 */
    double fee_bps, slippage_bps;          /* per side, 5 / 10 */
} eb_train_costs_t;

void eb_train_costs_default(eb_train_costs_t *c);

/* Everything computed once per indicator parameter set over the whole bar series. */
typedef struct {
    const eb_bar_t *bars;
    size_t n;
    eb_feature_params_t fp;
    uint64_t schema_hash;
    float *x;           /* n x EB_FEATURE_COUNT, NaN rows while warming up */
    uint8_t *ready;     /* features defined at t */
    double *atr, *mult; /* ATR and the volatility multiplier at t (NaN until defined) */
    int8_t *label;      /* -1 / 0 / +1 or EB_LABEL_NONE */
    int32_t *label_end; /* last bar the label looked at (-1 when undefined) */
    double *long_r, *short_r; /* barrier outcomes in R before costs (NaN when undecided) */
    double *cost_r;     /* round-trip fees + slippage in R for an entry at bars[t+1].open */
} eb_dataset_t;

int eb_dataset_build(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, const eb_wf_config_t *c,
                     const eb_train_costs_t *costs, eb_dataset_t *ds, char *err, size_t errcap);
void eb_dataset_free(eb_dataset_t *ds);

typedef struct {
    double learning_rate;
    int max_leaves, min_child_weight, rounds, early_stopping, max_bin;
    uint64_t seed;
} eb_hparams_t;

typedef struct {
    size_t fit_lo, fit_hi, tune_lo, tune_hi; /* bar index ranges after the split (before purging) */
    size_t rows_fit, rows_tune;              /* rows used */
    size_t class_count[3];                   /* fit rows per class: sell, neutral, buy */
    int rounds_used;
    double tune_logloss;
    double threshold_buy, threshold_sell;
    double tune_ev_buy, tune_ev_sell;        /* total R after costs on the tune slice at the thresholds */
    int calibrated;
    double platt_a[3], platt_b[3];
    uint8_t *blob;                           /* compiled model (malloc'd) */
    size_t blob_len;
    void *booster;                           /* XGBoost booster, kept for SHAP; freed by eb_trained_free */
} eb_trained_t;

/* Trains on bars [lo, hi) of ds. Returns 0, or -1 with err (too few rows, a class missing, XGBoost). */
int eb_train_window(const eb_dataset_t *ds, size_t lo, size_t hi, const eb_wf_config_t *c,
                    const eb_hparams_t *hp, eb_trained_t *out, char *err, size_t errcap);
void eb_trained_free(eb_trained_t *t);

/* The blob's decisions at bars [lo, hi) of ds (SPEC section 5: long when p(buy) >= threshold and
 * p(buy) > p(sell), short mirrored): sig[t - lo] = +1, -1 or 0 (0 where features are not ready);
 * probabilities (calibrated when the blob is) in probs[3 * (t - lo) ..] when probs is not NULL.
 * Evaluated by the box's own evaluator (core/model.h). Returns 0 or -1 with err for a bad blob. */
int eb_train_signals(const eb_dataset_t *ds, const uint8_t *blob, size_t blob_len, size_t lo, size_t hi,
                     int8_t *sig, double *probs, char *err, size_t errcap);

/* Reads a model file: a compiled blob (.ebm) or a signed container (its payload). *blob is malloc'd. */
int eb_train_read_model(const char *path, uint8_t **blob, size_t *len, char *err, size_t errcap);

#endif
