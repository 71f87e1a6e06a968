/* Control calls beside halt and rearm (api_routes.c): like those, each one is journalled with the caller's
 * address and its outcome, changes nothing while the journal is failing, and never touches the kill
 * switch. The bodies of mode and consent are small JSON objects; the model's body is streamed to a file
 * (http_server.h's eb_http_server_stream), so a blob of up to appliance.max_model_kib passes through the
 * connection's fixed buffer without being held whole. */
#include "app/daemon/api_control.h"

#include "app/daemon/control_reply.h"
#include "app/daemon/http_state.h"
#include "app/daemon/jwrite.h"
#include "app/daemon/lifecycle.h"
#include "app/daemon/log.h"
#include "app/daemon/orders.h"
#include "app/daemon/status.h"
#include "common/json_strict.h"
#include "hal/io/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int refuse_failing_journal(eb_daemon_t *d, const eb_http_req_t *req, eb_http_resp_t *r, const char *what)
{
    if (!d->jw.failing)
        return 0;
    eb_dctl_journal(d, req, 503, what, "the journal is failing: nothing changed; try again once it writes");
    eb_dctl_reply(d, r, 503, 0, "the journal is failing: nothing changed; try again once it writes");
    return 1;
}

static int answer(eb_daemon_t *d, const eb_http_req_t *req, eb_http_resp_t *r, int status, int changed,
                  const char *what, const char *why)
{
    eb_dctl_journal(d, req, status, what, why);
    return eb_dctl_reply(d, r, status, changed, why);
}

/* The body's string member `key` into out: 0, or -1 with a message for the 400 (in msg). */
static int body_string(const eb_http_req_t *req, const char *body, const char *key, char *out, size_t cap, char *msg,
                       size_t mcap)
{
    char err[200];
    cJSON *root = eb_json_strict_parse(body, (size_t)req->content_length, "body", err, sizeof err);
    if (!root) {
        snprintf(msg, mcap, "malformed JSON body: %s", err);
        return -1;
    }
    const char *v = cJSON_IsObject(root) ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, key)) : NULL;
    int rc = 0;
    if (!v) {
        snprintf(msg, mcap, "the body must be a JSON object with a string \"%s\"", key);
        rc = -1;
    } else if (strlen(v) >= cap) {
        snprintf(msg, mcap, "\"%s\" is longer than %zu bytes", key, cap - 1);
        rc = -1;
    } else {
        memcpy(out, v, strlen(v) + 1);
    }
    cJSON_Delete(root);
    return rc;
}

/* Every open position closed now, at the last price (the paper venue fills between bars), and the entry
 * orders still waiting cancelled, in one transaction, as the kill switch's halt does; the orders leave
 * only once it is on disk. Trading stays armed: POST /api/v1/halt first to stop new entries. */
static int h_flatten(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    eb_daemon_t *d = ctx;
    char why[160];
    if (refuse_failing_journal(d, req, r, "flatten"))
        return 0;
    if (!d->pipe || !d->kill.halt_ok || !d->pipe->engine.has_bar)
        return answer(d, req, r, 409, 0, "flatten", "the engine has not resumed its positions yet");
    if (eb_engine_open_positions(&d->pipe->engine) == 0)
        return answer(d, req, r, 409, 0, "flatten", "nothing is open: no position and no pending entry");
    if (!eb_dj_begin(d))
        return answer(d, req, r, 503, 0, "flatten", "the journal is failing: nothing changed; try again");
    int nc = eb_dorders_cancel_entries(d, "operator flatten");
    int nf = eb_dorders_flatten(d, d->pipe->engine.last_time_ms, "operator_flatten");
    snprintf(why, sizeof why, "%d positions closed, %d pending entries cancelled", nf, nc);
    eb_dstatus_update(d);
    if (eb_dj_commit(d, 1) != 0) /* rolled back: the engine holds its positions again */
        return answer(d, req, r, 503, 0, "flatten", "the journal is failing: nothing was closed; try again");
    eb_dorders_flush(d);
    return answer(d, req, r, 200, nf + nc > 0, "flatten", why);
}

