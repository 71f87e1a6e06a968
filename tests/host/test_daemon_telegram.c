/* edgeboxd's Telegram notifier against a fake Bot API written here (a listener thread on 127.0.0.1, one
 * thread per connection, plain HTTP): it records every sendMessage with its arrival time, serves queued
 * getUpdates results, and can answer 429 with retry_after, 500, or accept and never answer.
 *
 * - the daemon replays bars with a model that trades: the fake receives the entry and exit notifications,
 *   then the kill switch's "pressed" and "latched";
 * - /status from the configured chat is answered; a 429 with retry_after 2 holds the next send >= 2 s;
 *   a 500 is retried after 2 s and the message arrives;
 * - /halt from another chat changes nothing (counted as ignored); /halt from the chat disarms (master
 *   switch, journalled naming the sender); /rearm is refused and changes nothing;
 * - a server that accepts and never answers does not slow the bar loop (the replay takes as long as
 *   without Telegram, give or take a second) nor the kill switch (disarmed within 500 ms); the queue
 *   overflows (counted), and once the server answers the kill switch's messages go before the trades;
 * - the token is in no log line nor in GET /api/v1/config, and a token file others may read stops start-up. */
#define _GNU_SOURCE /* memmem */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN "123456789:AAtestTOKENnotREAL_0123456789abcd"
#define CHAT "424242"
#define OTHER_CHAT "999"

/* --- the fake Bot API -------------------------------------------------------------------------------- */

enum { ANSWER_OK, ANSWER_429, ANSWER_500, ANSWER_HANG };

#define MAX_SENT 512
static struct {
    pthread_mutex_t mu;
    int listen_fd, port;
    int send_mode, send_mode_count; /* the mode for the next `count` sendMessage calls (-1: until changed) */
    int retry_after;
    int poll_hang;                  /* getUpdates hangs too */
    char updates[4096];             /* the next getUpdates result members ("" none) */
    int64_t next_update_id;
    int nsent;
    struct { int64_t t_ms; int answered; char body[1200]; } sent[MAX_SENT];
    int hung;                       /* connections held without an answer */
    int polls;
    char last_path[600];            /* no secret check here: the fake is where the token goes */
} fk = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void fake_reset(void)
{
    pthread_mutex_lock(&fk.mu);
    fk.send_mode = ANSWER_OK;
    fk.send_mode_count = -1;
    fk.poll_hang = 0;
    fk.updates[0] = '\0';
    fk.nsent = 0;
    fk.hung = 0;
    fk.polls = 0;
    pthread_mutex_unlock(&fk.mu);
}

static void fake_mode(int mode, int count, int retry_after, int poll_hang)
{
    pthread_mutex_lock(&fk.mu);
    fk.send_mode = mode;
    fk.send_mode_count = count;
    fk.retry_after = retry_after;
    fk.poll_hang = poll_hang;
    pthread_mutex_unlock(&fk.mu);
}

/* An update with a message from chat `chat` saying `text`, served by the next getUpdates. */
static void fake_update(const char *chat, const char *text)
{
    pthread_mutex_lock(&fk.mu);
    size_t n = strlen(fk.updates);
    snprintf(fk.updates + n, sizeof fk.updates - n,
             "%s{\"update_id\":%lld,\"message\":{\"message_id\":1,\"from\":{\"id\":7,\"username\":\"tester\"},"
             "\"chat\":{\"id\":%s,\"type\":\"private\"},\"date\":1,\"text\":\"%s\"}}",
             n ? "," : "", (long long)fk.next_update_id++, chat, text);
    pthread_mutex_unlock(&fk.mu);
}

static void answer(int fd, int status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                                        "Connection: close\r\n\r\n", status, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        return; /* the daemon gave up on it: nothing to do */
}

/* Holds the connection without answering until the test ends the hang (or 30 s). */
static void hang(int fd, int is_poll)
{
    pthread_mutex_lock(&fk.mu);
    fk.hung++;
    pthread_mutex_unlock(&fk.mu);
    for (int i = 0; i < 600; i++) {
        pthread_mutex_lock(&fk.mu);
        int still = is_poll ? fk.poll_hang : fk.send_mode == ANSWER_HANG;
        pthread_mutex_unlock(&fk.mu);
        if (!still)
            break;
        char b[256];
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0 && read(fd, b, sizeof b) <= 0)
            break; /* the daemon closed it (its timeout) */
    }
}

