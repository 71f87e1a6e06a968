/* GET /metrics: the daemon's Prometheus families (docs/metrics.md "Prometheus"), written into the
 * response buffer with no allocation. */
#ifndef EB_APP_DAEMON_METRICS_DAEMON_H
#define EB_APP_DAEMON_METRICS_DAEMON_H

#include "app/http/http_server.h"

/* An eb_http_handler_t; ctx is the daemon. */
int eb_dmetrics_handler(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r);

#endif
