/* One family per server counter; responses by a fixed set of status codes so the series count stays
 * fixed. */
#include "app/http/http_metrics.h"

#include <stdio.h>

void eb_http_write_metrics(eb_metrics_text_t *w, const eb_http_server_t *s)
{
    const eb_http_stats_t *st = &s->stats;
    const struct { const char *name; eb_metric_type_t type; const char *help; uint64_t value; } plain[] = {
        {"edgebox_http_connections_accepted_total", EB_METRIC_COUNTER, "HTTP connections accepted.", st->accepted},
        {"edgebox_http_connections_refused_total", EB_METRIC_COUNTER,
         "HTTP connections answered 503 and closed (connection limits).", st->refused_busy},
        {"edgebox_http_connections_open", EB_METRIC_GAUGE, "HTTP connections open now.",
         (uint64_t)(st->open > 0 ? st->open : 0)},
        {"edgebox_http_connections_max", EB_METRIC_GAUGE, "HTTP connections allowed at once.",
         (uint64_t)s->cfg.max_conns},
        {"edgebox_http_requests_total", EB_METRIC_COUNTER, "HTTP requests parsed and routed.", st->requests},
        {"edgebox_http_request_timeouts_total", EB_METRIC_COUNTER,
         "HTTP requests not complete within the request timeout (answered 408).", st->timeouts},
        {"edgebox_http_write_timeouts_total", EB_METRIC_COUNTER,
         "HTTP connections closed because the client did not read the answer within the write timeout.",
         st->write_timeouts},
        {"edgebox_http_bad_requests_total", EB_METRIC_COUNTER,
         "HTTP requests refused as malformed or over a limit (400, 413, 414, 431, 501, 505).", st->bad_requests},
        {"edgebox_http_unauthorized_total", EB_METRIC_COUNTER,
         "HTTP control requests without the right bearer token (answered 401).", st->unauthorized},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        eb_mt_family(w, plain[i].name, plain[i].type, plain[i].help);
        eb_mt_sample_u64(w, plain[i].value, NULL);
    }
    eb_mt_family(w, "edgebox_http_responses_total", EB_METRIC_COUNTER, "HTTP responses by status code.");
    const int *codes = eb_http_counted_codes();
    for (int i = 0; i < EB_HTTP_NCODES; i++) {
        char code[8];
        snprintf(code, sizeof code, "%d", codes[i]);
        const char *labels[] = {"code", codes[i] ? code : "other", NULL};
        eb_mt_sample_u64(w, st->by_code[i], labels);
    }
}
