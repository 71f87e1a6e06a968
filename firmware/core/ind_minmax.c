#include "core/ind_minmax.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_minmax_size(int n)
{
    return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_minmax_t) + (size_t)n * sizeof(eb_minmax_slot_t)) : 0;
}

eb_minmax_t *eb_minmax_init(void *mem, int n, eb_minmax_kind_t kind)
{
    if (!mem || !eb_ind_period_ok(n) || (kind != EB_MINMAX_MAX && kind != EB_MINMAX_MIN))
        return NULL;
    eb_minmax_t *m = mem;
    m->n = n;
    m->head = m->len = 0;
    m->sign = kind == EB_MINMAX_MAX ? 1.0 : -1.0;
    m->t = 0;
    return m;
}

double eb_minmax_step(eb_minmax_t *m, double x)
{
    double y = m->sign * x;
    /* Expire first: afterwards at most n-1 entries remain, so the push below always has a slot. */
    if (m->len > 0 && m->q[m->head].t <= m->t - m->n) {
        m->head = eb_ind_ring_next(m->head, m->n);
        m->len--;
    }
    while (m->len > 0) {
        int b = m->head + m->len - 1;
        if (b >= m->n)
            b -= m->n;
        if (m->q[b].v >= y) /* keep equal earlier values: the earliest wins ties */
            break;
        m->len--;
    }
    int b = m->head + m->len;
    if (b >= m->n)
        b -= m->n;
    m->q[b].v = y;
    m->q[b].t = m->t;
    m->len++;
    m->t++;
    return eb_minmax_value(m);
}

double eb_minmax_value(const eb_minmax_t *m) { return m->t >= m->n ? m->sign * m->q[m->head].v : NAN; }

int64_t eb_minmax_index(const eb_minmax_t *m) { return m->t >= m->n ? m->q[m->head].t : -1; }
