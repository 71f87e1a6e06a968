/* Order statistics of the last n values: the window kept twice, in push order (a ring, to know which
 * value leaves) and sorted (to answer). A push finds the leaving value's slot and the new value's place
 * and shifts the values between them by one slot (a contiguous move of |i - j| values). Both searches
 * start where the previous push's went in and left: consecutive values of a smooth series (the feature
 * engine's ATR%) land a few slots apart, so a short walk beats a binary search's chain of dependent
 * loads; the walk is exact from any start, and at worst O(n), like the move. Counts, ranks and quantiles
 * are binary searches or direct reads. No allocation: both arrays live after the header.
 *
 * Conventions (those of pandas/numpy, which the seeds use):
 *   rank:     the average rank of x among the window, divided by its size: (less + less_or_equal + 1)/2/n
 *             when x is in the window (pandas rolling rank(pct=True)).
 *   quantile: linear interpolation between order statistics at q*(n-1) (numpy/pandas default).
 * NaN has no place in an order, so a NaN push is refused and changes nothing. */
#ifndef EB_CORE_IND_PERCENTILE_H
#define EB_CORE_IND_PERCENTILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int n, pos, count;
    int hint_in, hint_out; /* where the last value went in and the last one left: search starts */
    int pad;
    double v[]; /* ring[n] (push order), then sorted[n] (ascending; the first count are in use) */
} eb_pctl_t;

size_t eb_pctl_size(int n);
eb_pctl_t *eb_pctl_init(void *mem, int n);
/* Adds x, dropping the value pushed n pushes ago. 0, or -1 for a NaN (refused, nothing changes). */
int eb_pctl_push(eb_pctl_t *p, double x);
/* eb_pctl_push, then eb_pctl_rank of x, in one pass (the push already knows where x went). A NaN is
 * refused as by eb_pctl_push and gets eb_pctl_rank(p, NaN) of the unchanged window. */
double eb_pctl_push_rank(eb_pctl_t *p, double x);
int eb_pctl_count(const eb_pctl_t *p);
/* Values in the window strictly below / at most x. */
int eb_pctl_count_less(const eb_pctl_t *p, double x);
int eb_pctl_count_le(const eb_pctl_t *p, double x);
/* The k-th smallest value (0-based); NaN when k is outside 0..count-1. */
double eb_pctl_kth(const eb_pctl_t *p, int k);
/* Percentile rank of x in (0, 1] and the q-quantile (0 <= q <= 1), per the conventions above; NaN when empty
 * (and the quantile for q outside [0, 1]). */
double eb_pctl_rank(const eb_pctl_t *p, double x);
double eb_pctl_quantile(const eb_pctl_t *p, double q);

#endif
