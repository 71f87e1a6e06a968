/* Ichimoku (SPEC section 3): tenkan = (HH+LL)/2 over T bars, kijun the same over K, span A raw =
 * (tenkan+kijun)/2, span B raw = (HH+LL)/2 over S bars, and the cloud AT bar t, the one plotted there:
 * A[t] = spanA_raw[t-D], B[t] = spanB_raw[t-D]. Nothing uses a bar after t. Highs and lows go through
 * monotonic deques (ind_minmax); the raw spans wait D bars in a ring. */
#ifndef EB_CORE_IND_ICHIMOKU_H
#define EB_CORE_IND_ICHIMOKU_H

#include "core/ind_minmax.h"

#include <stddef.h>

typedef struct {
    int tenkan, kijun, senkou_b, displacement;
} eb_ichimoku_params_t;

typedef struct {
    double tenkan, kijun, span_a_raw, span_b_raw; /* at bar t */
    double senkou_a, senkou_b;                    /* the cloud at bar t */
} eb_ichimoku_value_t;

typedef struct {
    eb_ichimoku_params_t p;
    int pos;  /* ring slot of bar t in the raw-span rings (length D+1) */
    eb_minmax_t *hh[3], *ll[3]; /* tenkan, kijun, senkou B windows */
    double *span_a, *span_b;
} eb_ichimoku_t;

/* 0 when every period is in 1..EB_IND_MAX_PERIOD (displacement may be 0). */
int eb_ichimoku_params_ok(const eb_ichimoku_params_t *p);
size_t eb_ichimoku_size(const eb_ichimoku_params_t *p);
eb_ichimoku_t *eb_ichimoku_init(void *mem, const eb_ichimoku_params_t *p);
eb_ichimoku_value_t eb_ichimoku_step(eb_ichimoku_t *ich, double high, double low);

#endif
