/* The Bot API client: two easy handles (sendMessage, getUpdates) on one multi handle whose sockets and
 * timeout live in the daemon's loop. A service timer starts the next send when the queue, the token
 * bucket and any 429 hold allow it, and the next long poll when the last one is done. Everything it
 * needs is reserved at start-up; curl and cJSON allocate per request from the arena and free it again. */
#include "app/daemon/telegram.h"

#include "app/daemon/telegram_notify.h"
#include "app/daemon/telegram_state.h"
#include "app/daemon/log.h"
#include "app/daemon/telegram_cmd.h"
#include "app/journal_read.h"
#include "app/telegram_queue.h"
#include "app/telegram_text.h"
#include "common/errf.h"
#include "common/file_read.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEND_TIMEOUT_MS 10000    /* one sendMessage, connect included */
#define POLL_WAIT_S 10           /* getUpdates' long-poll timeout (the server holds the request this long) */
#define POLL_TIMEOUT_MS 20000    /* ... and ours for the whole request */
#define POLL_GAP_MS 500          /* at least this between two polls (a server that answers at once) */
#define POLL_BACKOFF_MAX_MS 60000
#define SEND_ATTEMPTS 3          /* a message that failed this often (transport, 5xx) is dropped */
#define SERVICE_MS 100
#define SEND_RESP_CAP 4096
#define POLL_RESP_CAP (256 * 1024) /* EB_TG_UPDATES_MAX messages of 4096 characters, UTF-8, with their JSON */
#define BODY_CAP (EB_TG_TEXT_MAX * 6 + 160) /* every byte escaped as \u00XX, plus the chat id */

static int64_t now_ms(const struct eb_dtg *t) { return t->d->loop.clock_ms(); }

/* --- curl's sockets and timeout in the loop ------------------------------------------------------- */

static void after_action(struct eb_dtg *t);

static void on_fd(void *ctx, int fd, short revents)
{
    struct eb_dtg *t = ctx;
    int flags = 0, running;
    if (revents & (POLLIN | POLLHUP))
        flags |= CURL_CSELECT_IN;
    if (revents & POLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (revents & (POLLERR | POLLNVAL))
        flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(t->multi, fd, flags, &running);
    after_action(t);
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)e, (void)socketp;
    struct eb_dtg *t = userp;
    if (what == CURL_POLL_REMOVE) {
        eb_loop_remove_fd(&t->d->loop, s);
        return 0;
    }
    short ev = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
    if (eb_loop_set_events(&t->d->loop, s, ev) == 0 ||
        eb_loop_add_fd(&t->d->loop, s, ev, EB_LOOP_PRIO_NORMAL, on_fd, t) == 0)
        return 0;
    eb_dlog(t->d, 3, "telegram: the main loop's descriptor table is full; the request is abandoned");
    return -1;
}

static void on_curl_timer(void *ctx, int64_t now)
{
    (void)now;
    struct eb_dtg *t = ctx;
    int running;
    t->curl_timer = 0;
    curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    after_action(t);
}

/* curl asks for one timeout at a time: -1 none, else milliseconds from now (0: as soon as possible). */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    struct eb_dtg *t = userp;
    if (t->curl_timer > 0)
        eb_loop_cancel_timer(&t->d->loop, t->curl_timer);
    t->curl_timer = 0;
    if (timeout_ms >= 0) {
        t->curl_timer = eb_loop_add_timer(&t->d->loop, timeout_ms, 0, on_curl_timer, t);
        if (t->curl_timer < 0) {
            t->curl_timer = 0;
            eb_dlog(t->d, 3, "telegram: the main loop's timer table is full");
            return -1;
        }
    }
    return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    resp_t *r = ctx;
    size_t len = size * n;
    if (r->len + len >= r->cap) {
        r->over = 1;
        return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
    }
    memcpy(r->buf + r->len, p, len);
    r->len += len;
    r->buf[r->len] = '\0';
    return len;
}

static int start(struct eb_dtg *t, CURL *h, resp_t *r, long timeout_ms)
{
    curl_easy_setopt(h, CURLOPT_URL, t->url);
    memset(t->url, 0, sizeof t->url); /* curl keeps its own copy; ours held the token */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "edgeboxd/" EB_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    r->len = 0;
    r->over = 0;
    r->buf[0] = '\0';
    return curl_multi_add_handle(t->multi, h) == CURLM_OK ? 0 : -1;
}

/* --- sendMessage ----------------------------------------------------------------------------------- */

