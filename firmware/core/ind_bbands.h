/* Bollinger bands (SPEC section 3, TA-Lib BBANDS with SMA): middle = SMA(n) of closes, bands =
 * middle +/- k * population std of the same n closes. */
#ifndef EB_CORE_IND_BBANDS_H
#define EB_CORE_IND_BBANDS_H

#include "core/ind_rolling_stats.h"

#include <stddef.h>

typedef struct {
    double upper, middle, lower; /* NaN before n values */
} eb_bbands_value_t;

typedef struct {
    double k;
    eb_rstats_t stats; /* last member: its ring follows */
} eb_bbands_t;

size_t eb_bbands_size(int n);
/* NULL on a bad period or a k that is not finite and >= 0. */
eb_bbands_t *eb_bbands_init(void *mem, int n, double k);
eb_bbands_value_t eb_bbands_step(eb_bbands_t *b, double close);

#endif
