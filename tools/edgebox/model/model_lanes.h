/* The host tool's models get both AVX-512 images (core/model.h) in one heap block: the lane image (one
 * row, 16 trees a register) and the row image (64 rows a tree, for eb_model_predict_rows). Every
 * prediction of backtest, train, walk-forward and Monte Carlo then takes the fast walks on CPUs that
 * have them; elsewhere the portable walk gives the same results. */
#ifndef EB_TOOL_MODEL_LANES_H
#define EB_TOOL_MODEL_LANES_H

#include "core/model.h"

/* Attaches the images m can use to the opened model m. Returns the memory, to free() after m's last
 * prediction, or NULL when m has no use for either (or memory ran out). */
void *eb_tool_model_lanes(eb_model_t *m);

#include <stddef.h>

/* Calibrated probabilities (3 per row) of the rows idx[0..n) of x (float32 rows of EB_FEATURE_COUNT, as
 * the training dataset holds them), 64 rows at a time through eb_model_predict_rows. -1 (nothing written)
 * when m is not a trading model: EB_FEATURE_COUNT features and 3 outputs. */
int eb_tool_predict_rows(const eb_model_t *m, const float *x, const size_t *idx, size_t n, double *probs);

#endif
