/* The control routes beside halt/rearm (docs/api.md "Control"), each behind the bearer token and
 * journalled with its outcome: POST /api/v1/flatten (close every position now), /api/v1/mode (paper; live
 * is refused in this build), /api/v1/lifecycle/consent (the operator's consent to promote the running
 * model to production, SPEC section 9) and /api/v1/model (a signed blob, streamed into the drop directory
 * through a temporary file; models.c verifies, installs and swaps it between two bars, as for a pushed
 * file). */
#ifndef EB_APP_DAEMON_API_CONTROL_H
#define EB_APP_DAEMON_API_CONTROL_H

#include "app/daemon/internal.h"
#include "app/daemon/route_counts.h"
#include "app/http/http_server.h"

#define EB_DCONTROL_JSON_MAX 1024 /* the bodies of mode and consent */

/* Fills EB_DCONTROL_ROUTES entries, each with d as its context. */
void eb_dcontrol_routes(eb_daemon_t *d, eb_http_route_t *routes);
/* After the server started: the model route streams its body. 0, or -1 with err. */
int eb_dcontrol_start(eb_daemon_t *d, char *err, size_t cap);

#endif
