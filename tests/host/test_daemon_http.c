/* edgeboxd's operator surface as a process (issue 15 items 1 and 3, first part): with --http-port (which
 * wins over appliance.http.port) it serves GET /metrics (every SPEC section 9 family so far; promtool check
 * metrics reports nothing, when promtool is installed) and GET /api/v1/status on 127.0.0.1 while it
 * trades a replay, and answers while a client holds half a request; with every connection slot held by
 * slow clients the kill switch still shows within 500 ms; a bad --http-port stops it before anything
 * starts. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char g_daemon[256], g_tool[256], g_dir[256], g_bars[300];

/* GET path on a fresh connection: the whole answer (malloc'd), NULL when nothing came. */
static char *get(int port, const char *path)
{
    char *r = dp_http(port, "GET", path, "");
    if (r && !r[0]) {
        free(r);
        return NULL;
    }
    return r;
}

TEST(serves_metrics_and_status)
{
    char casedir[400], cfg[500], log[500], simenv[500], port_s[16], app[64], where[80];
    dp_case(g_dir, "serve", casedir, sizeof casedir);
    int port = dp_free_port(), cfg_port = dp_free_port();
    snprintf(app, sizeof app, "\"http\": {\"port\": %d}", cfg_port == port ? port + 1 : cfg_port);
    dp_config(casedir, g_bars, app, "", cfg, sizeof cfg); /* --http-port wins over appliance.http.port */
    snprintf(log, sizeof log, "%s/log", casedir);
    dp_sim_env(casedir, simenv, sizeof simenv);
    snprintf(port_s, sizeof port_s, "%d", port);
    snprintf(where, sizeof where, "operator surface on http://127.0.0.1:%d ", port);
    const char *argv[] = {g_daemon, "--config", cfg, "--http-port", port_s, NULL};
    const char *env[] = {simenv, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    CHECK(pid > 0);
    char *m = NULL;
    for (int i = 0; i < 100 && !m; i++) { /* up to 10 s for start-up */
        dp_sleep_ms(100);
        m = dp_file_contains(log, where) ? get(port, "/metrics") : NULL;
    }
    CHECK_MSG(m != NULL, "no answer on port %d", port);
    if (m) {
        CHECK(strstr(m, "HTTP/1.1 200 OK\r\n") == m);
        CHECK(strstr(m, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != NULL);
        CHECK(strstr(m, "edgebox_build_info{version=\"" EB_VERSION "\",board=\"sim\"} 1\n") != NULL);
        CHECK(strstr(m, "# TYPE edgebox_bars_total counter\n") != NULL);
        CHECK(strstr(m, "edgebox_disarm_reason{reason=\"kill_switch\"} ") != NULL);
        CHECK(strstr(m, "process_resident_memory_bytes ") != NULL);
        /* the SPEC section 9 set: one family each, with every label value of its name table */
        const char *want[] = {
            "# TYPE process_cpu_seconds_total counter\n", "# TYPE process_start_time_seconds gauge\n",
            "# TYPE process_open_fds gauge\n", "# TYPE process_max_fds gauge\n",
            "edgebox_disarm_reason{reason=\"kill_switch_fault\"} ", "edgebox_disarm_reason{reason=\"stale_data\"} ",
            "edgebox_kill_switch_state{state=\"armed\"} 1\n", "edgebox_kill_switch_state{state=\"latched\"} 0\n",
            "edgebox_stale_data 0\n", "edgebox_decisions_total{action=\"", "# TYPE edgebox_open_positions gauge\n",
            "edgebox_orders{state=\"open\"} ", "edgebox_journal_errors_total 0\n",
            "# TYPE edgebox_decision_latency_seconds histogram\n",
            "edgebox_decision_latency_seconds_bucket{le=\"0.001\"} ", "edgebox_decision_latency_seconds_bucket{le=\"+Inf\"} ",
            "edgebox_decision_latency_seconds_count ", "edgebox_arena_high_water_bytes ",
            "edgebox_http_responses_total{code=\"200\"} ", "edgebox_http_responses_total{code=\"other\"} 0\n",
            "# TYPE edgebox_loop_lateness_seconds histogram\n", "edgebox_loop_lateness_seconds_bucket{le=\"0.0001\"} ",
            "edgebox_loop_lateness_seconds_bucket{le=\"+Inf\"} ", "# TYPE edgebox_data_age_seconds gauge\n",
            "# TYPE edgebox_model_info gauge\n", "edgebox_model_info{model_id=\"\",release=\"0\"} 0\n",
            "edgebox_lifecycle_stage{stage=\"candidate\"} ",
            "edgebox_lifecycle_stage{stage=\"unknown\"} ",
            "edgebox_exchange_errors_total{venue=\"paper\",code=\"rejected\"} ",
            "edgebox_exchange_errors_total{venue=\"paper\",code=\"submit_failed\"} 0\n",
            "edgebox_exchange_errors_total{venue=\"paper\",code=\"cancel_failed\"} 0\n",
        };
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
            CHECK_MSG(strstr(m, want[k]) != NULL, "no '%s' in /metrics", want[k]);
        long fds = -1;
        const char *f = strstr(m, "\nprocess_open_fds ");
        CHECK(f && sscanf(f, "\nprocess_open_fds %ld", &fds) == 1 && fds >= 3 && fds < 200);
        dp_check_promtool(casedir, m);
        free(m);
    }
    /* a client holding half a request does not stall the daemon: status still answers at once */
    int slow = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    CHECK(connect(slow, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(send(slow, "GET /metrics HTTP/1.1\r\nHo", 25, MSG_NOSIGNAL) == 25);
    int64_t t0 = dp_now_ms();
    char *s = get(port, "/api/v1/status");
    int64_t ms = dp_now_ms() - t0;
    CHECK_MSG(s && strstr(s, "HTTP/1.1 200 OK\r\n") == s && strstr(s, "Content-Type: application/json\r\n"),
              "status: %.200s", s ? s : "(nothing)");
    CHECK_MSG(ms < 500, "status took %lld ms", (long long)ms);
    CHECK(s && strstr(s, "\"version\":\"" EB_VERSION "\"") && strstr(s, "\"bars\":") && strstr(s, "\"kill_switch\":"));
    /* the position as make run's status line shows it: none open means flat */
    const char *op = s ? strstr(s, "\"open_positions\":") : NULL, *pq = s ? strstr(s, "\"position_qty\":") : NULL;
    CHECK_MSG(op && pq, "no position in the status: %.300s", s ? s : "");
    if (op && pq)
        CHECK(atoi(op + 17) > 0 || atof(pq + 15) == 0.0);
    free(s);
    close(slow);
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    CHECK(dp_file_contains(log, "stopped"));
}

/* A connection from `src` to the daemon, holding half a request. */
static int half_request(const char *src, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || send(fd, "GET /metrics HTTP/1.1\r\nHo", 25, MSG_NOSIGNAL) != 25) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Every connection slot held by slow clients (16: 8 per address from two addresses), more refused, and
 * the kill switch still disarms at once: a press shows in STATUS= within 500 ms (the tool's own start
 * included), as without HTTP (test_daemon_killswitch). */
TEST(kill_switch_under_slow_clients)
{
    char casedir[400], cfg[500], log[500], simenv[500], port_s[16], where[80], sim[500];
    dp_case(g_dir, "slow", casedir, sizeof casedir);
    dp_config(casedir, g_bars, "\"killswitch\": {\"debounce_ms\": 20}", "", cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    dp_sim_env(casedir, simenv, sizeof simenv);
    snprintf(where, sizeof where, "@eb-test-http-%d", (int)getpid());
    dp_notify_t rx;
    CHECK_EQ_INT(dp_notify_open(&rx, where), 0);
    int port = dp_free_port();
    snprintf(port_s, sizeof port_s, "%d", port);
    const char *argv[] = {g_daemon, "--config", cfg, "--http-port", port_s, NULL};
    const char *env[] = {simenv, rx.env, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    CHECK(pid > 0 && dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    int fds[20], nf = 0;
    const char *srcs[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
    for (int i = 0; i < 18; i++) {
        int fd = half_request(srcs[i / 8], port);
        if (fd >= 0)
            fds[nf++] = fd;
    }
    CHECK_EQ_INT(nf, 18);
    dp_sleep_ms(200);
    /* the 17th and 18th were answered 503 and closed: the table is full */
    char buf[512];
    int refused = 0;
    for (int i = 16; i < nf; i++) {
        ssize_t k = recv(fds[i], buf, sizeof buf - 1, MSG_DONTWAIT);
        buf[k > 0 ? k : 0] = '\0';
        refused += k > 0 && strstr(buf, "503 Service Unavailable: too many connections") != NULL;
    }
    CHECK_EQ_INT(refused, 2);
    int from = rx.n;
    int64_t t0 = dp_now_ms();
    const char *press[] = {g_tool, "gpio", "press", "killswitch", NULL};
    const char *penv[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    CHECK_EQ_INT(dp_run(press, penv, NULL, 5000), 0);
    int i = dp_notify_wait(&rx, from, "disarm: kill_switch", 2000);
    CHECK_MSG(i >= 0, "no STATUS= naming kill_switch within 2 s of the press");
    if (i >= 0)
        CHECK_MSG(rx.msg[i].t_ms - t0 < 500, "the press took %lld ms to show", (long long)(rx.msg[i].t_ms - t0));
    for (int k = 0; k < nf; k++)
        close(fds[k]);
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    dp_notify_close(&rx);
}

TEST(bad_port_is_refused)
{
    const char *bad[] = {"0", "65536", "80x", ""};
    for (int i = 0; i < 4; i++) {
        char casedir[400], cfg[500], log[500], name[32];
        snprintf(name, sizeof name, "badport%d", i);
        dp_case(g_dir, name, casedir, sizeof casedir);
        dp_config(casedir, g_bars, "", "", cfg, sizeof cfg);
        snprintf(log, sizeof log, "%s/log", casedir);
        const char *argv[] = {g_daemon, "--config", cfg, "--http-port", bad[i], NULL};
        CHECK_EQ_INT(dp_run(argv, NULL, log, 5000), 2);
        CHECK_MSG(dp_file_contains(log, "--http-port: '") && dp_file_contains(log, "is not a port (1..65535)"),
                  "case '%s'", bad[i]);
    }
}

int main(void)
{
    if (!dp_bin("edgeboxd", g_daemon, sizeof g_daemon) || !dp_bin("edgebox", g_tool, sizeof g_tool)) {
        CHECK_SKIP("edgeboxd or edgebox not built");
        return eb_check_report();
    }
    if (dp_tmpdir("dhttp", g_dir, sizeof g_dir) != 0)
        return 1;
    snprintf(g_bars, sizeof g_bars, "%s/bars.csv", g_dir);
    const char *a[] = {g_tool, "data", "synth", "--bars", "300", "--out", g_bars, NULL};
    CHECK_EQ_INT(dp_run(a, NULL, NULL, 10000), 0);
    RUN(serves_metrics_and_status);
    RUN(kill_switch_under_slow_clients);
    RUN(bad_port_is_refused);
    dp_rmtree(g_dir);
    return eb_check_report();
}
