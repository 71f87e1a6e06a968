/* Each handler is small: it reads the daemon's state or calls kill.c/status.c, writes JSON into the
 * response buffer and allocates nothing. Control calls are journalled with the caller's address and their
 * outcome (never the token). */
#include "app/daemon/api_routes.h"

#include "app/daemon/api_control.h"
#include "app/daemon/api_perf.h"
#include "app/daemon/api_read.h"
#include "app/daemon/control_reply.h"
#include "app/daemon/dashboard.h"
#include "app/daemon/http_state.h"
#include "app/daemon/jwrite.h"
#include "app/daemon/kill.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/metrics_daemon.h"
#include "app/daemon/openapi.h"
#include "app/daemon/status.h"
#include "app/http/json_text.h"
#include "hal/io/clock.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>

/* Reasons that mean the box is not working as it should (health), as opposed to an operator's choice
 * (kill switch, master switch) or the strategy's state (breakers, lifecycle). */
#define UNHEALTHY                                                                                            \
    (EB_DISARM_BIT(EB_DISARM_JOURNAL) | EB_DISARM_BIT(EB_DISARM_STALE_DATA) |                                  \
     EB_DISARM_BIT(EB_DISARM_KILL_SWITCH_FAULT) | EB_DISARM_BIT(EB_DISARM_CLOCK) |                             \
     EB_DISARM_BIT(EB_DISARM_STARTING) | EB_DISARM_BIT(EB_DISARM_UNRECONCILED))

static const char *kill_state(const eb_daemon_t *d)
{
    if (!d->kill.ready)
        return "not read yet";
    if (eb_button_state(&d->kill.button) == EB_KILL_ARMED && d->kill.button.raw)
        return "pressed";
    return eb_kill_state_name(eb_button_state(&d->kill.button));
}

/* The net position in base units: + long, - short, 0 flat (the open slots, not the pending entries). */
static double net_position(const eb_engine_t *e)
{
    double q = 0;
    for (int i = 0; e && i < EB_ENGINE_MAX_POSITIONS; i++)
        if (e->slots[i].state == EB_SLOT_OPEN)
            q += e->slots[i].pos.side * e->slots[i].pos.qty;
    return q;
}

static int h_status(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)req, (void)body;
    const eb_daemon_t *d = ctx;
    eb_arming_t m = eb_dstatus_arming(d);
    const eb_engine_t *e = d->pipe ? &d->pipe->engine : NULL;
    eb_http_resp_printf(r, "{\"version\":");
    eb_json_str(r, EB_VERSION);
    eb_http_resp_printf(r, ",\"mode\":\"paper\",\"armed\":%s,\"disarm_reasons\":", m ? "false" : "true");
    eb_dctl_reasons_json(r, m);
    eb_http_resp_printf(r, ",\"kill_switch\":");
    eb_json_str(r, kill_state(d));
    eb_http_resp_printf(r, ",\"bars\":%llu,\"equity\":", (unsigned long long)d->t.bars);
    eb_json_num(r, e && e->has_bar ? eb_engine_equity(e, e->last_close) : NAN);
    eb_http_resp_printf(r, ",\"open_positions\":%d,\"position_qty\":", e ? eb_engine_open_positions(e) : 0);
    eb_json_num(r, net_position(e));
    eb_http_resp_printf(r, ",\"model\":");
    eb_json_str(r, d->models.store.active >= 0 ? d->models.store.manifest.model_id : NULL);
    eb_http_resp_printf(r, ",\"lifecycle\":");
    eb_json_str(r, eb_dlc_stage(d));
    eb_http_resp_printf(r, ",\"tls_fingerprint\":"); /* what a client pins (docs/api.md "TLS"); null: plain */
    eb_json_str(r, d->http && d->http->srv.cfg.tls ? d->http->srv.cfg.tls->fingerprint : NULL);
    eb_http_resp_printf(r, ",\"uptime_seconds\":%.3f}\n",
                        (double)(eb_clock_monotonic_ms() - d->stats.start_mono_ms) / 1000.0);
    return 0;
}

static int h_health(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)req, (void)body;
    const eb_daemon_t *d = ctx;
    eb_arming_t bad = eb_dstatus_arming(d) & UNHEALTHY;
    r->status = bad ? 503 : 200;
    eb_http_resp_printf(r, "{\"status\":\"%s\",\"reasons\":", bad ? "unhealthy" : "ok");
    eb_dctl_reasons_json(r, bad);
    eb_http_resp_printf(r, "}\n");
    return 0;
}

/* The operator's disarm survives a restart: written with the call's event, in its transaction. */
static void persist_disarm(eb_daemon_t *d, const char *value)
{
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_state_set(d->jw.j, "operator.disarmed", value, eb_clock_realtime_ms()),
                    "operator.disarmed");
}

static int control_answer(eb_daemon_t *d, const eb_http_req_t *req, eb_http_resp_t *r, int status, int changed,
                          const char *what, const char *why)
{
    eb_dctl_journal(d, req, status, what, why);
    return eb_dctl_reply(d, r, status, changed, why);
}

