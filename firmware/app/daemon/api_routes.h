/* The routes of the operator surface (docs/api.md): GET /health, GET /api/v1/status, GET /openapi.json,
 * GET /metrics, the control routes POST /api/v1/rearm and /api/v1/halt (alias /api/v1/disarm) (bearer
 * token), the read routes of api_read.h and the other control routes of api_control.h. */
#ifndef EB_APP_DAEMON_API_ROUTES_H
#define EB_APP_DAEMON_API_ROUTES_H

#include "app/daemon/internal.h"
#include "app/http/http_server.h"

/* Fills the EB_DHTTP_ROUTES entries (http_state.h), each with d as its context. */
void eb_dapi_routes(eb_daemon_t *d, eb_http_route_t *routes);

#endif