static int read_request(int fd, char *buf, size_t cap, char **body)
{
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strcasestr(buf, "content-length:");
        size_t want = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
        *body = end + 4;
        if ((size_t)(buf + len - *body) >= want)
            return 0;
    }
    return -1;
}

static void on_send(int fd, const char *body)
{
    pthread_mutex_lock(&fk.mu);
    int mode = fk.send_mode, ra = fk.retry_after, at = fk.nsent < MAX_SENT ? fk.nsent++ : -1;
    if (fk.send_mode_count > 0 && --fk.send_mode_count == 0)
        fk.send_mode = ANSWER_OK;
    if (at >= 0) {
        fk.sent[at].t_ms = dp_now_ms();
        fk.sent[at].answered = mode;
        snprintf(fk.sent[at].body, sizeof fk.sent[at].body, "%s", body);
    }
    pthread_mutex_unlock(&fk.mu);
    char b[200];
    switch (mode) {
    case ANSWER_OK: answer(fd, 200, "{\"ok\":true,\"result\":{\"message_id\":1}}"); break;
    case ANSWER_429:
        snprintf(b, sizeof b, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after %d\","
                              "\"parameters\":{\"retry_after\":%d}}", ra, ra);
        answer(fd, 429, b);
        break;
    case ANSWER_500: answer(fd, 500, "{\"ok\":false,\"error_code\":500,\"description\":\"Internal\"}"); break;
    default: hang(fd, 0); break;
    }
}

static void on_poll(int fd)
{
    char b[4200];
    pthread_mutex_lock(&fk.mu);
    fk.polls++;
    int h = fk.poll_hang;
    snprintf(b, sizeof b, "{\"ok\":true,\"result\":[%s]}", fk.updates);
    fk.updates[0] = '\0';
    pthread_mutex_unlock(&fk.mu);
    if (h)
        hang(fd, 1);
    else
        answer(fd, 200, b);
}

