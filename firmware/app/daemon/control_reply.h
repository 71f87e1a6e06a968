/* What every control call does besides its own work (api_routes.c's halt and rearm, api_control.c's
 * others): its journal event and log line, "rearm from 127.0.0.1: 409 ...", and its JSON answer
 * {"ok","changed","message","disarm_reasons"}. Its own file so that both route files use it and neither
 * includes the other. */
#ifndef EB_APP_DAEMON_CONTROL_REPLY_H
#define EB_APP_DAEMON_CONTROL_REPLY_H

#include "app/daemon/internal.h"
#include "app/http/http_server.h"

/* The journal event (kind "arming": a control call arms or disarms) and the log line of one call. */
void eb_dctl_journal(eb_daemon_t *d, const eb_http_req_t *req, int status, const char *what, const char *why);
/* The answer: status, whether anything changed, why, and the disarm reasons after the call. Returns 0. */
int eb_dctl_reply(const eb_daemon_t *d, eb_http_resp_t *r, int status, int changed, const char *why);
/* The reasons in m as a JSON array of their names, e.g. ["kill_switch","no_model"]. */
void eb_dctl_reasons_json(eb_http_resp_t *r, eb_arming_t m);

#endif
