/* Tuning on the tune slice of a training window: Platt calibration per class (one logistic regression of
 * "is class c" on logit(p_c), with Platt's smoothed targets, slope >= 0) and decision thresholds chosen to
 * maximise expected value after costs (SPEC section 5), each on its own slice. Calibration, thresholds and the final blob all go through
 * the box's own evaluator, so the tuned numbers are the ones the box will see. */
#ifndef EB_TOOLS_WF_TUNE_H
#define EB_TOOLS_WF_TUNE_H

#include "tools/edgebox/validate/train_types.h"
#include "tools/edgebox/validate/wf_config.h"

#include <stddef.h>
#include <stdint.h>

/* Compiles the booster with t's thresholds and calibration into a malloc'd blob. */
typedef int (*eb_wf_compile_fn)(void *booster, const eb_dataset_t *ds, const eb_trained_t *t, uint8_t **blob,
                                size_t *len, char *err, size_t errcap);

/* Fills t->platt_* and t->calibrated from the calibration rows (when c->calibrate), then t->threshold_*
 * and t->tune_ev_* from the threshold rows (through the calibrated blob), and t->blob. The two row sets
 * are separate slices (train.h), so the thresholds are not chosen on the rows the calibration fitted. */
int eb_wf_tune(const eb_dataset_t *ds, const size_t *calib, size_t ncalib, const size_t *thr, size_t nthr,
               const eb_wf_config_t *c, eb_trained_t *t, eb_wf_compile_fn compile, char *err, size_t errcap);

/* Platt fit: a >= 0 and b minimising the log loss of sigmoid(a*z + b) against y (0/1), with targets
 * smoothed to (N+ + 1)/(N+ + 2) and 1/(N- + 2). Newton's method with step halving; a slope that comes out
 * negative (scores anti-correlated with the class) is replaced by the constrained optimum a = 0, so the
 * calibration can flatten the scores but never invert their order. Returns 0, -1 if it cannot fit (then
 * a = 1, b = 0). */
int eb_wf_platt_fit(const double *z, const uint8_t *y, size_t n, double *a, double *b);

/* Threshold with the largest total of value[i] over rows with p[i] >= thr and p[i] > other[i], among
 * thresholds lo, lo+0.01, ..., hi and at least min_signals such rows; *best gets that total. When no
 * threshold has a positive total, returns 1.0 (never trade this side) and *best = 0. */
double eb_wf_best_threshold(const double *p, const double *other, const double *value, size_t n, double lo,
                            double hi, int min_signals, double *best);

#endif
