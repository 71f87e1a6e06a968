/* Rolling mean and population standard deviation of the last n values, O(1) per value.
 * Sums are kept of (x - k) for a shift k near the window's mean, which avoids the cancellation of
 * sum(x^2) - n*mean^2 on prices around 30000; the sums are rebuilt from the ring (and k moved to the
 * current mean) each time the ring wraps, so rounding never accumulates.
 * A window of identical values has exactly that value as its mean and exactly 0 as its std (tracked by
 * the run length of equal values), so flat markets give exact, reproducible comparisons. */
#ifndef EB_CORE_IND_ROLLING_STATS_H
#define EB_CORE_IND_ROLLING_STATS_H

#include <stddef.h>

typedef struct {
    int n, pos, count, run; /* run: trailing values equal to the last one */
    double inv_n, k, s1, s2, last;
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