static void start_send(struct eb_dtg *t, int64_t now)
{
    const eb_tg_msg_t *m = eb_tgq_peek(&t->q);
    int n = eb_tg_send_body(t->body, BODY_CAP, t->d->app.telegram.chat_id, m->text, m->len);
    if (n < 0) { /* cannot happen with BODY_CAP; a message we cannot send must not block the queue */
        eb_tgq_pop(&t->q);
        t->dropped_failed++;
        return;
    }
    CURL *h = t->send;
    curl_easy_reset(h);
    snprintf(t->url, sizeof t->url, "%s/bot%s/sendMessage", t->d->app.telegram.api_base, t->token);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)n);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->json_header);
    if (start(t, h, &t->send_resp, SEND_TIMEOUT_MS) != 0) {
        eb_dlog(t->d, 4, "telegram: sendMessage could not start");
        t->next_send_ms = now + 1000;
        return;
    }
    eb_tg_bucket_take(&t->bucket, now);
    t->send_busy = 1;
}

static void send_failed(struct eb_dtg *t, int64_t now, const char *what, int retry)
{
    t->failed++;
    int give_up = !retry || ++t->send_attempts >= SEND_ATTEMPTS;
    if (!t->send_failing || give_up)
        eb_dlog(t->d, 4, "telegram: sendMessage failed: %s (%s)", what,
                give_up ? "message dropped" : "will retry");
    t->send_failing = 1;
    if (give_up) {
        eb_tgq_pop(&t->q);
        t->dropped_failed++;
        t->send_attempts = 0;
    }
    t->next_send_ms = now + 2000LL * (t->send_attempts ? t->send_attempts : 1);
}

static void send_done(struct eb_dtg *t, CURLcode rc, int64_t now)
{
    long code = 0;
    char what[96];
    curl_easy_getinfo(t->send, CURLINFO_RESPONSE_CODE, &code);
    t->send_busy = 0;
    if (rc == CURLE_OK && code == 200) {
        if (t->send_failing)
            eb_dlog(t->d, 5, "telegram: sendMessage works again");
        t->send_failing = 0;
        t->send_attempts = 0;
        t->sent++;
        eb_tgq_pop(&t->q);
        return;
    }
    if (rc == CURLE_OK && code == 429) { /* the message stays first; nothing goes before retry_after */
        int64_t s = eb_tg_retry_after(t->send_resp.buf, t->send_resp.len);
        if (s < 0)
            s = 5; /* a 429 without the parameter: a guess, never zero */
        eb_tg_bucket_hold(&t->bucket, now, s);
        t->rate_limited++;
        t->failed++;
        eb_dlog(t->d, 4, "telegram: sendMessage rate-limited (HTTP 429): waiting %lld s", (long long)s);
        return;
    }
    if (rc == CURLE_OK) {
        snprintf(what, sizeof what, "HTTP %ld", code);
        send_failed(t, now, what, code >= 500); /* a 4xx is the request's fault: sending it again will not help */
    } else {
        snprintf(what, sizeof what, "%s", curl_easy_strerror(rc)); /* the message names no URL */
        send_failed(t, now, what, 1);
    }
}

/* --- getUpdates ------------------------------------------------------------------------------------ */

static void start_poll(struct eb_dtg *t, int64_t now)
{
    CURL *h = t->poll;
    curl_easy_reset(h);
    snprintf(t->url, sizeof t->url, "%s/bot%s/getUpdates?offset=%lld&timeout=%d&limit=%d&allowed_updates=%%5B%%22message%%22%%5D",
             t->d->app.telegram.api_base, t->token, (long long)t->offset, POLL_WAIT_S, EB_TG_UPDATES_MAX);
    if (start(t, h, &t->poll_resp, POLL_TIMEOUT_MS) != 0) {
        t->next_poll_ms = now + 1000;
        return;
    }
    t->poll_busy = 1;
}

static void poll_failed(struct eb_dtg *t, int64_t now, const char *what)
{
    t->poll_backoff_ms = t->poll_backoff_ms ? t->poll_backoff_ms * 2 : 1000;
    if (t->poll_backoff_ms > POLL_BACKOFF_MAX_MS)
        t->poll_backoff_ms = POLL_BACKOFF_MAX_MS;
    if (!t->poll_failing)
        eb_dlog(t->d, 4, "telegram: getUpdates failed: %s (retrying, commands wait)", what);
    t->poll_failing = 1;
    t->next_poll_ms = now + t->poll_backoff_ms;
}

