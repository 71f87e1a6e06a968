/* Order statistics of the last n values in O(log n) per value: a treap whose nodes are the slots of a
 * fixed ring (slot i holds the value pushed n, 2n, ... pushes after slot i's previous one), ordered by
 * (value, slot) so equal values stay distinct. Priorities come from a xorshift generator kept in the
 * state, so the shape is the same on every machine. No allocation: n nodes live after the header.
 *
 * Conventions (those of pandas/numpy, which the seeds use):
 *   rank:     the average rank of x among the window, divided by its size: (less + less_or_equal + 1)/2/n
 *             when x is in the window (pandas rolling rank(pct=True)).
 *   quantile: linear interpolation between order statistics at q*(n-1) (numpy/pandas default). */
#ifndef EB_CORE_IND_PERCENTILE_H
#define EB_CORE_IND_PERCENTILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double key;
    int32_t left, right, size; /* -1: no child */
    uint32_t prio;
} eb_pctl_node_t;

typedef struct {
    int n, pos, count, root;
    uint32_t rng;
    eb_pctl_node_t node[];
} eb_pctl_t;

size_t eb_pctl_size(int n);
eb_pctl_t *eb_pctl_init(void *mem, int n);
/* Adds x, dropping the value pushed n pushes ago. */
void eb_pctl_push(eb_pctl_t *p, double x);
int eb_pctl_count(const eb_pctl_t *p);
/* Values in the window strictly below / at most x. */
int eb_pctl_count_less(const eb_pctl_t *p, double x);
int eb_pctl_count_le(const eb_pctl_t *p, double x);
/* The k-th smallest value (0-based, k < count). */
double eb_pctl_kth(const eb_pctl_t *p, int k);
/* Percentile rank of x in (0, 1] and the q-quantile (0 <= q <= 1), per the conventions above; NaN when empty. */
double eb_pctl_rank(const eb_pctl_t *p, double x);
double eb_pctl_quantile(const eb_pctl_t *p, double q);

#endif
