/* GET /api/v1/performance and /api/v1/analysis (docs/api.md): the closed trades' figures (win rate,
 * expectancy in R, profit factor, drawdown, ...) and their breakdowns by exit reason, side, UTC hour and
 * weekday, over the newest ?limit= closed trades of the journal. */
#ifndef EB_APP_DAEMON_API_PERF_H
#define EB_APP_DAEMON_API_PERF_H

#include "app/daemon/internal.h"
#include "app/http/http_server.h"

#define EB_DAPI_PERF_LIMIT_DEFAULT 1000
#define EB_DAPI_PERF_LIMIT_MAX 10000

/* Fills EB_DAPI_PERF_ROUTES entries (route_counts.h), each with d as its context. */
void eb_dapi_perf_routes(eb_daemon_t *d, eb_http_route_t *routes);

#endif
