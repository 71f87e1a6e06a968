/* A real 3-class model for tests and benchmarks of the backtest: trained with the walk-forward trainer
 * (tools/edgebox/train.h: the box's feature engine, triple-barrier labels, XGBoost, compiled blob with the
 * feature schema hash) on a bar series held in memory. */
#ifndef EB_TOOLS_BACKTEST_MODEL_H
#define EB_TOOLS_BACKTEST_MODEL_H

#include "core/bar.h"
#include "core/features.h"

#include <stddef.h>
#include <stdint.h>

/* Trains `rounds` boosting rounds (max_leaves leaves per tree) on bars[0, n) with the given feature
 * periods. *blob is malloc'd. Returns 0 or -1 with err. */
int eb_backtest_train_model(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, int rounds,
                            int max_leaves, uint8_t **blob, size_t *len, char *err, size_t cap);

#endif
