/* The operator surface's state (http.c owns it; the route files read it): its own header so that the
 * routes need not include http.h, which includes them (no include cycle). */
#ifndef EB_APP_DAEMON_HTTP_STATE_H
#define EB_APP_DAEMON_HTTP_STATE_H

#include "app/daemon/api_read.h"
#include "app/daemon/dashboard.h"
#include "app/daemon/internal.h"
#include "app/http/http_server.h"
#include "app/journal_read.h"

#define EB_DHTTP_CONNS 16 /* ~1.4 MiB of buffers from the arena; the operator, Prometheus, a dashboard */
#define EB_DHTTP_ROUTES (6 + EB_DAPI_READ_ROUTES + EB_DDASH_ROUTES) /* api_routes.c's, api_read.c's, dashboard.c's */

struct eb_dhttp {
    eb_http_server_t srv;
    eb_http_route_t routes[EB_DHTTP_ROUTES];
    const char *cors[EB_HTTP_CORS_MAX];
    eb_journal_reader_t *reader; /* the read endpoints' journal connection (NULL: it did not open) */
    eb_http_conn_t conns[EB_DHTTP_CONNS];
};

#endif
