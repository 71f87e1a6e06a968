/* Each point is [time_ms, equity]: a pair, not an object, so that the largest answer (1,000 points,
 * ~35 KiB) fits the connection's 64 KiB response buffer with room to spare. */
#include "app/daemon/api_equity.h"

#include "app/daemon/api_errors.h"
#include "app/daemon/http_state.h"
#include "app/http/http_query.h"
#include "app/http/json_text.h"
#include "core/stale.h"
#include "hal/io/clock.h"

#include <stdio.h>

#define POINT_RESERVE 128 /* more than one point's text: "[-9223372036854775808,%.17g]," */

typedef struct {
    eb_http_resp_t *r;
    int n, truncated;
} points_t;

static int point(void *ctx, const eb_journal_equity_t *e)
{
    points_t *w = ctx;
    if (w->r->cap - w->r->len < POINT_RESERVE) {
        w->truncated = 1;
        return 1;
    }
    eb_http_resp_printf(w->r, "%s[%lld,", w->n++ ? "," : "", (long long)e->time_ms);
    eb_json_num(w->r, e->equity);
    eb_http_resp_printf(w->r, "]");
    return 0;
}

int eb_dapi_equity(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    const eb_daemon_t *d = ctx;
    static const char *const names[] = {"limit", NULL};
    char why[700];
    long limit;
    if (eb_http_query_check(req->query, names, why, sizeof why) != 0 ||
        eb_http_query_int(req->query, "limit", 1, EB_DAPI_EQUITY_LIMIT_MAX, EB_DAPI_EQUITY_LIMIT_DEFAULT, &limit,
                          why, sizeof why) != 0)
        return eb_dapi_error(r, 400, why);
    if (!d->http->reader)
        return eb_dapi_no_reader(r);
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    int has_bar = e && e->has_bar;
    eb_http_resp_printf(r, "{\"last_bar_ms\":");
    if (has_bar) /* the age the stale-data rule compares: from the newest bar's open time, on the wall clock */
        eb_http_resp_printf(r, "%lld,\"data_age_seconds\":%.3f", (long long)e->last_time_ms,
                            (double)eb_stale_age_ms(e->last_time_ms, eb_clock_realtime_ms()) / 1000.0);
    else
        eb_http_resp_printf(r, "null,\"data_age_seconds\":null");
    eb_http_resp_printf(r, ",\"stale\":%s,\"points\":[", d->src.stale ? "true" : "false");
    points_t w = {r, 0, 0};
    int rc = eb_journal_read_equity(d->http->reader, (int)limit, point, &w);
    if (rc < 0)
        return eb_dapi_read_failed(d, r, rc);
    eb_http_resp_printf(r, "],\"limit\":%ld,\"truncated\":%s}\n", limit, w.truncated ? "true" : "false");
    return 0;
}