static void poll_done(struct eb_dtg *t, CURLcode rc, int64_t now)
{
    long code = 0;
    char what[96];
    curl_easy_getinfo(t->poll, CURLINFO_RESPONSE_CODE, &code);
    t->poll_busy = 0;
    if (rc != CURLE_OK || code != 200) {
        if (rc == CURLE_OK)
            snprintf(what, sizeof what, "HTTP %ld", code);
        else
            snprintf(what, sizeof what, "%s", t->poll_resp.over ? "answer too big" : curl_easy_strerror(rc));
        poll_failed(t, now, what);
        return;
    }
    eb_tg_update_t u[EB_TG_UPDATES_MAX];
    int n = eb_tg_parse_updates(t->poll_resp.buf, t->poll_resp.len, u, EB_TG_UPDATES_MAX, &t->offset);
    if (n < 0) {
        poll_failed(t, now, "not a getUpdates answer");
        return;
    }
    if (t->poll_failing)
        eb_dlog(t->d, 5, "telegram: getUpdates works again");
    t->poll_failing = 0;
    t->poll_backoff_ms = 0;
    t->next_poll_ms = now + POLL_GAP_MS;
    for (int i = 0; i < n; i++) {
        if (!u[i].chat_id)
            continue;
        if (u[i].chat_id != t->chat) { /* only the configured chat is served: others are counted, not answered */
            t->ignored++;
            continue;
        }
        if (u[i].cmd == EB_TG_CMD_NONE)
            continue;
        t->commands++;
        eb_dtg_command(t->d, t->reader, &u[i]);
    }
}

/* Finished transfers: taken off the multi handle and handed to their done function. */
static void after_action(struct eb_dtg *t)
{
    int left;
    for (CURLMsg *m; (m = curl_multi_info_read(t->multi, &left));) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *h = m->easy_handle;
        CURLcode rc = m->data.result;
        curl_multi_remove_handle(t->multi, h);
        if (h == t->send)
            send_done(t, rc, now_ms(t));
        else if (h == t->poll)
            poll_done(t, rc, now_ms(t));
    }
}

static void on_service(void *ctx, int64_t now)
{
    struct eb_dtg *t = ctx;
    if (!t->send_busy && eb_tgq_peek(&t->q) && now >= t->next_send_ms && eb_tg_bucket_wait(&t->bucket, now) == 0)
        start_send(t, now);
    if (!t->poll_busy && now >= t->next_poll_ms)
        start_poll(t, now);
}

/* --- start, notify, metrics, close ------------------------------------------------------------------ */

/* The token file as appliance.http.token_file's: a regular file only its owner can read. */
static int load_token(struct eb_dtg *t, const char *path, char *err, size_t cap)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return eb_errf(err, cap, "appliance.telegram.token_file: %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return eb_errf(err, cap, "appliance.telegram.token_file: %s is not a regular file (a link is not followed)", path);
    if (st.st_mode & 077)
        return eb_errf(err, cap, "appliance.telegram.token_file: %s is mode %04o; it must be 0600 (chmod 600 %s)",
                       path, (unsigned)(st.st_mode & 07777), path);
    char ferr[300];
    long n = eb_file_read_into(path, t->token, sizeof t->token - 1, EB_READ_NOFOLLOW, ferr, sizeof ferr);
    if (n < 0)
        return eb_errf(err, cap, "appliance.telegram.token_file: %s", ferr);
    while (n > 0 && (t->token[n - 1] == '\n' || t->token[n - 1] == '\r' || t->token[n - 1] == ' '))
        n--;
    t->token[n] = '\0';
    /* a bot token is "digits:letters"; only these characters can go into the URL unescaped */
    int bad = n < 20 || n > TOKEN_MAX - 2 || !strchr(t->token, ':') ||
              strspn(t->token, "0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-") != (size_t)n;
    if (bad) {
        memset(t->token, 0, sizeof t->token);
        return eb_errf(err, cap, "appliance.telegram.token_file: %s: not a bot token (one line \"123456:ABC...\" of "
                                 "20..%d characters [0-9A-Za-z:_-])", path, TOKEN_MAX - 2);
    }
    return 0;
}

static int setup_curl(struct eb_dtg *t, char *err, size_t cap)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (strncmp(t->d->app.telegram.api_base, "https://", 8) == 0 && !(v->features & CURL_VERSION_SSL))
        return eb_errf(err, cap, "appliance.telegram.api_base: this build's libcurl %s has no TLS", v->version);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return eb_errf(err, cap, "telegram: curl_global_init failed");
    t->multi = curl_multi_init();
    t->send = curl_easy_init();
    t->poll = curl_easy_init();
    t->json_header = curl_slist_append(NULL, "Content-Type: application/json");
    if (!t->multi || !t->send || !t->poll || !t->json_header)
        return eb_errf(err, cap, "telegram: no memory for the curl handles: raise appliance.arena_mib");
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
    return 0;
}

