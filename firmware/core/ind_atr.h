/* Wilder's ATR (SPEC section 3, TA-Lib ATR). True range TR[t] = max(H-L, |H-C[t-1]|, |L-C[t-1]|) from bar
 * 1 on; the first ATR at bar n is mean(TR[1..n]); then atr = (atr*(n-1) + TR)/n. */
#ifndef EB_CORE_IND_ATR_H
#define EB_CORE_IND_ATR_H

#include <stddef.h>

typedef struct {
    int n, count; /* bars seen */
    double prev_close, atr;
} eb_atr_t;

size_t eb_atr_size(int n);
eb_atr_t *eb_atr_init(void *mem, int n);
/* The true range of a bar given the previous close (the bar's range when there is none: pass NAN). */
double eb_true_range(double high, double low, double prev_close);
/* Adds a bar; returns the ATR, NaN for bars 0..n-1. */
double eb_atr_step(eb_atr_t *a, double high, double low, double close);
/* The same from a true range already computed for this bar (several ATRs share one TR). */
double eb_atr_step_tr(eb_atr_t *a, double tr);

#endif
