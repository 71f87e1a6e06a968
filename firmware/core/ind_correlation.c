#include "core/ind_correlation.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_corr_size(int n)
{
    return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_corr_t) + (size_t)n * sizeof(eb_corr_pair_t)) : 0;
}

eb_corr_t *eb_corr_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_corr_t *c = mem;
    c->n = n;
    c->pos = c->count = c->run_x = c->run_y = 0;
    c->inv_n = 1.0 / n;
    c->kx = c->ky = c->sx = c->sy = c->sxx = c->syy = c->sxy = c->last_x = c->last_y = 0;
    return c;
}

static void add(eb_corr_t *c, double x, double y, double sign)
{
    double dx = x - c->kx, dy = y - c->ky;
    c->sx += sign * dx;
    c->sy += sign * dy;
    c->sxx += sign * dx * dx;
    c->syy += sign * dy * dy;
    c->sxy += sign * dx * dy;
}

static void rebuild(eb_corr_t *c)
{
    c->kx += c->sx * c->inv_n;
    c->ky += c->sy * c->inv_n;
    c->sx = c->sy = c->sxx = c->syy = c->sxy = 0;
    for (int i = 0; i < c->n; i++)
        add(c, c->buf[i].x, c->buf[i].y, 1.0);
}

double eb_corr_step(eb_corr_t *c, double x, double y)
{
    if (c->count == 0) {
        c->kx = x;
        c->ky = y;
    }
    if (c->count == c->n)
        add(c, c->buf[c->pos].x, c->buf[c->pos].y, -1.0);
    else
        c->count++;
    add(c, x, y, 1.0);
    c->run_x = x == c->last_x ? c->run_x + 1 : 1;
    c->run_y = y == c->last_y ? c->run_y + 1 : 1;
    c->last_x = x;
    c->last_y = y;
    c->buf[c->pos].x = x;
    c->buf[c->pos].y = y;
    c->pos = eb_ind_ring_next(c->pos, c->n);
    if (c->pos == 0)
        rebuild(c);
    if (c->count < c->n)
        return NAN;
    if (c->run_x >= c->n || c->run_y >= c->n)
        return 0;
    double vx = c->sxx - c->sx * c->sx * c->inv_n, vy = c->syy - c->sy * c->sy * c->inv_n;
    if (vx <= 0 || vy <= 0)
        return 0;
    double r = (c->sxy - c->sx * c->sy * c->inv_n) / sqrt(vx * vy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}
