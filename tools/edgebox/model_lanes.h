/* The host tool's models get the AVX-512 lane image (core/model.h) in heap memory: every prediction of
 * backtest, train, walk-forward and Monte Carlo then takes the fast walk on CPUs that have it. */
#ifndef EB_TOOL_MODEL_LANES_H
#define EB_TOOL_MODEL_LANES_H

#include "core/model.h"

/* Attaches a lane image to the opened model m. Returns the memory, to free() after m's last prediction,
 * or NULL when m has no use for one (or memory ran out): m then runs the portable walk, same results. */
void *eb_tool_model_lanes(eb_model_t *m);

#endif