static int h_mode(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_daemon_t *d = ctx;
    char mode[16], msg[300];
    if (body_string(req, body, "mode", mode, sizeof mode, msg, sizeof msg) != 0)
        return answer(d, req, r, 400, 0, "mode", msg);
    if (strcmp(mode, "paper") == 0)
        return answer(d, req, r, 200, 0, "mode", "already paper");
    if (strcmp(mode, "live") == 0) /* the live gate: no live broker exists in this build */
        return answer(d, req, r, 409, 0, "mode live", "live trading is not available in this build");
    return answer(d, req, r, 400, 0, "mode", "\"mode\" must be \"paper\" or \"live\"");
}

/* The consent is for one model: the running one, named by the caller so that a consent given while
 * looking at another model (a swap in between) is refused. It is kept in the journal's state
 * (lifecycle.consent) and the lifecycle rule reads it at its next decision. */
static int h_consent(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    eb_daemon_t *d = ctx;
    char model[sizeof d->t.life.consent], stage[32], msg[300], why[200];
    if (body_string(req, body, "model_id", model, sizeof model, msg, sizeof msg) != 0 ||
        body_string(req, body, "stage", stage, sizeof stage, msg, sizeof msg) != 0)
        return answer(d, req, r, 400, 0, "consent", msg);
    if (strcmp(stage, "production") != 0)
        return answer(d, req, r, 400, 0, "consent",
                      "\"stage\" must be \"production\": the lifecycle asks consent only for going live");
    if (refuse_failing_journal(d, req, r, "consent"))
        return 0;
    const char *running = d->models.store.active >= 0 ? d->models.store.manifest.model_id : NULL;
    if (!running || strcmp(running, model) != 0) {
        snprintf(why, sizeof why, "model %.40s is not the running model (%.40s): nothing changed", model,
                 running ? running : "none");
        return answer(d, req, r, 409, 0, "consent", why);
    }
    int changed = strcmp(d->t.life.consent, model) != 0;
    snprintf(d->t.life.consent, sizeof d->t.life.consent, "%s", model);
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_state_set(d->jw.j, "lifecycle.consent", model, eb_clock_realtime_ms()),
                    "lifecycle.consent");
    if (eb_dj_commit(d, 1) != 0) /* rolled back with the traded state: the consent is gone again */
        return answer(d, req, r, 503, 0, "consent", "the journal is failing: no consent recorded; try again");
    snprintf(why, sizeof why, "consent recorded: model %.40s may be promoted to production once the rule holds (%s now)",
             model, eb_dlc_stage(d));
    return answer(d, req, r, 200, changed, "consent", why);
}

/* The upload's stream: the first chunk opens ".api-upload.tmp" in the drop directory (a dot file: the
 * scan leaves it alone), every chunk is written, an abandoned upload is removed. */
static void upload_drop(eb_dupload_t *u)
{
    if (u->fd < 0)
        return;
    (void)close(u->fd); /* the file goes anyway */
    (void)unlink(u->tmp);
    u->fd = -1;
}

static int upload_refuse(eb_dupload_t *u, const char **why, const char *fmt, const char *arg)
{
    upload_drop(u);
    snprintf(u->why, sizeof u->why, fmt, arg);
    *why = u->why;
    return 500;
}

static int upload_begin(eb_daemon_t *d, const eb_http_req_t *req, const char **why)
{
    eb_dupload_t *u = &d->http->upload;
    const eb_http_slice_t *ct = eb_http_header(req, "content-type");
    static const char octet[] = "application/octet-stream";
    if (!ct || ct->n < sizeof octet - 1 || strncasecmp(ct->p, octet, sizeof octet - 1) != 0) {
        *why = "the body must be sent as Content-Type: application/octet-stream (the signed blob as is)";
        return 400;
    }
    if (u->fd >= 0) {
        *why = "another model upload is in progress: try again when it is done";
        return 409;
    }
    if (d->jw.failing) {
        *why = "the journal is failing: no model is accepted until it writes again";
        return 503;
    }
    if (!d->models.pubkey) {
        *why = "appliance.public_key is not set: no model can be accepted";
        return 409;
    }
    snprintf(u->tmp, sizeof u->tmp, "%s/.api-upload.tmp", d->models.drop_dir);
    (void)unlink(u->tmp); /* one left by a daemon that died during an upload */
    u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (u->fd < 0)
        return upload_refuse(u, why, "cannot create the upload's file in the drop directory: %s", strerror(errno));
    u->started_mono = eb_clock_monotonic_ms();
    return 0;
}

