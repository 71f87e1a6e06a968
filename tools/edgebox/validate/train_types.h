/* The training data types, shared by the trainer (train.h) and the tuning it calls (wf_tune.h), in a
 * header of their own so that the tuning needs nothing of the trainer's functions. */
#ifndef EB_TOOLS_TRAIN_TYPES_H
#define EB_TOOLS_TRAIN_TYPES_H

#include "core/bar.h"
#include "core/features.h"

#include <stddef.h>
#include <stdint.h>

/* Risk and cost settings the labels and the expected-value tuning need (strategy config; SPEC 7/8). */
typedef struct {
    double min_multiplier, max_multiplier; /* volatility multiplier clamp, 1.0 / 1.5 */
    double fee_bps, slippage_bps;          /* per side, 5 / 10 */
} eb_train_costs_t;

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

typedef struct {
    double learning_rate;
    int max_leaves, min_child_weight, rounds, early_stopping, max_bin;
    uint64_t seed;
} eb_hparams_t;

typedef struct {
    size_t fit_lo, fit_hi, tune_lo, tune_hi; /* bar index ranges after the split (before purging) */
    size_t stop_lo, stop_hi;                 /* early stopping: a slice of the tune part */
    size_t calib_lo, calib_hi;               /* Platt calibration (empty without calibration) */
    size_t thr_lo, thr_hi;                   /* thresholds and tune_ev */
    size_t rows_fit, rows_tune;              /* rows used (tune: all three slices) */
    size_t rows_stop, rows_calib, rows_thr;
    size_t class_count[3];                   /* fit rows per class: sell, neutral, buy */
    int rounds_used;
    double tune_logloss;                     /* on the early-stopping slice */
    double threshold_buy, threshold_sell;
    double tune_ev_buy, tune_ev_sell;        /* total R after costs on the threshold slice at the thresholds:
                                                in sample (the thresholds were chosen to maximise it) */
    int calibrated;
    double platt_a[3], platt_b[3];
    uint8_t *blob;                           /* compiled model (malloc'd) */
    size_t blob_len;
    void *booster;                           /* XGBoost booster, kept for SHAP; freed by eb_trained_free */
} eb_trained_t;

#endif
