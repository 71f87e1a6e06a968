/* A real 3-class model for tests and benchmarks of the backtest: the box's feature engine, triple-barrier
 * labels (the walk-forward trainer's dataset), exactly `rounds` XGBoost rounds of depth-wise trees, compiled
 * with the feature schema hash, from a bar series held in memory. */
#ifndef EB_TOOLS_VALIDATE_TRAIN_FIXED_H
#define EB_TOOLS_VALIDATE_TRAIN_FIXED_H

#include "core/bar.h"
#include "core/features.h"

#include <stddef.h>
#include <stdint.h>

/* Trains `rounds` rounds (3 trees each, max_depth `depth`) on bars[0, n) with the given feature periods.
 * *blob is malloc'd. Returns 0 or -1 with err. */
int eb_train_fixed_model(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, int rounds, int depth,
                         uint8_t **blob, size_t *len, char *err, size_t cap);

#endif
