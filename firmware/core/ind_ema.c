#include "core/ind_ema.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_ema_size(int n) { return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_ema_t)) : 0; }

eb_ema_t *eb_ema_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_ema_t *e = mem;
    e->n = n;
    e->count = 0;
    e->alpha = 2.0 / (n + 1);
    e->ema = e->seed_sum = 0;
    return e;
}

double eb_ema_step(eb_ema_t *e, double x)
{
    if (e->count >= e->n) {
        /* TA-Lib's form ((x - prev) * k) + prev, so results agree to the last bits. */
        e->ema = (x - e->ema) * e->alpha + e->ema;
        return e->ema;
    }
    e->seed_sum += x;
    if (++e->count < e->n)
        return NAN;
    e->ema = e->seed_sum / e->n;
    return e->ema;
}
