/* The read endpoints of the operator surface (docs/api.md): GET /api/v1/positions (the engine's slots
 * now), /api/v1/lifecycle (the stage and what the rule says now), /api/v1/trades, /api/v1/events and
 * /api/v1/decisions (the journal, through its read-only connection, newest first, ?limit= bounded) and
 * /api/v1/config (the config as loaded, secrets redacted). */
#ifndef EB_APP_DAEMON_API_READ_H
#define EB_APP_DAEMON_API_READ_H

#include "app/daemon/internal.h"
#include "app/daemon/route_counts.h"
#include "app/http/http_server.h"

#define EB_DAPI_READ_LIMIT_DEFAULT 50
#define EB_DAPI_READ_LIMIT_MAX 200

/* Fills EB_DAPI_READ_ROUTES entries, each with d as its context. */
void eb_dapi_read_routes(eb_daemon_t *d, eb_http_route_t *routes);

#endif
