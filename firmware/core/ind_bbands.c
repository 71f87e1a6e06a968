#include "core/ind_bbands.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_bbands_size(int n)
{
    size_t s = eb_rstats_size(n);
    return s ? eb_ind_align8(offsetof(eb_bbands_t, stats) + s) : 0;
}

eb_bbands_t *eb_bbands_init(void *mem, int n, double k)
{
    if (!mem || !eb_ind_period_ok(n) || !(k >= 0) || !isfinite(k))
        return NULL;
    eb_bbands_t *b = mem;
    b->k = k;
    eb_rstats_init(&b->stats, n);
    return b;
}

eb_bbands_value_t eb_bbands_step(eb_bbands_t *b, double close)
{
    eb_rstats_push(&b->stats, close);
    double m = eb_rstats_mean(&b->stats), d = b->k * eb_rstats_std(&b->stats);
    eb_bbands_value_t v = {m + d, m, m - d};
    return v;
}
