#include "core/ind_ichimoku.h"

#include "core/ind_common.h"

#include <math.h>

int eb_ichimoku_params_ok(const eb_ichimoku_params_t *p)
{
    return eb_ind_period_ok(p->tenkan) && eb_ind_period_ok(p->kijun) && eb_ind_period_ok(p->senkou_b) &&
                   p->displacement >= 0 && p->displacement < EB_IND_MAX_PERIOD
               ? 0
               : -1;
}

static int period_of(const eb_ichimoku_params_t *p, int i)
{
    return i == 0 ? p->tenkan : i == 1 ? p->kijun : p->senkou_b;
}

size_t eb_ichimoku_size(const eb_ichimoku_params_t *p)
{
    if (eb_ichimoku_params_ok(p) != 0)
        return 0;
    size_t s = eb_ind_align8(sizeof(eb_ichimoku_t));
    for (int i = 0; i < 3; i++)
        s += 2 * eb_minmax_size(period_of(p, i));
    return s + 2 * eb_ind_align8((size_t)(p->displacement + 1) * sizeof(double));
}

eb_ichimoku_t *eb_ichimoku_init(void *mem, const eb_ichimoku_params_t *p)
{
    if (!mem || eb_ichimoku_params_ok(p) != 0)
        return NULL;
    eb_ichimoku_t *ich = mem;
    char *at = (char *)mem + eb_ind_align8(sizeof(eb_ichimoku_t));
    ich->p = *p;
    ich->pos = 0;
    for (int i = 0; i < 3; i++) {
        int n = period_of(p, i);
        ich->hh[i] = eb_minmax_init(at, n, EB_MINMAX_MAX);
        at += eb_minmax_size(n);
        ich->ll[i] = eb_minmax_init(at, n, EB_MINMAX_MIN);
        at += eb_minmax_size(n);
    }
    size_t ring = eb_ind_align8((size_t)(p->displacement + 1) * sizeof(double));
    ich->span_a = (double *)(void *)at;
    ich->span_b = (double *)(void *)(at + ring);
    for (int i = 0; i <= p->displacement; i++)
        ich->span_a[i] = ich->span_b[i] = NAN;
    return ich;
}

static double mid(eb_minmax_t *hh, eb_minmax_t *ll, double high, double low)
{
    return (eb_minmax_step(hh, high) + eb_minmax_step(ll, low)) / 2;
}

eb_ichimoku_value_t eb_ichimoku_step(eb_ichimoku_t *ich, double high, double low)
{
    eb_ichimoku_value_t v;
    v.tenkan = mid(ich->hh[0], ich->ll[0], high, low);
    v.kijun = mid(ich->hh[1], ich->ll[1], high, low);
    v.span_b_raw = mid(ich->hh[2], ich->ll[2], high, low);
    v.span_a_raw = (v.tenkan + v.kijun) / 2;
    /* Ring of D+1 slots: slot pos gets bar t; the slot after it still holds bar t-D. */
    int d1 = ich->p.displacement + 1;
    ich->span_a[ich->pos] = v.span_a_raw;
    ich->span_b[ich->pos] = v.span_b_raw;
    int old = eb_ind_ring_next(ich->pos, d1);
    v.senkou_a = ich->span_a[old];
    v.senkou_b = ich->span_b[old];
    ich->pos = old;
    return v;
}
