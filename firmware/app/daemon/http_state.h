/* The operator surface's state (http.c owns it; the route files read it): its own header so that the
 * routes need not include http.h, which includes them (no include cycle). */
#ifndef EB_APP_DAEMON_HTTP_STATE_H
#define EB_APP_DAEMON_HTTP_STATE_H

#include "app/daemon/internal.h"
#include "app/http/http_server.h"

#define EB_DHTTP_CONNS 16 /* ~1.4 MiB of buffers from the arena; the operator, Prometheus, a dashboard */
#define EB_DHTTP_ROUTES 6

struct eb_dhttp {
    eb_http_server_t srv;
    eb_http_route_t routes[EB_DHTTP_ROUTES];
    const char *cors[EB_HTTP_CORS_MAX];
    eb_http_conn_t conns[EB_DHTTP_CONNS];
};

#endif
