/* The figures come from the journal's "trade" events (one per closed trade, written by orders.c:
 * "position N closed: REASON, XR, pnl P, SIDE, held S s"), read newest first through the read-only
 * connection, at most ?limit= of them. Why the journal and not counters in memory: it survives a restart
 * without a snapshot, a window is the same query, and the breakdowns need every trade anyway. Each walk
 * keeps O(1) state per trade and writes a fixed-size answer, so a large window costs time, not memory
 * (docs/api.md gives the time 10,000 trades take). Events written before the side and the time held
 * were added count as side "unknown" and without a hold time. */
#include "app/daemon/api_perf.h"

#include "app/daemon/api_errors.h"
#include "app/daemon/http_state.h"
#include "app/http/http_query.h"
#include "app/http/json_text.h"
#include "app/journal_read.h"
#include "core/reasons.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { SIDE_LONG, SIDE_SHORT, SIDE_UNKNOWN, SIDE_COUNT };
static const char *const k_sides[SIDE_COUNT] = {"long", "short", "unknown"};
static const char *const k_weekdays[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

typedef struct {
    int64_t time_ms;
    int reason; /* eb_exit_reason_t, EB_EXIT_COUNT when the name is not known */
    int side;
    double r, pnl;
    long long held_s; /* -1: not in the event */
} closed_t;

/* 0, or -1 when the detail is not a closed trade's text. */
static int parse_trade(const eb_journal_event_t *e, closed_t *t)
{
    char reason[40], side[8];
    int n = sscanf(e->detail, "position %*u closed: %39[a-z_], %lfR, pnl %lf, %7[a-z], held %lld s", reason, &t->r,
                   &t->pnl, side, &t->held_s);
    if (n < 3 || !isfinite(t->r) || !isfinite(t->pnl))
        return -1;
    t->time_ms = e->time_ms;
    t->reason = EB_EXIT_COUNT;
    for (int i = 0; i < EB_EXIT_COUNT; i++)
        if (strcmp(reason, eb_exit_reason_name((eb_exit_reason_t)i)) == 0)
            t->reason = i;
    t->side = n < 4 ? SIDE_UNKNOWN : strcmp(side, "long") == 0 ? SIDE_LONG : strcmp(side, "short") == 0 ? SIDE_SHORT : SIDE_UNKNOWN;
    if (n < 5 || t->held_s < 0)
        t->held_s = -1;
    return 0;
}

/* The window: ?limit= (1..EB_DAPI_PERF_LIMIT_MAX), the only parameter. -1 when the answer is a 400. */
static int window_of(const eb_http_req_t *req, eb_http_resp_t *r, int *limit)
{
    static const char *const names[] = {"limit", NULL};
    char why[700];
    long n;
    if (eb_http_query_check(req->query, names, why, sizeof why) != 0 ||
        eb_http_query_int(req->query, "limit", 1, EB_DAPI_PERF_LIMIT_MAX, EB_DAPI_PERF_LIMIT_DEFAULT, &n, why,
                          sizeof why) != 0) {
        eb_dapi_error(r, 400, why);
        return -1;
    }
    *limit = (int)n;
    return 0;
}

/* Walks the window's trades newest first into cb; 0, or -1 when the answer is already an error. */
static int walk(const eb_daemon_t *d, eb_http_resp_t *r, int limit, int (*cb)(void *, const eb_journal_event_t *),
                void *ctx)
{
    if (!d->http->reader) {
        eb_dapi_no_reader(r);
        return -1;
    }
    int rc = eb_journal_read_events(d->http->reader, "trade", limit, cb, ctx);
    if (rc >= 0)
        return 0;
    eb_dapi_read_failed(d, r, rc);
    return -1;
}

/* One group of trades: enough for count, win rate, expectancy and profit factor. */
typedef struct {
    long n, wins;
    double r_sum, pnl_sum, gross_win, gross_loss;
} group_t;

static void group_add(group_t *g, const closed_t *t)
{
    g->n++;
    g->wins += t->pnl > 0;
    g->r_sum += t->r;
    g->pnl_sum += t->pnl;
    if (t->pnl > 0)
        g->gross_win += t->pnl;
    else
        g->gross_loss -= t->pnl;
}

/* Ratios of an empty group (and a profit factor without losses) are null, never NaN or infinite. */
static void group_json(eb_http_resp_t *r, const group_t *g)
{
    eb_http_resp_printf(r, "\"trades\":%ld,\"wins\":%ld,\"win_rate\":", g->n, g->wins);
    eb_json_num(r, g->n ? (double)g->wins / (double)g->n : NAN);
    eb_http_resp_printf(r, ",\"expectancy_r\":");
    eb_json_num(r, g->n ? g->r_sum / (double)g->n : NAN);
    eb_http_resp_printf(r, ",\"total_r\":");
    eb_json_num(r, g->r_sum);
    eb_http_resp_printf(r, ",\"profit_factor\":");
    eb_json_num(r, g->gross_loss > 0 ? g->gross_win / g->gross_loss : NAN);
    eb_http_resp_printf(r, ",\"total_pnl\":");
    eb_json_num(r, g->pnl_sum);
}

/* --- GET /api/v1/performance ---------------------------------------------------------------------- */
/* The drawdowns are those of the realised equity: the curve of closed trades, ending at the engine's cash
 * now and walked back trade by trade (equity before a trade = equity after it - its pnl). Walking newest
 * first, the deepest fall is the largest 1 - (lowest equity at or after a point) / (equity at that point). */
typedef struct {
    group_t all;
    double best_r, worst_r;
    long long held_sum;
    long held_n, unparsed;
    int64_t first_ms, last_ms;
    double eq, low_after, high, max_dd; /* eq: the curve at the point reached; NaN without an engine */
} perf_t;

static int perf_row(void *ctx, const eb_journal_event_t *e)
{
    perf_t *p = ctx;
    closed_t t;
    if (parse_trade(e, &t) != 0) {
        p->unparsed++;
        return 0;
    }
    if (p->all.n == 0)
        p->last_ms = t.time_ms;
    p->first_ms = t.time_ms;
    group_add(&p->all, &t);
    p->best_r = fmax(p->best_r, t.r);
    p->worst_r = fmin(p->worst_r, t.r);
    if (t.held_s >= 0)
        p->held_sum += t.held_s, p->held_n++;
    p->eq -= t.pnl;
    if (p->eq > 0)
        p->max_dd = fmax(p->max_dd, 1 - p->low_after / p->eq);
    p->low_after = fmin(p->low_after, p->eq);
    p->high = fmax(p->high, p->eq);
    return 0;
}

static int h_performance(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    int limit;
    if (window_of(req, r, &limit) != 0)
        return 0;
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    double realised = e ? e->cash : NAN;
    perf_t p = {.best_r = -INFINITY, .worst_r = INFINITY, .eq = realised, .low_after = realised, .high = realised};
    if (walk(d, r, limit, perf_row, &p) != 0)
        return 0;
    int any = p.all.n > 0;
    eb_http_resp_printf(r, "{");
    group_json(r, &p.all);
    eb_http_resp_printf(r, ",\"best_r\":");
    eb_json_num(r, any ? p.best_r : NAN);
    eb_http_resp_printf(r, ",\"worst_r\":");
    eb_json_num(r, any ? p.worst_r : NAN);
    eb_http_resp_printf(r, ",\"avg_hold_seconds\":");
    eb_json_num(r, p.held_n ? (double)p.held_sum / (double)p.held_n : NAN);
    eb_http_resp_printf(r, ",\"max_drawdown_pct\":");
    eb_json_num(r, e ? 100 * p.max_dd : NAN);
    eb_http_resp_printf(r, ",\"current_drawdown_pct\":");
    eb_json_num(r, e && p.high > 0 ? 100 * (1 - realised / p.high) : NAN);
    eb_http_resp_printf(r, ",\"equity_start\":");
    eb_json_num(r, e ? e->cfg.initial_capital : NAN);
    eb_http_resp_printf(r, ",\"equity_realised\":");
    eb_json_num(r, realised);
    eb_http_resp_printf(r, ",\"equity_now\":");
    eb_json_num(r, e && e->has_bar ? eb_engine_equity(e, e->last_close) : NAN);
    eb_http_resp_printf(r, ",\"first_exit_ms\":");
    eb_json_num(r, any ? (double)p.first_ms : NAN);
    eb_http_resp_printf(r, ",\"last_exit_ms\":");
    eb_json_num(r, any ? (double)p.last_ms : NAN);
    eb_http_resp_printf(r, ",\"unparsed\":%ld,\"limit\":%d}\n", p.unparsed, limit);
    return 0;
}

/* --- GET /api/v1/analysis ------------------------------------------------------------------------- */
typedef struct {
    group_t reason[EB_EXIT_COUNT + 1], side[SIDE_COUNT], hour[24], weekday[7];
    long unparsed;
} analysis_t;

static int analysis_row(void *ctx, const eb_journal_event_t *e)
{
    analysis_t *a = ctx;
    closed_t t;
    if (parse_trade(e, &t) != 0) {
        a->unparsed++;
        return 0;
    }
    int64_t s = t.time_ms >= 0 ? t.time_ms / 1000 : (t.time_ms - 999) / 1000;
    int64_t day = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    group_add(&a->reason[t.reason], &t);
    group_add(&a->side[t.side], &t);
    group_add(&a->hour[(s - day * 86400) / 3600], &t);
    group_add(&a->weekday[((day % 7) + 7 + 3) % 7], &t); /* 1970-01-01 was a Thursday (index 3) */
    return 0;
}

static void groups_json(eb_http_resp_t *r, const char *key, const group_t *g, int n, const char *const *names)
{
    eb_http_resp_printf(r, ",\"%s\":[", key);
    for (int i = 0; i < n; i++) {
        eb_http_resp_printf(r, "%s{", i ? "," : "");
        if (names) {
            eb_http_resp_printf(r, "\"name\":");
            eb_json_str(r, names[i]);
        } else {
            eb_http_resp_printf(r, "\"hour\":%d", i);
        }
        eb_http_resp_printf(r, ",");
        group_json(r, &g[i]);
        eb_http_resp_printf(r, "}");
    }
    eb_http_resp_printf(r, "]");
}

static int h_analysis(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    int limit;
    if (window_of(req, r, &limit) != 0)
        return 0;
    analysis_t a; /* 2 KiB */
    memset(&a, 0, sizeof a);
    if (walk(d, r, limit, analysis_row, &a) != 0)
        return 0;
    const char *reasons[EB_EXIT_COUNT + 1];
    for (int i = 0; i < EB_EXIT_COUNT; i++)
        reasons[i] = eb_exit_reason_name((eb_exit_reason_t)i);
    reasons[EB_EXIT_COUNT] = "other";
    long n = 0;
    for (int i = 0; i < SIDE_COUNT; i++)
        n += a.side[i].n;
    eb_http_resp_printf(r, "{\"trades\":%ld", n);
    groups_json(r, "by_exit_reason", a.reason, EB_EXIT_COUNT + 1, reasons);
    groups_json(r, "by_side", a.side, SIDE_COUNT, k_sides);
    groups_json(r, "by_exit_hour_utc", a.hour, 24, NULL);
    groups_json(r, "by_exit_weekday_utc", a.weekday, 7, k_weekdays);
    eb_http_resp_printf(r, ",\"unparsed\":%ld,\"limit\":%d}\n", a.unparsed, limit);
    return 0;
}

void eb_dapi_perf_routes(eb_daemon_t *d, eb_http_route_t *rt)
{
    rt[0] = (eb_http_route_t){"/api/v1/performance", EB_HTTP_M(GET), 0, 0, h_performance, d};
    rt[1] = (eb_http_route_t){"/api/v1/analysis", EB_HTTP_M(GET), 0, 0, h_analysis, d};
}
