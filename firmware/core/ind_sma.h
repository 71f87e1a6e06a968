/* Simple moving average of the last n values (TA-Lib SMA: first value once n values are in). */
#ifndef EB_CORE_IND_SMA_H
#define EB_CORE_IND_SMA_H

#include <stddef.h>

typedef struct {
    int n, pos, count;
    double sum;
    double buf[];
} eb_sma_t;

size_t eb_sma_size(int n);
eb_sma_t *eb_sma_init(void *mem, int n);
/* Adds x; returns the mean of the last n values, NaN before n values. */
double eb_sma_step(eb_sma_t *s, double x);

#endif
