/* Exponential moving average, TA-Lib convention: alpha = 2/(n+1), seeded with the SMA of the first n
 * values at value n-1 (0-based), then ema += alpha*(x - ema). */
#ifndef EB_CORE_IND_EMA_H
#define EB_CORE_IND_EMA_H

#include <stddef.h>

typedef struct {
    int n, count;
    double alpha, ema, seed_sum;
} eb_ema_t;

size_t eb_ema_size(int n);
eb_ema_t *eb_ema_init(void *mem, int n);
/* Adds x; returns the EMA, NaN before n values. */
double eb_ema_step(eb_ema_t *e, double x);

#endif
