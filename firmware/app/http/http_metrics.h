/* The HTTP server's own metrics (edgebox_http_*), for /metrics (docs/metrics.md "Prometheus"). */
#ifndef EB_APP_HTTP_METRICS_H
#define EB_APP_HTTP_METRICS_H

#include "app/http/http_server.h"
#include "app/http/metrics_text.h"

void eb_http_write_metrics(eb_metrics_text_t *w, const eb_http_server_t *s);

#endif
