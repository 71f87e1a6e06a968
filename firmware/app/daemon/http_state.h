/* The operator surface's state (http.c owns it; the route files read it): its own header so that the
 * routes need not include http.h, which includes them (no include cycle). */
#ifndef EB_APP_DAEMON_HTTP_STATE_H
#define EB_APP_DAEMON_HTTP_STATE_H

#include "app/daemon/internal.h"
#include "app/daemon/route_counts.h"
#include "app/http/http_server.h"
#include "app/journal_read.h"

#define EB_DHTTP_CONNS 16 /* ~1.4 MiB of buffers from the arena; the operator, Prometheus, a dashboard */
/* api_routes.c's, api_read.c's, dashboard.c's, api_control.c's, api_perf.c's, and spare ones (zeroed: never matched) */
#define EB_DHTTP_ROUTES (EB_DAPI_ROUTES + EB_DAPI_READ_ROUTES + EB_DDASH_ROUTES + EB_DCONTROL_ROUTES + EB_DAPI_PERF_ROUTES + 2)

/* One model upload at a time: its temporary file in the drop directory while the body streams. */
typedef struct {
    int fd;                /* -1: no upload in progress */
    char tmp[EB_PATH_MAX + 32];
    char why[160];         /* the refusal of the last chunk (the server answers with it) */
    int64_t started_mono;
} eb_dupload_t;

struct eb_dhttp {
    eb_http_server_t srv;
    eb_http_route_t routes[EB_DHTTP_ROUTES];
    const char *cors[EB_HTTP_CORS_MAX];
    eb_journal_reader_t *reader; /* the read endpoints' journal connection (NULL: it did not open) */
    eb_http_tls_t tls;   /* the listener's key and certificate, when it speaks TLS (srv.cfg.tls points here) */
    eb_dupload_t upload; /* api_control.c: POST /api/v1/model's file while it streams */
    eb_http_conn_t conns[EB_DHTTP_CONNS];
};

#endif
