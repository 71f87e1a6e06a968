#include "core/ind_percentile.h"

#include "core/ind_common.h"

#include <math.h>

size_t eb_pctl_size(int n)
{
    return eb_ind_period_ok(n) ? eb_ind_align8(sizeof(eb_pctl_t) + (size_t)n * sizeof(eb_pctl_node_t)) : 0;
}

eb_pctl_t *eb_pctl_init(void *mem, int n)
{
    if (!mem || !eb_ind_period_ok(n))
        return NULL;
    eb_pctl_t *p = mem;
    p->n = n;
    p->pos = p->count = 0;
    p->root = -1;
    p->rng = 2463534242u;
    return p;
}

static int32_t size_of(const eb_pctl_t *p, int32_t i) { return i < 0 ? 0 : p->node[i].size; }

static void update(eb_pctl_t *p, int32_t i)
{
    p->node[i].size = 1 + size_of(p, p->node[i].left) + size_of(p, p->node[i].right);
}

/* (key, slot) order: a strictly before b. */
static int before(const eb_pctl_t *p, int32_t a, int32_t b)
{
    double ka = p->node[a].key, kb = p->node[b].key;
    return ka < kb || (ka == kb && a < b);
}

/* Splits tree t into nodes before `pivot` (*l) and the rest (*r). */
static void split(eb_pctl_t *p, int32_t t, int32_t pivot, int32_t *l, int32_t *r)
{
    if (t < 0) {
        *l = *r = -1;
        return;
    }
    if (before(p, t, pivot)) {
        split(p, p->node[t].right, pivot, &p->node[t].right, r);
        *l = t;
    } else {
        split(p, p->node[t].left, pivot, l, &p->node[t].left);
        *r = t;
    }
    update(p, t);
}

/* Joins two trees where every node of a is before every node of b. */
static int32_t merge(eb_pctl_t *p, int32_t a, int32_t b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    if (p->node[a].prio > p->node[b].prio) {
        p->node[a].right = merge(p, p->node[a].right, b);
        update(p, a);
        return a;
    }
    p->node[b].left = merge(p, a, p->node[b].left);
    update(p, b);
    return b;
}

/* Removes node s (present in t); returns the new root. */
static int32_t erase(eb_pctl_t *p, int32_t t, int32_t s)
{
    if (t == s)
        return merge(p, p->node[t].left, p->node[t].right);
    if (before(p, s, t))
        p->node[t].left = erase(p, p->node[t].left, s);
    else
        p->node[t].right = erase(p, p->node[t].right, s);
    update(p, t);
    return t;
}

static uint32_t next_prio(eb_pctl_t *p)
{
    uint32_t x = p->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return p->rng = x;
}

void eb_pctl_push(eb_pctl_t *p, double x)
{
    int32_t s = p->pos;
    if (p->count == p->n)
        p->root = erase(p, p->root, s);
    else
        p->count++;
    eb_pctl_node_t *nd = &p->node[s];
    nd->key = x;
    nd->left = nd->right = -1;
    nd->size = 1;
    nd->prio = next_prio(p);
    int32_t l, r;
    split(p, p->root, s, &l, &r);
    p->root = merge(p, merge(p, l, s), r);
    p->pos = eb_ind_ring_next(p->pos, p->n);
}

int eb_pctl_count(const eb_pctl_t *p) { return p->count; }

static int count_below(const eb_pctl_t *p, int32_t root, double x, int or_equal)
{
    int c = 0;
    for (int32_t t = root; t >= 0;) {
        double k = p->node[t].key;
        if (k < x || (or_equal && k == x)) {
            c += size_of(p, p->node[t].left) + 1;
            t = p->node[t].right;
        } else {
            t = p->node[t].left;
        }
    }
    return c;
}

int eb_pctl_count_less(const eb_pctl_t *p, double x) { return count_below(p, p->root, x, 0); }
int eb_pctl_count_le(const eb_pctl_t *p, double x) { return count_below(p, p->root, x, 1); }

double eb_pctl_kth(const eb_pctl_t *p, int k)
{
    int32_t t = p->root;
    while (t >= 0) {
        int ls = size_of(p, p->node[t].left);
        if (k < ls) {
            t = p->node[t].left;
        } else if (k == ls) {
            return p->node[t].key;
        } else {
            k -= ls + 1;
            t = p->node[t].right;
        }
    }
    return NAN;
}

double eb_pctl_rank(const eb_pctl_t *p, double x)
{
    if (p->count == 0)
        return NAN;
    /* One descent for both counts: the paths for "< x" and "<= x" only part at a node equal to x. */
    int c = 0;
    int32_t t = p->root;
    while (t >= 0 && p->node[t].key != x) {
        int right = p->node[t].key < x;
        c += right ? size_of(p, p->node[t].left) + 1 : 0;
        t = right ? p->node[t].right : p->node[t].left;
    }
    int less = c, le = c;
    if (t >= 0) {
        less += count_below(p, p->node[t].left, x, 0);
        le += size_of(p, p->node[t].left) + 1 + count_below(p, p->node[t].right, x, 1);
    }
    return 0.5 * (less + le + 1) / p->count;
}

/* The k-th smallest value and the one after it (its in-order successor, or the same when k is last). */
static void kth_pair(const eb_pctl_t *p, int k, double *a, double *b)
{
    int32_t t = p->root, after = -1;
    while (t >= 0) {
        int ls = size_of(p, p->node[t].left);
        if (k < ls) {
            after = t;
            t = p->node[t].left;
        } else if (k == ls) {
            break;
        } else {
            k -= ls + 1;
            t = p->node[t].right;
        }
    }
    if (t < 0) { /* k outside 0..count-1: callers never ask, but a wrong k must not read node[-1] */
        *a = *b = 0;
        return;
    }
    *a = p->node[t].key;
    int32_t r = p->node[t].right;
    if (r >= 0) {
        while (p->node[r].left >= 0)
            r = p->node[r].left;
        after = r;
    }
    *b = after >= 0 ? p->node[after].key : *a;
}

double eb_pctl_quantile(const eb_pctl_t *p, double q)
{
    if (p->count == 0)
        return NAN;
    double pos = q * (p->count - 1);
    int lo = (int)floor(pos);
    double frac = pos - lo, a, b;
    kth_pair(p, lo, &a, &b);
    return frac == 0 ? a : a + frac * (b - a);
}
