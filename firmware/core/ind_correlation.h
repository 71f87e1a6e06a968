/* Rolling Pearson correlation of the last n pairs (x, y), O(1) per pair: shifted sums as in
 * ind_rolling_stats (rebuilt when the ring wraps). When either series is flat over the window (all n
 * values identical, tracked exactly by run lengths) or its variance rounds to <= 0, the denominator is 0
 * and the correlation is 0 (SPEC section 4: ratios with a zero denominator are 0). */
#ifndef EB_CORE_IND_CORRELATION_H
#define EB_CORE_IND_CORRELATION_H

#include <stddef.h>

typedef struct {
    double x, y;
} eb_corr_pair_t;

typedef struct {
    int n, pos, count, run_x, run_y;
    double inv_n, kx, ky, sx, sy, sxx, syy, sxy, last_x, last_y;
    eb_corr_pair_t buf[];
} eb_corr_t;

size_t eb_corr_size(int n);
eb_corr_t *eb_corr_init(void *mem, int n);
/* Adds a pair; returns the correlation of the last n pairs, NaN before n pairs. */
double eb_corr_step(eb_corr_t *c, double x, double y);

#endif