static int model_stream(void *ctx, const eb_http_req_t *req, const char *chunk, size_t n, uint64_t off, const char **why)
{
    eb_daemon_t *d = ctx;
    eb_dupload_t *u = &d->http->upload;
    if (!chunk) { /* abandoned */
        if (u->fd >= 0)
            eb_dlog(d, 4, "model upload abandoned after %llu bytes: its file is removed", (unsigned long long)off);
        upload_drop(u);
        return 0;
    }
    if (off == 0) {
        int st = upload_begin(d, req, why);
        if (st != 0)
            return st;
    }
    while (n > 0) {
        ssize_t w = write(u->fd, chunk, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return upload_refuse(u, why, "cannot write the upload: %s (the running model is unchanged)",
                                 w < 0 ? strerror(errno) : "nothing written");
        chunk += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The whole body is in the temporary file: synced, renamed into the drop directory under a name of its
 * own (the directory's watch picks it up next, and models.c decides), the directory synced. */
static int h_model(void *ctx, const eb_http_req_t *req, const char *body, eb_http_resp_t *r)
{
    (void)body;
    eb_daemon_t *d = ctx;
    eb_dupload_t *u = &d->http->upload;
    char name[64], path[EB_PATH_MAX + 80], why[300];
    if (req->content_length == 0 || u->fd < 0) /* an empty body: the stream never began (for this request) */
        return answer(d, req, r, 400, 0, "model upload", "an empty body: send the signed blob (edgebox model sign)");
    snprintf(name, sizeof name, "api-%lld.blob", (long long)eb_clock_realtime_ms());
    snprintf(path, sizeof path, "%s/%s", d->models.drop_dir, name);
    if (fsync(u->fd) != 0 || close(u->fd) != 0) {
        snprintf(why, sizeof why, "cannot sync the upload: %s (the running model is unchanged)", strerror(errno));
        u->fd = -1;
        (void)unlink(u->tmp);
        return answer(d, req, r, 500, 0, "model upload", why);
    }
    u->fd = -1;
    if (rename(u->tmp, path) != 0) {
        snprintf(why, sizeof why, "cannot move the upload into the drop directory: %s", strerror(errno));
        (void)unlink(u->tmp);
        return answer(d, req, r, 500, 0, "model upload", why);
    }
    int dfd = open(d->models.drop_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) /* the file is there; only a power cut right now could lose the name */
        eb_dlog(d, 4, "model upload: cannot sync the drop directory: %s", strerror(errno));
    if (dfd >= 0)
        (void)close(dfd);
    snprintf(why, sizeof why, "received %llu bytes as %s: it is verified and, if accepted, installed between two "
                              "bars (see GET /api/v1/status \"model\" and GET /api/v1/events)",
             (unsigned long long)req->content_length, name);
    eb_dctl_journal(d, req, 202, "model upload", why);
    eb_dctl_reply(d, r, 202, 1, why);
    return 0;
}

void eb_dcontrol_routes(eb_daemon_t *d, eb_http_route_t *rt)
{
    rt[0] = (eb_http_route_t){"/api/v1/flatten", EB_HTTP_M(POST), 1, 0, h_flatten, d};
    rt[1] = (eb_http_route_t){"/api/v1/mode", EB_HTTP_M(POST), 1, EB_DCONTROL_JSON_MAX, h_mode, d};
    rt[2] = (eb_http_route_t){"/api/v1/lifecycle/consent", EB_HTTP_M(POST), 1, EB_DCONTROL_JSON_MAX, h_consent, d};
    rt[3] = (eb_http_route_t){"/api/v1/model", EB_HTTP_M(POST), 1, (uint32_t)d->app.max_model_kib << 10, h_model, d};
}

int eb_dcontrol_start(eb_daemon_t *d, char *err, size_t cap)
{
    d->http->upload.fd = -1;
    if (eb_http_server_stream(&d->http->srv, "/api/v1/model", model_stream) != 0) {
        snprintf(err, cap, "http: the model route cannot stream its body");
        return -1;
    }
    return 0;
}
