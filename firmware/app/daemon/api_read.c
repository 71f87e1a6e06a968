/* Each handler writes its JSON straight into the response buffer. The journal walks stop before a row
 * could overflow it (the answer then says "truncated": true), so an answer is always whole JSON. */
#include "app/daemon/api_read.h"

#include "app/daemon/api_errors.h"
#include "app/daemon/http_state.h"
#include "app/daemon/lifecycle.h"
#include "app/http/http_query.h"
#include "app/http/json_text.h"
#include "app/journal_read.h"
#include "core/reasons.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Room one more row may need: an event's 255-byte detail escaped byte by byte (\u00XX) is 1.5 KiB. */
#define ROW_RESERVE 2048

static int query(const eb_http_req_t *req, eb_http_resp_t *r, const char *const names[])
{
    char why[160];
    if (eb_http_query_check(req->query, names, why, sizeof why) == 0)
        return 0;
    eb_dapi_error(r, 400, why);
    return -1;
}

static int limit_of(const eb_http_req_t *req, eb_http_resp_t *r, int *limit)
{
    char why[160];
    long n;
    if (eb_http_query_int(req->query, "limit", 1, EB_DAPI_READ_LIMIT_MAX, EB_DAPI_READ_LIMIT_DEFAULT, &n, why,
                          sizeof why) != 0) {
        eb_dapi_error(r, 400, why);
        return -1;
    }
    *limit = (int)n;
    return 0;
}

typedef struct {
    eb_http_resp_t *r;
    int n, truncated;
} rows_t;

/* 1 (stop) when another row might not fit. */
static int row_begin(rows_t *w)
{
    if (w->r->cap - w->r->len < ROW_RESERVE) {
        w->truncated = 1;
        return 1;
    }
    eb_http_resp_printf(w->r, "%s", w->n++ ? "," : "");
    return 0;
}

static void rows_end(rows_t *w, int limit)
{
    eb_http_resp_printf(w->r, "],\"limit\":%d,\"truncated\":%s}\n", limit, w->truncated ? "true" : "false");
}

/* --- GET /api/v1/positions ------------------------------------------------------------------------ */
static void position_json(eb_http_resp_t *r, const eb_slot_t *s, double close)
{
    const eb_position_t *p = &s->pos;
    int open = s->state == EB_SLOT_OPEN;
    eb_http_resp_printf(r, "{\"id\":%u,\"state\":\"%s\",\"side\":\"%s\",\"qty\":", s->id, open ? "open" : "pending",
                        p->side > 0 ? "long" : "short");
    eb_json_num(r, open ? p->qty : s->pending_qty);
    eb_http_resp_printf(r, ",\"qty_initial\":");
    eb_json_num(r, open ? p->qty_initial : NAN);
    eb_http_resp_printf(r, ",\"entry\":");
    eb_json_num(r, open ? p->entry : s->pending_price); /* pending: the reference price the entry was sized at */
    eb_http_resp_printf(r, ",\"stop\":");
    eb_json_num(r, open ? p->stop : NAN);
    eb_http_resp_printf(r, ",\"stop_kind\":");
    eb_json_str(r, open ? eb_stop_kind_name(p->stop_kind) : NULL);
    eb_http_resp_printf(r, ",\"r_dist\":");
    eb_json_num(r, open ? p->r_dist : NAN);
    eb_http_resp_printf(r, ",\"r_now\":");
    eb_json_num(r, open && isfinite(close) ? eb_position_r(p, close) : NAN);
    eb_http_resp_printf(r, ",\"trailing\":%s,\"partial_done\":%s,\"stop_pending\":%s,\"entry_time_ms\":%lld}",
                        open && p->trailing ? "true" : "false", open && p->partial_done ? "true" : "false",
                        open && s->stop_pending ? "true" : "false", (long long)s->entry_time_ms);
}

static int h_positions(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {NULL};
    if (query(req, r, names) != 0)
        return 0;
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    double close = e && e->has_bar ? e->last_close : NAN;
    eb_http_resp_printf(r, "{\"symbol\":");
    eb_json_str(r, d->app.symbol);
    eb_http_resp_printf(r, ",\"last_close\":");
    eb_json_num(r, close);
    eb_http_resp_printf(r, ",\"positions\":[");
    int n = 0;
    for (int i = 0; e && i < EB_ENGINE_MAX_POSITIONS; i++)
        if (e->slots[i].state != EB_SLOT_FREE) {
            eb_http_resp_printf(r, "%s", n++ ? "," : "");
            position_json(r, &e->slots[i], close);
        }
    eb_http_resp_printf(r, "]}\n");
    return 0;
}

