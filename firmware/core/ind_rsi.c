#include "core/ind_rsi.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_rsi_size(int n) { return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_rsi_t)) : 0; }

eb_rsi_t *eb_rsi_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_rsi_t *r = mem;
    r->n = n;
    r->count = 0;
    r->prev = r->gain = r->loss = 0;
    return r;
}

static double rsi_value(double g, double l) { return l > 0 ? 100.0 * g / (g + l) : 100.0; }

double eb_rsi_step(eb_rsi_t *r, double close)
{
    double d = close - r->prev;
    double up = d > 0 ? d : 0, down = d < 0 ? -d : 0;
    r->prev = close;
    if (r->count > r->n) {
        r->gain = (r->gain * (r->n - 1) + up) / r->n;
        r->loss = (r->loss * (r->n - 1) + down) / r->n;
        return rsi_value(r->gain, r->loss);
    }
    if (r->count++ == 0)
        return NAN; /* the first close has no change */
    r->gain += up;
    r->loss += down;
    if (r->count <= r->n)
        return NAN;
    r->gain /= r->n;
    r->loss /= r->n;
    return rsi_value(r->gain, r->loss);
}
