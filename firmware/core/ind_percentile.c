#include "core/ind_percentile.h"

#include "core/ind_common.h"

#include <math.h>
#include <string.h>

size_t eb_pctl_size(int n)
{
    return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_pctl_t) + 2u * (size_t)n * sizeof(double)) : 0;
}

eb_pctl_t *eb_pctl_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_pctl_t *p = mem;
    p->n = n;
    p->pos = p->count = p->pad = 0;
    p->hint_in = p->hint_out = 0;
    return p;
}

static double *sorted(eb_pctl_t *p) { return p->v + p->n; }
static const double *sorted_c(const eb_pctl_t *p) { return p->v + p->n; }

/* First index in s[0..n) whose value is >= x (or_equal: > x); s ascending. Branch-free halving, so the
 * data-dependent compares do not cost a mispredict each. */
static int bound(const double *s, int n, double x, int or_equal)
{
    const double *b = s;
    while (n > 1) {
        int half = n / 2;
        double v = b[half - 1];
        b += (or_equal ? v <= x : v < x) ? half : 0;
        n -= half;
    }
    int k = (int)(b - s);
    return n == 1 && (or_equal ? *b <= x : *b < x) ? k + 1 : k;
}

/* First index in s[0..n) whose value is >= x, walking from `from` (any start gives the same answer). */
static int walk_bound(const double *s, int n, double x, int from)
{
    int k = from < 0 ? 0 : from > n ? n : from;
    while (k > 0 && s[k - 1] >= x)
        k--;
    while (k < n && s[k] < x)
        k++;
    return k;
}

/* Pushes x (not NaN); returns its index in the sorted window, the first of any equal values. */
static int push_at(eb_pctl_t *p, double x)
{
    double *s = sorted(p);
    int j;
    if (p->count < p->n) { /* filling: insert at its place */
        j = walk_bound(s, p->count, x, p->hint_in);
        memmove(s + j + 1, s + j, (size_t)(p->count - j) * sizeof *s);
        p->count++;
    } else { /* full: the leaving value's slot i and the new value's place j, then one shift between */
        int i = walk_bound(s, p->n, p->v[p->pos], p->hint_out);
        j = walk_bound(s, p->n, x, p->hint_in);
        p->hint_out = i;
        if (j > i) {
            memmove(s + i, s + i + 1, (size_t)(j - 1 - i) * sizeof *s);
            j--;
        } else {
            memmove(s + j + 1, s + j, (size_t)(i - j) * sizeof *s);
        }
    }
    s[j] = x;
    p->hint_in = j;
    p->v[p->pos] = x;
    p->pos = eb_ind_ring_next(p->pos, p->n);
    return j;
}

int eb_pctl_push(eb_pctl_t *p, double x)
{
    if (isnan(x))
        return -1;
    push_at(p, x);
    return 0;
}

double eb_pctl_push_rank(eb_pctl_t *p, double x)
{
    if (isnan(x))
        return eb_pctl_rank(p, x);
    /* x lands at the first place of its equals: j values are below it, and the equals follow it. */
    int j = push_at(p, x), le = j + 1;
    const double *s = sorted_c(p);
    while (le < p->count && s[le] == x)
        le++;
    return 0.5 * (j + le + 1) / p->count;
}

int eb_pctl_count(const eb_pctl_t *p) { return p->count; }
int eb_pctl_count_less(const eb_pctl_t *p, double x) { return bound(sorted_c(p), p->count, x, 0); }
int eb_pctl_count_le(const eb_pctl_t *p, double x) { return bound(sorted_c(p), p->count, x, 1); }

double eb_pctl_kth(const eb_pctl_t *p, int k) { return k >= 0 && k < p->count ? sorted_c(p)[k] : NAN; }

double eb_pctl_rank(const eb_pctl_t *p, double x)
{
    if (p->count == 0)
        return NAN;
    return 0.5 * (eb_pctl_count_less(p, x) + eb_pctl_count_le(p, x) + 1) / p->count;
}

double eb_pctl_quantile(const eb_pctl_t *p, double q)
{
    if (p->count == 0 || !(q >= 0 && q <= 1))
        return NAN;
    const double *s = sorted_c(p);
    double pos = q * (p->count - 1);
    int lo = (int)floor(pos);
    double frac = pos - lo, a = s[lo], b = lo + 1 < p->count ? s[lo + 1] : a;
    return frac == 0 ? a : a + frac * (b - a);
}
