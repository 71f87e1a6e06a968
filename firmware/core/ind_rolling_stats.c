#include "core/ind_rolling_stats.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_rstats_size(int n)
{
    return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_rstats_t) + (size_t)n * sizeof(double)) : 0;
}

eb_rstats_t *eb_rstats_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_rstats_t *r = mem;
    r->n = n;
    r->pos = r->count = r->run = 0;
    r->inv_n = 1.0 / n;
    r->mean = r->m2 = r->last = 0;
    return r;
}

static void rebuild(eb_rstats_t *r)
{
    double s = 0, m2 = 0;
    for (int i = 0; i < r->n; i++)
        s += r->buf[i];
    double mean = s / r->n;
    for (int i = 0; i < r->n; i++)
        m2 += (r->buf[i] - mean) * (r->buf[i] - mean);
    r->mean = mean;
    r->m2 = m2;
}

void eb_rstats_push(eb_rstats_t *r, double x)
{
    if (r->count == r->n) {
        double old = r->buf[r->pos], mean = r->mean + (x - old) * r->inv_n;
        r->m2 += (x - old) * (x - mean + old - r->mean);
        r->mean = mean;
    } else {
        double d = x - r->mean;
        r->count++;
        r->mean += d / r->count;
        r->m2 += d * (x - r->mean);
    }
    r->run = x == r->last ? r->run + 1 : 1;
    r->last = x;
    r->buf[r->pos] = x;
    r->pos = eb_ind_ring_next(r->pos, r->n);
    if (r->pos == 0)
        rebuild(r);
}

int eb_rstats_full(const eb_rstats_t *r) { return r->count == r->n; }

double eb_rstats_mean(const eb_rstats_t *r)
{
    if (r->count < r->n)
        return NAN;
    return r->run >= r->n ? r->last : r->mean;
}

double eb_rstats_std(const eb_rstats_t *r)
{
    if (r->count < r->n)
        return NAN;
    if (r->run >= r->n)
        return 0;
    return r->m2 > 0 ? sqrt(r->m2 * r->inv_n) : 0;
}

double eb_rstats_back(const eb_rstats_t *r, int back)
{
    int i = r->pos - 1 - back;
    return r->buf[i < 0 ? i + r->n : i];
}
