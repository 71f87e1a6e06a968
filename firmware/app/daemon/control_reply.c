#include "app/daemon/control_reply.h"

#include "app/daemon/jwrite.h"
#include "app/daemon/log.h"
#include "app/daemon/status.h"
#include "app/http/json_text.h"
#include "hal/io/clock.h"

#include <arpa/inet.h>
#include <stdio.h>

void eb_dctl_journal(eb_daemon_t *d, const eb_http_req_t *req, int status, const char *what, const char *why)
{
    char who[INET_ADDRSTRLEN] = "?", detail[200];
    (void)inet_ntop(AF_INET, &req->peer, who, sizeof who);
    snprintf(detail, sizeof detail, "%s from %s: %d %s", what, who, status, why);
    eb_dj_event(d, eb_clock_realtime_ms(), "arming", detail);
    eb_dlog(d, status == 200 ? 5 : 4, "%s", detail);
}

int eb_dctl_reply(const eb_daemon_t *d, eb_http_resp_t *r, int status, int changed, const char *why)
{
    r->status = status;
    eb_http_resp_printf(r, "{\"ok\":%s,\"changed\":%s,\"message\":", status / 100 == 2 ? "true" : "false",
                        changed ? "true" : "false");
    eb_json_str(r, why);
    eb_http_resp_printf(r, ",\"disarm_reasons\":");
    eb_dctl_reasons_json(r, eb_dstatus_arming(d));
    eb_http_resp_printf(r, "}\n");
    return 0;
}

void eb_dctl_reasons_json(eb_http_resp_t *r, eb_arming_t m)
{
    int first = 1;
    eb_http_resp_printf(r, "[");
    for (int i = 0; i < EB_DISARM_COUNT; i++)
        if (eb_arming_has(m, (eb_disarm_reason_t)i)) {
            eb_http_resp_printf(r, "%s\"%s\"", first ? "" : ",", eb_disarm_reason_name((eb_disarm_reason_t)i));
            first = 0;
        }
    eb_http_resp_printf(r, "]");
}
