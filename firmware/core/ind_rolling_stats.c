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
    r->k = r->s1 = r->s2 = r->last = 0;
    return r;
}

static void rebuild(eb_rstats_t *r)
{
    double k = r->k + r->s1 * r->inv_n, s1 = 0, s2 = 0;
    for (int i = 0; i < r->n; i++) {
        double d = r->buf[i] - k;
        s1 += d;
        s2 += d * d;
    }
    r->k = k;
    r->s1 = s1;
    r->s2 = s2;
}

void eb_rstats_push(eb_rstats_t *r, double x)
{
    if (r->count == 0)
        r->k = x;
    if (r->count == r->n) {
        double d = r->buf[r->pos] - r->k;
        r->s1 -= d;
        r->s2 -= d * d;
    } else {
        r->count++;
    }
    double d = x - r->k;
    r->s1 += d;
    r->s2 += d * d;
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
    return r->run >= r->n ? r->last : r->k + r->s1 * r->inv_n;
}

double eb_rstats_std(const eb_rstats_t *r)
{
    if (r->count < r->n)
        return NAN;
    if (r->run >= r->n)
        return 0;
    double var = (r->s2 - r->s1 * r->s1 * r->inv_n) * r->inv_n;
    return var > 0 ? sqrt(var) : 0;
}

double eb_rstats_back(const eb_rstats_t *r, int back)
{
    int i = r->pos - 1 - back;
    return r->buf[i < 0 ? i + r->n : i];
}