/* --- GET /api/v1/trades --------------------------------------------------------------------------- */
static int trade_row(void *ctx, const eb_journal_trade_t *t)
{
    rows_t *w = ctx;
    if (row_begin(w))
        return 1;
    eb_http_resp_t *r = w->r;
    eb_http_resp_printf(r, "{\"id\":%lld,\"time_ms\":%lld,\"symbol\":", (long long)t->id, (long long)t->time_ms);
    eb_json_str(r, t->symbol);
    eb_http_resp_printf(r, ",\"side\":\"%s\",\"type\":", t->side > 0 ? "buy" : "sell");
    eb_json_str(r, t->type);
    eb_http_resp_printf(r, ",\"reason\":");
    eb_json_str(r, t->reason);
    eb_http_resp_printf(r, ",\"qty\":");
    eb_json_num(r, t->qty);
    eb_http_resp_printf(r, ",\"price\":");
    eb_json_num(r, t->price);
    eb_http_resp_printf(r, ",\"fee\":");
    eb_json_num(r, t->fee);
    eb_http_resp_printf(r, ",\"fee_asset\":");
    eb_json_str(r, t->fee_asset);
    eb_http_resp_printf(r, ",\"client_id\":");
    eb_json_str(r, t->client_id);
    eb_http_resp_printf(r, ",\"trade_id\":");
    eb_json_str(r, t->trade_id);
    eb_http_resp_printf(r, "}");
    return 0;
}

static int h_trades(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {"limit", NULL};
    int limit;
    if (query(req, r, names) != 0 || limit_of(req, r, &limit) != 0)
        return 0;
    if (!d->http->reader)
        return eb_dapi_no_reader(r);
    rows_t w = {r, 0, 0};
    eb_http_resp_printf(r, "{\"trades\":[");
    int rc = eb_journal_read_trades(d->http->reader, limit, trade_row, &w);
    if (rc < 0)
        return eb_dapi_read_failed(d, r, rc);
    rows_end(&w, limit);
    return 0;
}

/* --- GET /api/v1/events --------------------------------------------------------------------------- */
/* The kinds the journal's schema allows (journal.h, eb_journal_event_add): another is a typo, not a filter
 * that matches nothing. */
static const char *const k_kinds[] = {"start",     "stop",      "kill_switch", "arming", "breaker", "model",
                                      "lifecycle", "reconcile", "stale_data",  "trade",  "error",   "config"};

static int event_row(void *ctx, const eb_journal_event_t *e)
{
    rows_t *w = ctx;
    if (row_begin(w))
        return 1;
    eb_http_resp_printf(w->r, "{\"id\":%lld,\"time_ms\":%lld,\"kind\":", (long long)e->id, (long long)e->time_ms);
    eb_json_str(w->r, e->kind);
    eb_http_resp_printf(w->r, ",\"detail\":");
    eb_json_str(w->r, e->detail);
    eb_http_resp_printf(w->r, "}");
    return 0;
}

static int h_events(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {"limit", "kind", NULL};
    int limit;
    if (query(req, r, names) != 0 || limit_of(req, r, &limit) != 0)
        return 0;
    char kind[EB_HTTP_QUERY_VALUE_MAX + 1];
    int has_kind = eb_http_query_get(req->query, "kind", kind, sizeof kind);
    int known = !has_kind;
    for (size_t i = 0; has_kind && i < sizeof k_kinds / sizeof k_kinds[0]; i++)
        known |= strcmp(kind, k_kinds[i]) == 0;
    if (!known)
        return eb_dapi_error(r, 400, "query parameter 'kind' must be one of start, stop, kill_switch, arming, breaker, model, "
                            "lifecycle, reconcile, stale_data, trade, error, config");
    if (!d->http->reader)
        return eb_dapi_no_reader(r);
    rows_t w = {r, 0, 0};
    eb_http_resp_printf(r, "{\"events\":[");
    int rc = eb_journal_read_events(d->http->reader, has_kind ? kind : NULL, limit, event_row, &w);
    if (rc < 0)
        return eb_dapi_read_failed(d, r, rc);
    rows_end(&w, limit);
    return 0;
}

/* --- GET /api/v1/decisions ------------------------------------------------------------------------ */
static int decision_row(void *ctx, int64_t id, const eb_journal_decision_t *dn)
{
    rows_t *w = ctx;
    if (row_begin(w))
        return 1;
    eb_http_resp_t *r = w->r;
    eb_http_resp_printf(r, "{\"id\":%lld,\"bar_ms\":%lld,\"action\":", (long long)id, (long long)dn->bar_ms);
    eb_json_str(r, dn->action);
    eb_http_resp_printf(r, ",\"p_buy\":");
    eb_json_num(r, dn->p_buy);
    eb_http_resp_printf(r, ",\"p_sell\":");
    eb_json_num(r, dn->p_sell);
    eb_http_resp_printf(r, ",\"p_neutral\":");
    eb_json_num(r, dn->p_neutral);
    eb_http_resp_printf(r, ",\"reason\":");
    eb_json_str(r, dn->reason[0] ? dn->reason : NULL);
    eb_http_resp_printf(r, ",\"model_id\":");
    eb_json_str(r, dn->model_id[0] ? dn->model_id : NULL);
    eb_http_resp_printf(r, "}");
    return 0;
}

