/* Tuning on the tune slice of a training window: Platt calibration per class (one logistic regression of
 * "is class c" on logit(p_c), with Platt's smoothed targets) and decision thresholds chosen to maximise
 * expected value after costs (SPEC section 5). Calibration, thresholds and the final blob all go through
 * the box's own evaluator, so the tuned numbers are the ones the box will see. */
#ifndef EB_TOOLS_WF_TUNE_H
#define EB_TOOLS_WF_TUNE_H

#include "tools/edgebox/train.h"

#include <stddef.h>
#include <stdint.h>

/* Compiles the booster with t's thresholds and calibration into a malloc'd blob. */
typedef int (*eb_wf_compile_fn)(void *booster, const eb_dataset_t *ds, const eb_trained_t *t, uint8_t **blob,
                                size_t *len, char *err, size_t errcap);

/* Fills t->platt_*, t->calibrated (when c->calibrate), t->threshold_*, t->tune_ev_* and t->blob. */
int eb_wf_tune(const eb_dataset_t *ds, const size_t *rows, size_t n, const eb_wf_config_t *c, eb_trained_t *t,
               eb_wf_compile_fn compile, char *err, size_t errcap);

/* Platt fit: a, b minimising the log loss of sigmoid(a*z + b) against y (0/1), with targets smoothed to
 * (N+ + 1)/(N+ + 2) and 1/(N- + 2). Newton's method with step halving; returns 0, -1 if it cannot fit
 * (then a = 1, b = 0). */
int eb_wf_platt_fit(const double *z, const uint8_t *y, size_t n, double *a, double *b);

/* Threshold with the largest total of value[i] over rows with p[i] >= thr and p[i] > other[i], among
 * thresholds lo, lo+0.01, ..., hi and at least min_signals such rows; *best gets that total. When no
 * threshold has a positive total, returns 1.0 (never trade this side) and *best = 0. */
double eb_wf_best_threshold(const double *p, const double *other, const double *value, size_t n, double lo,
                            double hi, int min_signals, double *best);

#endif
