#include "tools/edgebox/validate/wf_plan.h"

#include "common/errf.h"
#include "core/calendar.h"
#include "core/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int64_t eb_wf_bar_interval(const eb_bar_t *bars, size_t n)
{
    int64_t best = 0;
    for (size_t i = 1; i < n && i < 1000; i++) {
        int64_t d = bars[i].open_time_ms - bars[i - 1].open_time_ms;
        if (d > 0 && (best == 0 || d < best))
            best = d;
    }
    return best;
}

/* First bar index with open_time_ms >= t. */
static size_t lower_bound(const eb_bar_t *bars, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bars[mid].open_time_ms < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void iso(int64_t ms, char *out, size_t cap)
{
    eb_civil_t c = eb_calendar_from_ms(ms);
    snprintf(out, cap, "%04d-%02d-%02d", c.year, c.month, c.day);
}

int eb_wf_plan_windows(const eb_wf_config_t *c, const eb_bar_t *bars, size_t n, eb_wf_window_t *out,
                       size_t cap, char *err, size_t errcap)
{
    if (n < 2) {
        return eb_errf(err, errcap, "need at least 2 bars, have %zu", n);
    }
    int64_t end = bars[n - 1].open_time_ms + eb_wf_bar_interval(bars, n);
    eb_civil_t first = eb_calendar_from_ms(bars[0].open_time_ms);
    eb_civil_t month = {first.year, first.month, 1, 0};
    int64_t start = eb_calendar_to_ms(&month);
    if (start < bars[0].open_time_ms)
        start = eb_calendar_add_months(start, 1);
    size_t count = 0;
    for (int k = 0; count < cap; k++) {
        int64_t t0 = eb_calendar_add_months(start, k * c->step_months);
        int64_t v0 = eb_calendar_add_months(t0, c->train_months);
        int64_t v1 = eb_calendar_add_months(v0, c->valid_months);
        if (v1 > end)
            break;
        eb_wf_window_t w = {t0, v0, v1, lower_bound(bars, n, t0), lower_bound(bars, n, v0), lower_bound(bars, n, v1)};
        out[count++] = w;
    }
    if (count == 0) {
        char a[16], b[16], d[16];
        iso(start, a, sizeof a);
        iso(eb_calendar_add_months(start, c->train_months + c->valid_months), b, sizeof b);
        iso(end, d, sizeof d);
        return eb_errf(err, errcap,
                       "windows longer than the data: train %d + validation %d months need data from %s to %s, "
                       "the data ends at %s", c->train_months, c->valid_months, a, b, d);
    }
    return (int)count;
}

size_t eb_wf_set_count(const eb_wf_config_t *c)
{
    return (size_t)eb_wf_irange_count(&c->tenkan) * (size_t)eb_wf_irange_count(&c->kijun) *
           (size_t)eb_wf_irange_count(&c->senkou_b) * (size_t)eb_wf_irange_count(&c->rsi) *
           (size_t)eb_wf_irange_count(&c->atr) * (size_t)c->trials;
}

static int draw_int(eb_rng_t *r, const eb_wf_irange_t *g)
{
    return g->start + (int)floor(eb_rng_uniform(r) * (double)(g->end - g->start + 1));
}

/* Takes the next digit of a mixed-radix index: the range's value at (idx % count). */
static int digit(size_t *idx, const eb_wf_irange_t *g)
{
    size_t count = (size_t)eb_wf_irange_count(g);
    int v = g->start + (int)(*idx % count) * g->step;
    *idx /= count;
    return v;
}

void eb_wf_set_get(const eb_wf_config_t *c, size_t index, eb_wf_set_t *out)
{
    size_t idx = index / (size_t)c->trials;
    eb_wf_set_t s = {.index = index};
    s.fp.displacement = c->displacement;
    s.fp.atr = digit(&idx, &c->atr);
    s.fp.rsi = digit(&idx, &c->rsi);
    s.fp.senkou_b = digit(&idx, &c->senkou_b);
    s.fp.kijun = digit(&idx, &c->kijun);
    s.fp.tenkan = digit(&idx, &c->tenkan);
    eb_rng_t mix, r;
    eb_rng_seed(&mix, (uint64_t)index);
    eb_rng_seed(&r, c->seed ^ eb_rng_u64(&mix));
    double u = eb_rng_uniform(&r), lo = c->learning_rate.min, hi = c->learning_rate.max;
    s.learning_rate = c->learning_rate.log ? exp(log(lo) + u * (log(hi) - log(lo))) : lo + u * (hi - lo);
    s.max_leaves = draw_int(&r, &c->max_leaves);
    s.min_child_weight = draw_int(&r, &c->min_child_weight);
    s.rounds = draw_int(&r, &c->rounds);
    *out = s;
}

int eb_wf_shard_parse(const char *s, int *i, int *n)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || *end != '/')
        return -1;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end || b < 1 || b > 100000 || a < 1 || a > b)
        return -1;
    *i = (int)a;
    *n = (int)b;
    return 0;
}

int eb_wf_shard_owns(size_t index, int i, int n) { return (int)(index % (size_t)n) == i - 1; }

int eb_wf_params_for_hash(const eb_wf_config_t *c, uint64_t hash, eb_feature_params_t *out)
{
    eb_feature_params_t d = eb_feature_params_default();
    d.displacement = c->displacement;
    if (eb_features_schema_hash(&d) == hash) {
        *out = d;
        return 0;
    }
    size_t combos = c->trials ? eb_wf_set_count(c) / (size_t)c->trials : 0;
    for (size_t i = 0; i < combos; i++) {
        eb_wf_set_t s;
        eb_wf_set_get(c, i * (size_t)c->trials, &s);
        if (eb_features_schema_hash(&s.fp) == hash) {
            *out = s.fp;
            return 0;
        }
    }
    return -1;
}
