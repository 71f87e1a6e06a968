/* Wilder's RSI (SPEC section 3, TA-Lib RSI): the first value at input n (0-based), from the simple means
 * of the first n gains and losses; then avg = (avg*(n-1) + x)/n. RSI = 100*g/(g+l) (= 100 - 100/(1+g/l)),
 * 100 when the average loss is 0 (also for flat prices, where TA-Lib would print 0: SPEC stands). */
#ifndef EB_CORE_IND_RSI_H
#define EB_CORE_IND_RSI_H

#include <stddef.h>

typedef struct {
    int n, count; /* inputs seen */
    double prev, gain, loss;
} eb_rsi_t;

size_t eb_rsi_size(int n);
eb_rsi_t *eb_rsi_init(void *mem, int n);
/* Adds a close; returns the RSI, NaN for the first n closes. */
double eb_rsi_step(eb_rsi_t *r, double close);

#endif
