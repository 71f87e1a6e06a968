/* Rolling mean and population standard deviation of the last n values, O(1) per value.
 * Welford's update, extended to a sliding window (replace x_old by x_new: mean' = mean + (new-old)/n,
 * M2' = M2 + (new-old)*(new-mean' + old-mean)), so the error scales with the window's own spread rather
 * than with the values (no sum(x^2) - n*mean^2 cancellation on prices around 30000, nor noise on a nearly
 * flat RSI); mean and M2 are recomputed from the ring (two passes) each time it wraps, so rounding never
 * accumulates.
 * A window of identical values has exactly that value as its mean and exactly 0 as its std (tracked by
 * the run length of equal values), so flat markets give exact, reproducible comparisons. */
#ifndef EB_CORE_IND_ROLLING_STATS_H
#define EB_CORE_IND_ROLLING_STATS_H

#include <stddef.h>

typedef struct {
    int n, pos, count, run; /* run: trailing values equal to the last one */
    double inv_n, mean, m2, last;
    double buf[];
} eb_rstats_t;

size_t eb_rstats_size(int n);
eb_rstats_t *eb_rstats_init(void *mem, int n);
void eb_rstats_push(eb_rstats_t *r, double x);
/* 1 once n values are in. */
int eb_rstats_full(const eb_rstats_t *r);
/* Mean and population std of the window (NaN before it is full). */
double eb_rstats_mean(const eb_rstats_t *r);
double eb_rstats_std(const eb_rstats_t *r);
/* The value pushed `back` pushes ago (0 = the newest), back < n and < values pushed. */
double eb_rstats_back(const eb_rstats_t *r, int back);

#endif