static int h_decisions(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {"limit", NULL};
    int limit;
    if (query(req, r, names) != 0 || limit_of(req, r, &limit) != 0)
        return 0;
    if (!d->http->reader)
        return eb_dapi_no_reader(r);
    rows_t w = {r, 0, 0};
    eb_http_resp_printf(r, "{\"decisions\":[");
    int rc = eb_journal_read_decisions(d->http->reader, limit, decision_row, &w);
    if (rc < 0)
        return eb_dapi_read_failed(d, r, rc);
    rows_end(&w, limit);
    return 0;
}

/* --- GET /api/v1/lifecycle ------------------------------------------------------------------------ */
/* The stage from memory, and what the rule would say at the last bar (it runs after every closed trade and
 * once a UTC day, so this is what the next run decides unless a trade comes first). */
static int h_lifecycle(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {NULL};
    if (query(req, r, names) != 0)
        return 0;
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    eb_lc_params_t p;
    eb_lc_decision_t dec;
    int known = e && e->has_bar && eb_dlc_outlook(d, e->last_time_ms, &p, &dec) == 0;
    eb_http_resp_printf(r, "{\"strategy\":");
    eb_json_str(r, e ? e->cfg.strategy : NULL);
    eb_http_resp_printf(r, ",\"stage\":");
    eb_json_str(r, eb_dlc_stage(d));
    if (!known) {
        eb_http_resp_printf(r, ",\"since_ms\":null,\"trades\":null,\"rule\":null}\n");
        return 0;
    }
    const eb_lc_track_t *t = &d->t.life.lc;
    eb_http_resp_printf(r, ",\"since_ms\":%lld,\"trades\":%llu,\"rule\":{\"at_ms\":%lld,\"action\":",
                        (long long)t->since_ms, (unsigned long long)t->count, (long long)e->last_time_ms);
    eb_json_str(r, eb_lc_action_name(dec.action));
    eb_http_resp_printf(r, ",\"next\":");
    eb_json_str(r, eb_lc_state_name(dec.next));
    eb_http_resp_printf(r, ",\"reason\":");
    eb_json_str(r, eb_lc_reason_text(dec.reason));
    eb_http_resp_printf(r, ",\"expectancy\":");
    eb_json_num(r, dec.expectancy);
    eb_http_resp_printf(r, ",\"eligible_ms\":%lld,\"min_trades\":%d,\"window\":%d,\"promote_expectancy\":",
                        (long long)dec.eligible_ms, p.min_trades, p.window);
    eb_json_num(r, p.promote_expectancy);
    eb_http_resp_printf(r, ",\"demote_expectancy\":");
    eb_json_num(r, p.demote_expectancy);
    eb_http_resp_printf(r, ",\"operator_consent\":false}}\n");
    return 0;
}

/* --- GET /api/v1/config --------------------------------------------------------------------------- */
/* The file as loaded, and beside it what the command line changed (it wins over the file). */
static int h_config(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {NULL};
    if (query(req, r, names) != 0)
        return 0;
    if (!d->config_view_ok)
        return eb_dapi_error(r, 500, "the config could not be kept for this answer at start (larger than 16 KiB)");
    eb_http_resp_printf(r, "{\"path\":");
    eb_json_str(r, d->opt.config_path);
    eb_http_resp_printf(r, ",\"effective\":{\"mode\":\"%s\",\"board\":", d->app.mode == EB_MODE_LIVE ? "live" : "paper");
    eb_json_str(r, d->board);
    eb_http_resp_printf(r, ",\"state_dir\":");
    eb_json_str(r, d->app.state_dir);
    eb_http_resp_printf(r, ",\"source\":\"%s\",\"replay_file\":", d->app.source == EB_SOURCE_REPLAY ? "replay" : "exchange");
    eb_json_str(r, d->app.source == EB_SOURCE_REPLAY ? d->app.replay_file : NULL);
    eb_http_resp_printf(r, ",\"http_port\":%d,\"control\":%s},\"config\":",
                        d->opt.http_port > 0 ? d->opt.http_port : d->app.http.port,
                        d->http->srv.token_len ? "true" : "false");
    eb_http_resp_write(r, d->config_view, strlen(d->config_view));
    eb_http_resp_printf(r, "}\n");
    return 0;
}

void eb_dapi_read_routes(eb_daemon_t *d, eb_http_route_t *rt)
{
    rt[0] = (eb_http_route_t){"/api/v1/positions", EB_HTTP_M(GET), 0, 0, h_positions, d};
    rt[1] = (eb_http_route_t){"/api/v1/trades", EB_HTTP_M(GET), 0, 0, h_trades, d};
    rt[2] = (eb_http_route_t){"/api/v1/events", EB_HTTP_M(GET), 0, 0, h_events, d};
    rt[3] = (eb_http_route_t){"/api/v1/config", EB_HTTP_M(GET), 0, 0, h_config, d};
    rt[4] = (eb_http_route_t){"/api/v1/decisions", EB_HTTP_M(GET), 0, 0, h_decisions, d};
    rt[5] = (eb_http_route_t){"/api/v1/lifecycle", EB_HTTP_M(GET), 0, 0, h_lifecycle, d};
}
