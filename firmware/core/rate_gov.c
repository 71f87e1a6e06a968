#include "core/rate_gov.h"

#include "core/name_table.h"

#include <limits.h>
#include <string.h>

#define LEN_1M 60000
#define LEN_10S 10000
#define LEN_1D 86400000
#define WEEK_MS 604800000

static int time_ok(int64_t t) { return t >= 0 && t <= EB_TIME_MS_MAX; }

static const char *const verdict_names[] = {
    [EB_RATE_SEND] = "send",
    [EB_RATE_WAIT] = "wait",
    [EB_RATE_PAUSED] = "paused",
    [EB_RATE_BANNED] = "banned",
    [EB_RATE_E_ARG] = "bad_argument",
    [EB_RATE_E_TOO_HEAVY] = "too_heavy",
};
_Static_assert(sizeof verdict_names / sizeof verdict_names[0] == EB_RATE_VERDICT_COUNT, "a name for every verdict");

const char *eb_rate_verdict_name(eb_rate_verdict_t v) { return EB_NAME_AT(verdict_names, v); }

void eb_rate_params_default(eb_rate_params_t *p)
{
    p->weight_limit_1m = 6000;
    p->order_limit_10s = 100;
    p->order_limit_1d = 200000;
    p->margin_pct = 10;
    p->boundary_guard_ms = 1000;
    p->pause_default_ms = 60000;
    p->ban_default_ms = 120000;
}

int eb_rate_init(eb_rate_gov_t *g, const eb_rate_params_t *p)
{
    memset(g, 0, sizeof *g);
    if (!p || p->weight_limit_1m < 1 || p->order_limit_10s < 1 || p->order_limit_1d < 0 || p->margin_pct < 0 ||
        p->margin_pct > 50 || p->boundary_guard_ms < 0 || p->boundary_guard_ms > LEN_10S || p->pause_default_ms < 1 ||
        p->pause_default_ms > WEEK_MS || p->ban_default_ms < 1 || p->ban_default_ms > WEEK_MS)
        return -1;
    g->p = *p;
    /* Window -1 is before any now_ms >= 0 (the guard is at most one window), so the first use rolls. */
    g->weight.index = g->orders_10s.index = g->orders_1d.index = -1;
    return 0;
}

int eb_rate_parse_count(const char *s, int *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 9)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int64_t window_index(const eb_rate_gov_t *g, int64_t now, int64_t len)
{
    int64_t t = now - g->p.boundary_guard_ms;
    return t >= 0 ? t / len : -1; /* t >= -len: the guard is at most one window */
}

/* The share of a limit that may be used: never below 1, so a limit of 1 still lets one through. */
static int budget(const eb_rate_gov_t *g, int limit)
{
    int64_t b = (int64_t)limit * (100 - g->p.margin_pct) / 100;
    return b < 1 ? 1 : (int)b;
}

/* What window idx holds: its count, or, for the window after w's, the tail w carries into it. */
static int64_t used_in(const eb_rate_window_t *w, int64_t idx)
{
    return w->index == idx ? w->used : w->index + 1 == idx ? w->tail : 0;
}