int eb_dtg_start(eb_daemon_t *d, char *err, size_t cap)
{
    const int qn = d->app.telegram.queue;
    if (!d->app.telegram.on)
        return 0;
    struct eb_dtg *t = calloc(1, sizeof *t); /* once, at start-up, from the arena */
    eb_tg_msg_t *slots = t ? malloc((size_t)qn * sizeof *slots) : NULL;
    if (t) {
        t->body = malloc(BODY_CAP);
        t->send_resp = (resp_t){malloc(SEND_RESP_CAP), 0, SEND_RESP_CAP, 0};
        t->poll_resp = (resp_t){malloc(POLL_RESP_CAP), 0, POLL_RESP_CAP, 0};
    }
    if (!t || !slots || !t->body || !t->send_resp.buf || !t->poll_resp.buf) {
        if (t) {
            free(t->body);
            free(t->send_resp.buf);
            free(t->poll_resp.buf);
        }
        free(slots);
        free(t);
        return eb_errf(err, cap, "appliance.telegram: no memory for a queue of %d: raise appliance.arena_mib", qn);
    }
    d->tg = t;
    t->d = d;
    eb_tgq_init(&t->q, slots, qn);
    if (eb_tg_chat_id(d->app.telegram.chat_id, &t->chat) != 0) /* the config parse checked it */
        return eb_errf(err, cap, "appliance.telegram.chat_id: \"%s\" is not a chat id", d->app.telegram.chat_id);
    if (load_token(t, d->app.telegram.token_file, err, cap) != 0 || setup_curl(t, err, cap) != 0)
        return -1;
    int64_t now = now_ms(t);
    eb_tg_bucket_init(&t->bucket, d->app.telegram.rate_per_minute, now);
    t->service_timer = eb_loop_add_timer(&d->loop, 0, SERVICE_MS, on_service, t);
    if (t->service_timer < 0)
        return eb_errf(err, cap, "telegram: the main loop's timer table is full");
    char rerr[700]; /* /trades reads committed trades through its own read-only connection */
    if (eb_journal_reader_open(&t->reader, eb_journal_path(d->jw.j), rerr, sizeof rerr) != 0)
        eb_dlog(d, 4, "telegram: /trades will answer that the journal cannot be read: %s", rerr);
    eb_dlog(d, 5, "telegram: notifications to chat %s via %s (%d/min, queue %d)", d->app.telegram.chat_id,
            d->app.telegram.api_base, d->app.telegram.rate_per_minute, qn);
    return 0;
}

void eb_dtg_metrics(eb_metrics_text_t *w, const eb_daemon_t *d)
{
    const struct eb_dtg *t = d->tg;
    if (!t)
        return;
    static const struct {
        const char *name, *help;
        size_t off;
    } k_counters[] = {
        {"edgebox_telegram_sent_total", "Telegram messages the Bot API accepted.", offsetof(struct eb_dtg, sent)},
        {"edgebox_telegram_failed_total", "sendMessage attempts that failed (transport, HTTP error, 429).",
         offsetof(struct eb_dtg, failed)},
        {"edgebox_telegram_rate_limited_total", "sendMessage answers 429 (retry_after honoured).",
         offsetof(struct eb_dtg, rate_limited)},
        {"edgebox_telegram_ignored_total", "Telegram updates from chats other than the configured one.",
         offsetof(struct eb_dtg, ignored)},
        {"edgebox_telegram_commands_total", "Commands taken from the configured Telegram chat.",
         offsetof(struct eb_dtg, commands)},
    };
    eb_mt_family(w, "edgebox_telegram_dropped_total", EB_METRIC_COUNTER,
                 "Telegram messages dropped: the queue was full, or sending failed for good.");
    eb_mt_sample_u64(w, t->q.dropped + t->dropped_failed, NULL);
    for (size_t i = 0; i < sizeof k_counters / sizeof k_counters[0]; i++) {
        eb_mt_family(w, k_counters[i].name, EB_METRIC_COUNTER, k_counters[i].help);
        eb_mt_sample_u64(w, *(const uint64_t *)((const char *)t + k_counters[i].off), NULL);
    }
    eb_mt_family(w, "edgebox_telegram_queued", EB_METRIC_GAUGE, "Telegram messages waiting to be sent.");
    eb_mt_sample(w, t->q.n, NULL);
}

void eb_dtg_close(eb_daemon_t *d)
{
    struct eb_dtg *t = d->tg;
    if (!t)
        return;
    if (t->service_timer > 0)
        eb_loop_cancel_timer(&d->loop, t->service_timer);
    if (t->multi) {
        if (t->send)
            curl_multi_remove_handle(t->multi, t->send);
        if (t->poll)
            curl_multi_remove_handle(t->multi, t->poll);
    }
    curl_easy_cleanup(t->send);
    curl_easy_cleanup(t->poll);
    if (t->multi) {
        curl_multi_cleanup(t->multi);
        curl_global_cleanup();
    }
    if (t->curl_timer > 0)
        eb_loop_cancel_timer(&d->loop, t->curl_timer);
    curl_slist_free_all(t->json_header);
    eb_journal_reader_close(t->reader);
    memset(t->token, 0, sizeof t->token);
    free(t->q.slot);
    free(t->body);
    free(t->send_resp.buf);
    free(t->poll_resp.buf);
    free(t);
    d->tg = NULL;
}
