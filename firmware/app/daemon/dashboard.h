/* The dashboard at GET / (docs/api.md "Dashboard"): one page built into the binary
 * (web/dashboard.html, embedded by the Makefile), with its script and style inline and allowed by their
 * SHA-256 in a strict Content-Security-Policy. It reads the JSON API every 2 s and sends the control
 * calls with the token the operator pastes. The routes: GET / and GET /api/v1/equity (api_equity.h). */
#ifndef EB_APP_DAEMON_DASHBOARD_H
#define EB_APP_DAEMON_DASHBOARD_H

#include "app/daemon/internal.h"
#include "app/daemon/route_counts.h"
#include "app/http/http_server.h"


/* Fills EB_DDASH_ROUTES entries, each with d as its context, and hashes the page's script and style for
 * its policy (once; the page answers 500 if that failed). */
void eb_ddash_routes(eb_daemon_t *d, eb_http_route_t *routes);

#endif