/* How long until this window lets `add` more in (0: now). */
static int64_t window_wait(const eb_rate_gov_t *g, const eb_rate_window_t *w, int64_t now, int64_t len, int limit, int add)
{
    int64_t idx = window_index(g, now, len);
    int64_t used = used_in(w, idx);
    if (used + add <= budget(g, limit))
        return 0;
    return (idx + 1) * len + g->p.boundary_guard_ms - now;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

eb_rate_verdict_t eb_rate_may_send(const eb_rate_gov_t *g, int64_t now_ms, int weight, int is_order, int64_t *wait_ms)
{
    if (!g || !wait_ms || !time_ok(now_ms) || weight < 0)
        return EB_RATE_E_ARG;
    *wait_ms = 0;
    if (now_ms < g->pause_until_ms) {
        *wait_ms = g->pause_until_ms - now_ms;
        return g->banned ? EB_RATE_BANNED : EB_RATE_PAUSED;
    }
    if (weight > budget(g, g->p.weight_limit_1m))
        return EB_RATE_E_TOO_HEAVY;
    int64_t wait = window_wait(g, &g->weight, now_ms, LEN_1M, g->p.weight_limit_1m, weight);
    if (is_order) {
        wait = max64(wait, window_wait(g, &g->orders_10s, now_ms, LEN_10S, g->p.order_limit_10s, 1));
        if (g->p.order_limit_1d > 0)
            wait = max64(wait, window_wait(g, &g->orders_1d, now_ms, LEN_1D, g->p.order_limit_1d, 1));
    }
    *wait_ms = wait;
    return wait > 0 ? EB_RATE_WAIT : EB_RATE_SEND;
}

/* Moves w to the window of now (never back: a clock step backwards keeps counting in the newer one). */
static void roll(const eb_rate_gov_t *g, eb_rate_window_t *w, int64_t now, int64_t len)
{
    int64_t idx = window_index(g, now, len);
    if (idx > w->index) {
        w->used = (int)used_in(w, idx);
        w->index = idx;
        w->tail = 0;
    }
}

static int plus(int a, int b) { return a > INT_MAX - b ? INT_MAX : a + b; }

static void add(const eb_rate_gov_t *g, eb_rate_window_t *w, int64_t now, int64_t len, int n)
{
    roll(g, w, now, len);
    w->used = plus(w->used, n);
    /* The last 2 x guard of our window may fall into the venue's next one (its clock ahead of ours). */
    if (now >= (w->index + 1) * len + g->p.boundary_guard_ms - 2 * g->p.boundary_guard_ms)
        w->tail = plus(w->tail, n);
}

int eb_rate_sent(eb_rate_gov_t *g, int64_t now_ms, int weight, int is_order)
{
    if (!g || !time_ok(now_ms) || weight < 0)
        return -1;
    add(g, &g->weight, now_ms, LEN_1M, weight);
    if (is_order) {
        add(g, &g->orders_10s, now_ms, LEN_10S, 1);
        add(g, &g->orders_1d, now_ms, LEN_1D, 1);
    }
    return 0;
}

/* A header's count for the current window: kept if above our own. Returns bit when refused. */
static int take_count(const eb_rate_gov_t *g, eb_rate_window_t *w, int64_t now, int64_t len, const char *value, int bit)
{
    int v;
    if (!value)
        return 0;
    if (eb_rate_parse_count(value, &v) != 0)
        return bit;
    roll(g, w, now, len);
    if (v > w->used)
        w->used = v;
    return 0;
}

int eb_rate_response(eb_rate_gov_t *g, int64_t now_ms, int http_status, const eb_rate_headers_t *h)
{
    if (!g || !time_ok(now_ms))
        return -1;
    eb_rate_headers_t none = {0};
    if (!h)
        h = &none;
    int refused = take_count(g, &g->weight, now_ms, LEN_1M, h->used_weight_1m, EB_RATE_H_WEIGHT_1M) |
                  take_count(g, &g->orders_10s, now_ms, LEN_10S, h->order_count_10s, EB_RATE_H_ORDERS_10S) |
                  take_count(g, &g->orders_1d, now_ms, LEN_1D, h->order_count_1d, EB_RATE_H_ORDERS_1D);
    if (http_status != 429 && http_status != 418)
        return refused;
    int secs;
    int64_t pause = http_status == 418 ? g->p.ban_default_ms : g->p.pause_default_ms;
    if (h->retry_after && eb_rate_parse_count(h->retry_after, &secs) != 0)
        refused |= EB_RATE_H_RETRY_AFTER;
    else if (h->retry_after)
        pause = (int64_t)secs * 1000;
    if (now_ms >= g->pause_until_ms) /* the previous pause is over: whatever it was, it is no longer */
        g->banned = 0;
    if (now_ms + pause > g->pause_until_ms)
        g->pause_until_ms = now_ms + pause;
    if (http_status == 418)
        g->banned = 1;
    return refused;
}
