#include "core/ind_atr.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_atr_size(int n) { return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_atr_t)) : 0; }

eb_atr_t *eb_atr_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_atr_t *a = mem;
    a->n = n;
    a->count = 0;
    a->prev_close = NAN;
    a->atr = 0;
    return a;
}

double eb_true_range(double high, double low, double prev_close)
{
    double tr = high - low;
    if (isnan(prev_close))
        return tr;
    double up = fabs(high - prev_close), down = fabs(low - prev_close);
    tr = up > tr ? up : tr;
    return down > tr ? down : tr;
}

double eb_atr_step_tr(eb_atr_t *a, double tr)
{
    if (a->count > a->n) {
        a->atr = (a->atr * (a->n - 1) + tr) / a->n;
        return a->atr;
    }
    if (a->count++ == 0)
        return NAN; /* bar 0 has no true range in TA-Lib's sense */
    a->atr += tr;
    if (a->count <= a->n)
        return NAN;
    a->atr /= a->n;
    return a->atr;
}

double eb_atr_step(eb_atr_t *a, double high, double low, double close)
{
    double tr = eb_true_range(high, low, a->prev_close);
    a->prev_close = close;
    return eb_atr_step_tr(a, tr);
}
