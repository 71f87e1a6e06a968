/* Training on the workstation (SPEC section 10): features from the box's own feature engine, labels from
 * core/labels.h, XGBoost through its C API, then a compiled blob (tools/edgebox/model_compile.h) whose
 * schema hash is the feature engine's. Early stopping, Platt calibration and the decision thresholds are
 * each fitted on their own slice of the tune part at the end of the training window, so none of them is
 * judged on rows another one was fitted on; purge and embargo keep labels from reaching across a boundary.
 *
 *   rows [lo, hi) of a window:  fit [lo, cut) | embargo | tune [cut+embargo, hi), the tune part cut in three
 *   equal slices with an embargo between each:  stop | embargo | calib | embargo | thresh
 *   (without calibration two:  stop | embargo | thresh).
 *   a row is used only when its features are ready, its label is defined, and the bars its label looked
 *   at end before its slice does (purge): nothing a row learns from lies in a later slice. */
#ifndef EB_TOOLS_TRAIN_H
#define EB_TOOLS_TRAIN_H

#include "core/bar.h"
#include "core/features.h"
#include "tools/edgebox/validate/train_types.h"
#include "tools/edgebox/validate/wf_config.h"

#include <stddef.h>
#include <stdint.h>

void eb_train_costs_default(eb_train_costs_t *c);

int eb_dataset_build(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, const eb_wf_config_t *c,
                     const eb_train_costs_t *costs, eb_dataset_t *ds, char *err, size_t errcap);
void eb_dataset_free(eb_dataset_t *ds);

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
