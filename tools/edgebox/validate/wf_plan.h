/* Walk-forward planning: calendar windows over the data, the parameter sets (indicator grid x seeded
 * hyperparameter draws) and which sets a shard runs. Pure functions of the config and the bars, so every
 * process and machine computes the same plan. */
#ifndef EB_TOOLS_WF_PLAN_H
#define EB_TOOLS_WF_PLAN_H

#include "core/bar.h"
#include "core/features.h"
#include "tools/edgebox/validate/wf_config.h"

#include <stddef.h>
#include <stdint.h>

/* One window: train [train_start, valid_start), validation [valid_start, valid_end) in UTC ms, and the same
 * as bar indices: bars [i_train, i_valid) and [i_valid, i_end). */
typedef struct {
    int64_t train_start, valid_start, valid_end;
    size_t i_train, i_valid, i_end;
} eb_wf_window_t;

#define EB_WF_MAX_WINDOWS 1024

/* Windows start at the first UTC month boundary at or after the first bar and step by step_months while
 * the whole validation period lies inside the data (the last bar's open + interval). Returns the count,
 * or -1 with a message when not even one window fits ("windows longer than the data"). */
int eb_wf_plan_windows(const eb_wf_config_t *c, const eb_bar_t *bars, size_t n, eb_wf_window_t *out,
                       size_t cap, char *err, size_t errcap);
/* The bar interval: the smallest positive open-time difference among the first 1000 bars (0 if n < 2). */
int64_t eb_wf_bar_interval(const eb_bar_t *bars, size_t n);

typedef struct {
    size_t index;
    eb_feature_params_t fp;
    double learning_rate;
    int max_leaves, min_child_weight, rounds;
} eb_wf_set_t;

/* Indicator combinations x trials; set index = combination * trials + trial, the combination counting
 * with atr fastest and tenkan slowest. Each set draws its own hyperparameters from a stream seeded by
 * (seed, index), so a set's parameters do not depend on the grid around it or on sharding. */
size_t eb_wf_set_count(const eb_wf_config_t *c);
void eb_wf_set_get(const eb_wf_config_t *c, size_t index, eb_wf_set_t *out);

/* The indicator parameters in the config's grid (or the defaults) whose schema hash is `hash`: how a model
 * blob, which records only the hash, finds the features it was trained on. 0, or -1 when none matches. */
int eb_wf_params_for_hash(const eb_wf_config_t *c, uint64_t hash, eb_feature_params_t *out);

/* "i/N" (1 <= i <= N <= 100000) -> shard i, of N; returns -1 on a malformed value. */
int eb_wf_shard_parse(const char *s, int *i, int *n);
/* Set `index` belongs to shard i of N when index % N == i - 1. */
int eb_wf_shard_owns(size_t index, int i, int n);

#endif
