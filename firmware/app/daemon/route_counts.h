/* How many routes each route file fills (http_state.h sizes the table from them). A header of its own,
 * with no includes, so that the table's owner need not include the route files' headers, which include
 * the daemon's state, which holds the table. */
#ifndef EB_APP_DAEMON_ROUTE_COUNTS_H
#define EB_APP_DAEMON_ROUTE_COUNTS_H

#define EB_DAPI_ROUTES 7      /* api_routes.c: metrics, status, health, openapi, rearm, disarm, halt */
#define EB_DAPI_READ_ROUTES 6 /* api_read.c */
#define EB_DDASH_ROUTES 2     /* dashboard.c: / and /api/v1/equity */
#define EB_DCONTROL_ROUTES 4  /* api_control.c: flatten, mode, lifecycle/consent, model */
#define EB_DAPI_PERF_ROUTES 2 /* api_perf.c: performance, analysis */

#endif
