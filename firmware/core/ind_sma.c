/* A running sum, as TA-Lib keeps it; re-added from the ring each time the ring wraps (O(n) every n bars,
 * O(1) amortised) so rounding cannot drift over millions of bars. */
#include "core/ind_sma.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_sma_size(int n)
{
    return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_sma_t) + (size_t)n * sizeof(double)) : 0;
}

eb_sma_t *eb_sma_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_sma_t *s = mem;
    s->n = n;
    s->pos = s->count = 0;
    s->sum = 0;
    return s;
}

double eb_sma_step(eb_sma_t *s, double x)
{
    if (s->count == s->n)
        s->sum -= s->buf[s->pos];
    else
        s->count++;
    s->buf[s->pos] = x;
    s->sum += x;
    s->pos = eb_ind_ring_next(s->pos, s->n);
    if (s->pos == 0) {
        double sum = 0;
        for (int i = 0; i < s->n; i++)
            sum += s->buf[i];
        s->sum = sum;
    }
    return s->count == s->n ? s->sum / s->n : NAN;
}