/* While the journal fails, a change could not be written, and recover.c's roll-back to the last commit
 * would undo it unseen: control waits (the journal reason disarms meanwhile anyway). */
static int journal_failing(eb_daemon_t *d, const eb_http_req_t *req, eb_http_resp_t *r, const char *what)
{
    if (!d->jw.failing)
        return 0;
    control_answer(d, req, r, 503, 0, what, "the journal is failing: nothing changed; try again once it writes");
    return 1;
}

static int h_disarm(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    eb_daemon_t *d = ctx;
    if (journal_failing(d, req, r, "disarm"))
        return 0;
    if (!d->pipe)
        return control_answer(d, req, r, 409, 0, "disarm", "the engine is not started yet");
    int changed = d->pipe->engine.cfg.master_switch != 0;
    d->pipe->engine.cfg.master_switch = 0; /* EB_DISARM_MASTER_SWITCH until POST /api/v1/rearm */
    d->operator_disarmed = 1;
    eb_dstatus_update(d);
    persist_disarm(d, "1");
    eb_dctl_journal(d, req, 200, "disarm", changed ? "master switch off" : "already off");
    if (d->pipe->engine.cfg.master_switch) { /* the event's commit failed and rolled the engine back */
        d->operator_disarmed = 0;
        return eb_dctl_reply(d, r, 503, 0, "the journal is failing: not switched off (the journal reason disarms "
                                            "meanwhile); try again");
    }
    return eb_dctl_reply(d, r, 200, changed, changed ? "master switch off" : "already off");
}

static int h_rearm(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    eb_daemon_t *d = ctx;
    char who[INET_ADDRSTRLEN + 16] = "the API";
    char addr[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &req->peer, addr, sizeof addr))
        snprintf(who, sizeof who, "the API from %s", addr);
    if (journal_failing(d, req, r, "rearm"))
        return 0;
    int rc = eb_dkill_rearm(d, who);
    if (rc == EB_BUTTON_REARM_PRESSED) /* the physical button wins: nothing else changes either */
        return control_answer(d, req, r, 409, 0, "rearm",
                              !d->kill.ready            ? "the kill switch is not read yet"
                              : eb_button_faulted(&d->kill.button) && d->kill.button.state == EB_KILL_LATCHED_HELD
                                  ? "the kill-switch line cannot be read"
                                  : "the kill-switch button is pressed: release it first");
    int master = 0;
    if (d->operator_disarmed && d->pipe) {
        d->pipe->engine.cfg.master_switch = 1;
        d->operator_disarmed = 0;
        master = 1;
        eb_dstatus_update(d);
        persist_disarm(d, "0");
    }
    const char *why = rc == EB_BUTTON_REARM_OK ? (master ? "kill switch re-armed, master switch on" : "kill switch re-armed")
                      : master                 ? "master switch on"
                                               : "nothing to re-arm";
    eb_dctl_journal(d, req, 200, "rearm", why);
    if (master && !d->pipe->engine.cfg.master_switch) { /* the event's commit failed and rolled it back */
        d->operator_disarmed = 1;
        return eb_dctl_reply(d, r, 503, rc == EB_BUTTON_REARM_OK,
                             "the journal is failing: the master switch stays off; try again");
    }
    return eb_dctl_reply(d, r, 200, rc == EB_BUTTON_REARM_OK || master, why);
}

void eb_dapi_routes(eb_daemon_t *d, eb_http_route_t *rt)
{
    rt[0] = (eb_http_route_t){"/metrics", EB_HTTP_M(GET), 0, 0, eb_dmetrics_handler, d};
    rt[1] = (eb_http_route_t){"/api/v1/status", EB_HTTP_M(GET), 0, 0, h_status, d};
    rt[2] = (eb_http_route_t){"/health", EB_HTTP_M(GET), 0, 0, h_health, d};
    rt[3] = (eb_http_route_t){"/openapi.json", EB_HTTP_M(GET), 0, 0, eb_dopenapi_handler, d};
    rt[4] = (eb_http_route_t){"/api/v1/rearm", EB_HTTP_M(POST), 1, 0, h_rearm, d};
    rt[5] = (eb_http_route_t){"/api/v1/disarm", EB_HTTP_M(POST), 1, 0, h_disarm, d};
    rt[6] = (eb_http_route_t){"/api/v1/halt", EB_HTTP_M(POST), 1, 0, h_disarm, d}; /* SPEC's name; disarm is its alias */
    eb_dapi_read_routes(d, rt + EB_DAPI_ROUTES);
    eb_ddash_routes(d, rt + EB_DAPI_ROUTES + EB_DAPI_READ_ROUTES);
    eb_dcontrol_routes(d, rt + EB_DAPI_ROUTES + EB_DAPI_READ_ROUTES + EB_DDASH_ROUTES);
    eb_dapi_perf_routes(d, rt + EB_DAPI_ROUTES + EB_DAPI_READ_ROUTES + EB_DDASH_ROUTES + EB_DCONTROL_ROUTES);
}