static void *conn_thread(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[16384], *body = NULL;
    if (read_request(fd, req, sizeof req, &body) == 0) {
        pthread_mutex_lock(&fk.mu);
        snprintf(fk.last_path, sizeof fk.last_path, "%.*s", (int)strcspn(req, "\r\n"), req);
        pthread_mutex_unlock(&fk.mu);
        if (strstr(req, "/bot" TOKEN "/sendMessage ") && strncmp(req, "POST ", 5) == 0)
            on_send(fd, body);
        else if (strstr(req, "/bot" TOKEN "/getUpdates?"))
            on_poll(fd);
        else
            answer(fd, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
    }
    close(fd);
    return NULL;
}

static void *listen_thread(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept(fk.listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_t t;
        if (pthread_create(&t, NULL, conn_thread, (void *)(intptr_t)fd) != 0)
            close(fd);
        else
            pthread_detach(t);
    }
    return NULL;
}

static int fake_start(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    fk.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fk.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fk.listen_fd < 0 || bind(fk.listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fk.listen_fd, 64) != 0 ||
        getsockname(fk.listen_fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    fk.port = ntohs(a.sin_port);
    fk.next_update_id = 1000;
    fake_reset();
    pthread_t t;
    return pthread_create(&t, NULL, listen_thread, NULL) == 0 ? 0 : -1;
}

/* The running daemon's sd_notify receiver: read while the test waits, so that the daemon's STATUS=
 * datagrams never fill the socket (a full one blocks the daemon's send). */
static dp_notify_t *g_rx;

static void pump(void)
{
    if (g_rx)
        dp_notify_pump(g_rx, 0);
}

/* Index of the first sendMessage at or after `from` whose body contains needle, waiting up to
 * timeout_ms; -1 when none came. */
static int sent_wait(int from, const char *needle, int timeout_ms)
{
    for (int64_t end = dp_now_ms() + timeout_ms;; dp_sleep_ms(20)) {
        pump();
        pthread_mutex_lock(&fk.mu);
        int found = -1;
        for (int i = from; i < fk.nsent && found < 0; i++)
            if (strstr(fk.sent[i].body, needle))
                found = i;
        pthread_mutex_unlock(&fk.mu);
        if (found >= 0 || dp_now_ms() >= end)
            return found;
    }
}

static int sent_count(void)
{
    pthread_mutex_lock(&fk.mu);
    int n = fk.nsent;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

/* --- the daemon -------------------------------------------------------------------------------------- */

static dp_fixture_t F;
static const char *g_strategy = "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, "
                                "\"limits\": {\"min_confidence\": 0.30}, \"risk\": {\"max_open_positions\": 3}";

typedef struct {
    char casedir[400], cfg[500], log[500], db[500], token[500];
    int http_port;
    dp_notify_t rx;
    pid_t pid;
} run_t;

/* A case with the fixture's model; `telegram` adds appliance.telegram pointing at the fake. */
static void prepare_q(run_t *r, const char *name, int telegram, int token_mode, int queue)
{
    char app[1400], casedir[400];
    dp_case(F.dir, name, casedir, sizeof casedir);
    snprintf(r->token, sizeof r->token, "%s/tg-token", casedir);
    dp_write_file(r->token, TOKEN "\n");
    chmod(r->token, (mode_t)token_mode);
    r->http_port = dp_free_port();
    int n = snprintf(app, sizeof app, "\"killswitch\": {\"debounce_ms\": 20}, \"http\": {\"port\": %d}", r->http_port);
    if (telegram)
        snprintf(app + n, sizeof app - (size_t)n,
                 ", \"telegram\": {\"token_file\": \"%s\", \"chat_id\": \"" CHAT "\", \"api_base\": "
                 "\"http://127.0.0.1:%d\", \"rate_per_minute\": 600, \"queue\": %d}",
                 r->token, fk.port, queue);
    dp_fixture_case(&F, name, F.bars, app, g_strategy, 1, r->casedir, sizeof r->casedir, r->cfg, sizeof r->cfg);
    snprintf(r->log, sizeof r->log, "%s/log", r->casedir);
    snprintf(r->db, sizeof r->db, "%s/state/journal.db", r->casedir);
}

static void prepare(run_t *r, const char *name, int telegram, int token_mode)
{
    prepare_q(r, name, telegram, token_mode, 32);
}

static int start(run_t *r, const char *tag, const char *extra_arg)
{
    char where[120], simenv[600];
    snprintf(where, sizeof where, "@eb-test-tg-%d-%s", (int)getpid(), tag);
    if (dp_notify_open(&r->rx, where) != 0)
        return -1;
    const char *argv[] = {F.daemon, "--config", r->cfg, extra_arg, NULL};
    const char *env[] = {dp_sim_env(r->casedir, simenv, sizeof simenv), r->rx.env, NULL};
    r->pid = dp_spawn(argv, env, r->log);
    g_rx = &r->rx;
    return r->pid > 0 && dp_notify_wait(&r->rx, 0, "READY=1", 10000) >= 0 ? 0 : -1;
}

static int stop(run_t *r)
{
    kill(r->pid, SIGTERM);
    int rc = dp_wait(r->pid, 10000);
    g_rx = NULL;
    dp_notify_close(&r->rx);
    return rc;
}

static int gpio(const run_t *r, const char *action)
{
    char sim[500];
    const char *argv[] = {F.tool, "gpio", action, "killswitch", NULL};
    const char *env[] = {dp_sim_env(r->casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, NULL, 5000);
}

/* The value of a metric line "NAME VALUE" from /metrics, or -1. */
static double metric(const run_t *r, const char *name)
{
    pump();
    char *resp = dp_http(r->http_port, "GET", "/metrics", "");
    double v = -1;
    char want[128];
    snprintf(want, sizeof want, "\n%s ", name);
    const char *p = resp ? strstr(resp, want) : NULL;
    if (p)
        v = strtod(p + strlen(want), NULL);
    free(resp);
    return v;
}

static int status_has(const run_t *r, const char *needle)
{
    pump();
    char *resp = dp_http(r->http_port, "GET", "/api/v1/status", "");
    int has = resp && strstr(resp, needle) != NULL;
    free(resp);
    return has;
}

static run_t g_run; /* the notification tests share one daemon, in order */

TEST(trades_and_kill_switch_are_notified)
{
    run_t *r = &g_run;
    fake_reset();
    prepare(r, "notify", 1, 0600);
    if (start(r, "notify", NULL) != 0) {
        CHECK_MSG(0, "the daemon did not start (log %s)", r->log);
        return;
    }
    CHECK_MSG(sent_wait(0, "[trade] entry: long BTCUSDT", 30000) >= 0, "no entry notification in 30 s");
    CHECK_MSG(sent_wait(0, "[trade] exit: BTCUSDT at ", 30000) >= 0, "no exit notification in 30 s");
    int e = sent_wait(0, "[trade] exit: ", 0);
    CHECK_MSG(e >= 0 && strstr(fk.sent[e].body, "R, pnl "), "the exit names no R and pnl: %s", e >= 0 ? fk.sent[e].body : "");
    /* the replay is over when the model's bars are done; the press comes after it */
    for (int i = 0; i < 300 && !dp_file_contains(r->log, "replay finished"); i++)
        dp_notify_pump(&r->rx, 100);
    /* trades may still be queued (10/s): the kill switch's messages go before them */
    int from = sent_count();
    CHECK_EQ_INT(gpio(r, "press"), 0);
    CHECK_MSG(sent_wait(from, "[kill switch] pressed", 15000) >= 0, "no kill-switch press notification");
    CHECK_MSG(sent_wait(from, "[kill switch] latched: ", 15000) >= 0, "no kill-switch latch notification");
    CHECK_EQ_INT(gpio(r, "release"), 0);
    CHECK(metric(r, "edgebox_telegram_sent_total") >= 4);
    CHECK(metric(r, "edgebox_telegram_dropped_total") >= 0); /* the family is served */
}

TEST(status_reply_and_retry_after)
{
    run_t *r = &g_run;
    if (!dp_alive(r->pid)) {
        CHECK_MSG(0, "no daemon");
        return;
    }
    /* the replay's notifications are out, so that the 429 meets the answer and nothing else */
    for (int i = 0; i < 100 && metric(r, "edgebox_telegram_queued") != 0; i++)
        dp_notify_pump(&r->rx, 100);
    dp_notify_pump(&r->rx, 300);
    fake_mode(ANSWER_429, 1, 2, 0);
    int from = sent_count();
    fake_update(CHAT, "/status");
    int first = sent_wait(from, "disarm reasons:", 10000);
    CHECK_MSG(first >= 0, "no answer to /status");
    if (first < 0)
        return;
    CHECK_EQ_INT(fk.sent[first].answered, ANSWER_429);
    int again = sent_wait(first + 1, "disarm reasons:", 10000);
    CHECK_MSG(again >= 0, "the answer was not sent again after the 429");
    if (again >= 0) {
        int64_t gap = fk.sent[again].t_ms - fk.sent[first].t_ms;
        CHECK_MSG(gap >= 1900, "sent again %lld ms after a 429 with retry_after 2", (long long)gap);
        CHECK_MSG(gap < 4000, "waited %lld ms for a retry_after of 2 s", (long long)gap);
        CHECK_EQ_INT(fk.sent[again].answered, ANSWER_OK);
        CHECK(strstr(fk.sent[again].body, "kill switch: latched"));
    }
    CHECK(metric(r, "edgebox_telegram_rate_limited_total") == 1);
}

TEST(halt_only_from_the_chat_and_never_rearm)
{
    run_t *r = &g_run;
    if (!dp_alive(r->pid)) {
        CHECK_MSG(0, "no daemon");
        return;
    }
    CHECK(!status_has(r, "master_switch"));
    fake_update(OTHER_CHAT, "/halt");
    for (int i = 0; i < 50 && metric(r, "edgebox_telegram_ignored_total") < 1; i++)
        dp_notify_pump(&r->rx, 100);
    CHECK_EQ_INT((long)metric(r, "edgebox_telegram_ignored_total"), 1);
    dp_notify_pump(&r->rx, 300);
    CHECK_MSG(!status_has(r, "master_switch"), "/halt from another chat disarmed");
    int from = sent_count();
    fake_update(CHAT, "/halt");
    CHECK_MSG(sent_wait(from, "halted: trading is off", 10000) >= 0, "no answer to /halt");
    CHECK_MSG(status_has(r, "master_switch"), "/halt from the chat did not switch trading off");
    from = sent_count();
    fake_update(CHAT, "/rearm");
    CHECK_MSG(sent_wait(from, "re-arming is not possible from Telegram", 10000) >= 0, "no refusal of /rearm");
    CHECK(status_has(r, "master_switch"));
    /* a 500: the answer is sent again (after 2 s) and arrives */
    double failed = metric(r, "edgebox_telegram_failed_total");
    fake_mode(ANSWER_500, 1, 0, 0);
    from = sent_count();
    fake_update(CHAT, "/profit");
    int p500 = sent_wait(from, "equity ", 10000);
    int p = p500 >= 0 ? sent_wait(p500 + 1, "equity ", 10000) : -1;
    CHECK_MSG(p500 >= 0 && fk.sent[p500].answered == ANSWER_500, "the /profit answer did not meet the 500");
    CHECK_MSG(p >= 0 && fk.sent[p].answered == ANSWER_OK, "the /profit answer was not sent again after a 500");
    if (p >= 0)
        CHECK_MSG(fk.sent[p].t_ms - fk.sent[p500].t_ms >= 1900, "sent again %lld ms after a 500",
                  (long long)(fk.sent[p].t_ms - fk.sent[p500].t_ms));
    CHECK(metric(r, "edgebox_telegram_failed_total") == failed + 1);
    fake_update(CHAT, "/trades");
    CHECK_MSG(sent_wait(from, "closed trades, newest first:", 10000) >= 0, "no answer to /trades");
    /* GET /api/v1/config: the token file's path is redacted (its name says token), the token never there */
    pump();
    char *cfg = dp_http(r->http_port, "GET", "/api/v1/config", "");
    CHECK_MSG(cfg && strstr(cfg, "\"token_file\":\"[redacted]\"") && !strstr(cfg, "tg-token") && !strstr(cfg, TOKEN),
              "GET /api/v1/config: %s", cfg ? cfg : "(nothing)");
    free(cfg);
    /* the telegram families pass promtool (when it is installed) */
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        CHECK_SKIP("promtool not installed (Debian's prometheus package)");
    } else {
        char path[3000], cmd[6100];
        char *m = dp_http(r->http_port, "GET", "/metrics", "");
        const char *body = m ? strstr(m, "\r\n\r\n") : NULL;
        snprintf(path, sizeof path, "%s/metrics.txt", r->casedir);
        CHECK(body && strstr(body, "edgebox_telegram_sent_total") && dp_write_file(path, body + 4) == 0);
        snprintf(cmd, sizeof cmd, "promtool check metrics < %s > %s.out 2>&1", path, path);
        CHECK_MSG(system(cmd) == 0, "promtool check metrics complained: see %s.out", path);
        free(m);
    }
    CHECK_EQ_INT(stop(r), 0);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from events where kind='arming' and detail like "
                                   "'disarm from Telegram chat " CHAT " (@tester): master switch off'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from events where detail like '%" OTHER_CHAT "%'", -1), 0);
    CHECK_MSG(!dp_file_contains(r->log, TOKEN), "the token is in the log");
    CHECK_MSG(!dp_file_contains(r->log, "123456789:"), "a part of the token is in the log");
}

/* One replay of all bars to its end (--exit-at-end); its wall time in ms, or -1. */
static int64_t timed_replay(run_t *r, const char *tag, int telegram)
{
    prepare(r, tag, telegram, 0600);
    int64_t t0 = dp_now_ms();
    if (start(r, tag, "--exit-at-end") != 0)
        return -1;
    int rc = dp_wait(r->pid, 60000);
    g_rx = NULL;
    dp_notify_close(&r->rx);
    return rc == 0 ? dp_now_ms() - t0 : -1;
}

TEST(hung_server_delays_neither_bars_nor_kill_switch)
{
    run_t base, hung, k;
    fake_reset();
    int64_t t_base = timed_replay(&base, "base", 0);
    fake_mode(ANSWER_HANG, -1, 0, 1);
    int64_t t_hung = timed_replay(&hung, "hung", 1);
    CHECK_MSG(t_base > 0 && t_hung > 0, "replays failed: %lld, %lld ms", (long long)t_base, (long long)t_hung);
    pthread_mutex_lock(&fk.mu);
    int held = fk.hung, nsent = fk.nsent;
    pthread_mutex_unlock(&fk.mu);
    CHECK_MSG(held >= 1 && nsent >= 1, "the fake held no request (%d held, %d sends)", held, nsent);
    CHECK_MSG(t_hung < t_base + 1500, "with a hung Bot API the replay took %lld ms, without Telegram %lld ms",
              (long long)t_hung, (long long)t_base);
    CHECK(dp_sql_int(hung.db, "select count(*) from decisions", 0) == dp_sql_int(base.db, "select count(*) from decisions", -1));
    /* the kill switch with a request hanging, and a queue of 8 that the replay's trades overflowed */
    prepare_q(&k, "hungkill", 1, 0600, 8);
    if (start(&k, "hungkill", NULL) != 0) {
        CHECK_MSG(0, "the daemon did not start");
        return;
    }
    for (int i = 0; i < 300 && !dp_file_contains(k.log, "replay finished"); i++)
        dp_notify_pump(&k.rx, 100);
    int from = k.rx.n;
    int64_t t0 = dp_now_ms();
    CHECK_EQ_INT(gpio(&k, "press"), 0);
    int i = dp_notify_wait(&k.rx, from, "kill_switch", 2000);
    CHECK_MSG(i >= 0, "no STATUS= naming kill_switch within 2 s of the press");
    if (i >= 0)
        CHECK_MSG(k.rx.msg[i].t_ms - t0 < 500, "the press took %lld ms to disarm", (long long)(k.rx.msg[i].t_ms - t0));
    CHECK_MSG(dp_notify_wait(&k.rx, from, "kill switch latched", 2000) >= 0, "the press did not latch");
    gpio(&k, "release");
    CHECK(metric(&k, "edgebox_telegram_dropped_total") > 0);
    /* once the server answers again: the message in flight is retried, then the kill switch's go first */
    int from2 = sent_count();
    fake_mode(ANSWER_OK, -1, 0, 0);
    int pi = sent_wait(from2, "[kill switch] pressed", 8000), li = sent_wait(from2, "[kill switch] latched: ", 8000);
    CHECK_MSG(pi >= 0 && pi - from2 <= 1, "the press was sent as message %d after the hang", pi - from2);
    CHECK_MSG(li >= 0 && li - from2 <= 2, "the latch was sent as message %d after the hang", li - from2);
    int64_t s0 = dp_now_ms();
    CHECK_EQ_INT(stop(&k), 0);
    CHECK_MSG(dp_now_ms() - s0 < 3000, "stopping took %lld ms", (long long)(dp_now_ms() - s0));
}

TEST(token_file_readable_by_others_is_refused)
{
    run_t r;
    prepare(&r, "mode", 1, 0640);
    char simenv[600];
    const char *argv[] = {F.daemon, "--config", r.cfg, NULL};
    const char *env[] = {dp_sim_env(r.casedir, simenv, sizeof simenv), NULL};
    CHECK(dp_run(argv, env, r.log, 10000) != 0);
    char want[700];
    snprintf(want, sizeof want, "appliance.telegram.token_file: %s is mode 0640; it must be 0600", r.token);
    CHECK_MSG(dp_file_contains(r.log, want), "no '%s' in %s", want, r.log);
    CHECK(!dp_file_contains(r.log, TOKEN));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    eb_check_test = "setup";
    if (fake_start() != 0) {
        CHECK_MSG(0, "the fake Bot API cannot listen on 127.0.0.1");
        return eb_check_report();
    }
    if (dp_fixture_ready(&F, "dtg", "tg1") != 0)
        return eb_check_report();
    RUN(trades_and_kill_switch_are_notified);
    RUN(status_reply_and_retry_after);
    RUN(halt_only_from_the_chat_and_never_rearm);
    RUN(hung_server_delays_neither_bars_nor_kill_switch);
    RUN(token_file_readable_by_others_is_refused);
    if (dp_alive(g_run.pid))
        stop(&g_run);
    dp_rmtree(F.dir);
    return eb_check_report();
}
