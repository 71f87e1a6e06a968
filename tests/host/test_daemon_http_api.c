/* edgeboxd's operator surface from its config (issue 15 items 1-3): appliance.http {port, bind,
 * token_file, cors_origins, allow_plain_http_lan}; another loopback bind serves, a LAN one is refused
 * naming it unless allow_plain_http_lan (then it serves, with a warning); a token file
 * others may read (or a link, a directory, a bad token) stops start-up naming it and its mode; the
 * token appears in no log line, STATUS= message or journal byte; GET /health; GET /openapi.json (every
 * operation with an operationId and a description); CORS preflight only for a listed origin; the control
 * routes answer 403 without a token file, 401 without the token, and with it disarm and re-arm under the
 * button's rule (a pressed button refuses with 409), each journalled with the caller's address. */
#define _GNU_SOURCE /* memmem */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN "s3cret-token-0123456789abcdef"

static char g_daemon[256], g_tool[256], g_dir[256], g_bars[300];

static int gpio(const char *casedir, const char *what)
{
    char sim[500];
    const char *argv[] = {g_tool, "gpio", what, "killswitch", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, NULL, 5000);
}

typedef struct {
    char casedir[400], cfg[500], log[500], token[500];
    int port;
    pid_t pid;
    dp_notify_t rx;
} box_t;

/* A daemon from config with appliance.http (`http_extra` inside it after the port), waited for until it
 * serves /health. */
static int box_start(box_t *b, const char *name, const char *http_extra)
{
    char app[1200], simenv[500], where[80];
    dp_case(g_dir, name, b->casedir, sizeof b->casedir);
    b->port = dp_free_port();
    snprintf(app, sizeof app, "\"killswitch\": {\"debounce_ms\": 20}, \"http\": {\"port\": %d%s}", b->port, http_extra);
    dp_config(b->casedir, g_bars, app, "", b->cfg, sizeof b->cfg);
    snprintf(b->log, sizeof b->log, "%s/log", b->casedir);
    dp_sim_env(b->casedir, simenv, sizeof simenv);
    snprintf(where, sizeof where, "@eb-test-api-%d-%s", (int)getpid(), name);
    if (dp_notify_open(&b->rx, where) != 0)
        return -1;
    const char *argv[] = {g_daemon, "--config", b->cfg, NULL};
    const char *env[] = {simenv, b->rx.env, NULL};
    b->pid = dp_spawn(argv, env, b->log);
    if (b->pid <= 0 || dp_notify_wait(&b->rx, 0, "READY=1", 10000) < 0)
        return -1;
    return 0;
}

static void box_stop(box_t *b)
{
    kill(b->pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(b->pid, 10000), 0);
    dp_notify_close(&b->rx);
}

static void write_token(const char *path, int mode)
{
    dp_write_file(path, TOKEN "\n");
    CHECK_EQ_INT(chmod(path, (mode_t)mode), 0);
}

/* box_start with a 0600 token file (in the case directory, which box_start then keeps). */
static int box_start_with_token(box_t *b, const char *name)
{
    char tok[500], extra[700];
    dp_case(g_dir, name, tok, sizeof tok);
    strncat(tok, "/token", sizeof tok - strlen(tok) - 1);
    write_token(tok, 0600);
    snprintf(extra, sizeof extra, ", \"token_file\": \"%s\"", tok);
    return box_start(b, name, extra);
}

/* The token must be nowhere: log, STATUS= messages, the journal's bytes. */
static void check_token_hidden(box_t *b)
{
    CHECK_MSG(!dp_file_contains(b->log, TOKEN), "the token is in the log");
    for (int i = 0; i < b->rx.n; i++)
        CHECK_MSG(strstr(b->rx.msg[i].text, TOKEN) == NULL, "the token is in a notify message");
    char jpath[600];
    snprintf(jpath, sizeof jpath, "%s/state/journal.db", b->casedir);
    size_t len = 0;
    char *j = dp_read_file(jpath, &len);
    CHECK(j != NULL);
    CHECK_MSG(j && memmem(j, len, TOKEN, strlen(TOKEN)) == NULL, "the token is in the journal");
    free(j);
}

TEST(token_file_readable_by_others_is_refused)
{
    const int modes[] = {0644, 0640, 0604};
    for (int i = 0; i < 3; i++) {
        char casedir[400], cfg[500], log[500], tok[500], app[800], name[32], want[600];
        snprintf(name, sizeof name, "mode%d", i);
        dp_case(g_dir, name, casedir, sizeof casedir);
        snprintf(tok, sizeof tok, "%s/token", casedir);
        write_token(tok, modes[i]);
        snprintf(app, sizeof app, "\"http\": {\"port\": %d, \"token_file\": \"%s\"}", dp_free_port(), tok);
        dp_config(casedir, g_bars, app, "", cfg, sizeof cfg);
        snprintf(log, sizeof log, "%s/log", casedir);
        const char *argv[] = {g_daemon, "--config", cfg, NULL};
        CHECK(dp_run(argv, NULL, log, 10000) != 0);
        snprintf(want, sizeof want, "appliance.http.token_file: %s is mode %04o; it must be 0600", tok, modes[i]);
        CHECK_MSG(dp_file_contains(log, want), "mode %04o: no '%s' in the log", modes[i], want);
        CHECK(!dp_file_contains(log, TOKEN));
        CHECK(!dp_file_contains(log, "operator surface on"));
    }
}

/* Other bad token files: missing, a link (even to a good file), a directory, too short, two lines. */
TEST(bad_token_files_are_refused)
{
    const char *kinds[] = {"missing", "symlink", "directory", "short", "two_lines"};
    const char *wants[] = {"token: No such file or directory", "token is not a regular file",
                           "token is not a regular file", "the token must be one line of 16..127 bytes",
                           "the token must be one line of 16..127 bytes"};
    for (int i = 0; i < 5; i++) {
        char casedir[400], cfg[500], log[500], tok[500], good[500], app[800], name[32];
        snprintf(name, sizeof name, "tok_%s", kinds[i]);
        dp_case(g_dir, name, casedir, sizeof casedir);
        snprintf(tok, sizeof tok, "%s/token", casedir);
        snprintf(good, sizeof good, "%s/good", casedir);
        write_token(good, 0600);
        if (i == 1)
            CHECK_EQ_INT(symlink(good, tok), 0);
        if (i == 2)
            CHECK_EQ_INT(mkdir(tok, 0700), 0);
        if (i >= 3) {
            dp_write_file(tok, i == 3 ? "short\n" : TOKEN "\n" TOKEN "\n");
            CHECK_EQ_INT(chmod(tok, 0600), 0);
        }
        snprintf(app, sizeof app, "\"http\": {\"port\": %d, \"token_file\": \"%s\"}", dp_free_port(), tok);
        dp_config(casedir, g_bars, app, "", cfg, sizeof cfg);
        snprintf(log, sizeof log, "%s/log", casedir);
        const char *argv[] = {g_daemon, "--config", cfg, NULL};
        CHECK(dp_run(argv, NULL, log, 10000) != 0);
        CHECK_MSG(dp_file_contains(log, "appliance.http.token_file: ") && dp_file_contains(log, wants[i]),
                  "%s: no '%s' in the log", kinds[i], wants[i]);
        CHECK(!dp_file_contains(log, TOKEN) && !dp_file_contains(log, "operator surface on"));
    }
}

/* appliance.http.bind: another loopback address serves; a LAN address serves TLS, or plain HTTP with
 * allow_plain_http_lan; a half TLS pair in the state directory stops start-up. */
TEST(bind_address)
{
    box_t b;
    CHECK_EQ_INT(box_start(&b, "bind2", ", \"bind\": \"127.0.0.2\""), 0);
    CHECK(dp_file_contains(b.log, "operator surface on http://127.0.0.2:"));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)b.port)};
    inet_pton(AF_INET, "127.0.0.2", &a.sin_addr);
    CHECK_EQ_INT(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    box_stop(&b);
    char casedir[400], cfg[500], log[500], app[300];
    dp_case(g_dir, "bindlan", casedir, sizeof casedir);
    snprintf(app, sizeof app, "\"http\": {\"port\": %d, \"bind\": \"0.0.0.0\"}", dp_free_port());
    dp_config(casedir, g_bars, app, "", cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    /* not loopback: TLS, with a certificate made in the state directory (tests/system/test_tls.sh) */
    CHECK_EQ_INT(box_start(&b, "bindtls", ", \"bind\": \"0.0.0.0\""), 0);
    CHECK(dp_file_contains(b.log, "operator surface on https://0.0.0.0:"));
    CHECK(dp_file_contains(b.log, "TLS certificate sha256 fingerprint "));
    box_stop(&b);
    /* a certificate without its key is not replaced by a new pair: start-up stops, naming the file */
    char state[500], cert[600];
    snprintf(state, sizeof state, "%s/state", casedir);
    snprintf(cert, sizeof cert, "%s/tls_cert.pem", state);
    CHECK_EQ_INT(mkdir(state, 0700), 0);
    dp_write_file(cert, "not a certificate\n");
    const char *argv[] = {g_daemon, "--config", cfg, NULL};
    CHECK(dp_run(argv, NULL, log, 10000) != 0);
    CHECK(dp_file_contains(log, "tls_key.pem"));
    /* allow_plain_http_lan (the QEMU system test's VM): the same bind serves, with a warning */
    CHECK_EQ_INT(box_start(&b, "bindlan2", ", \"bind\": \"0.0.0.0\", \"allow_plain_http_lan\": true"), 0);
    CHECK(dp_file_contains(b.log, "operator surface on http://0.0.0.0:"));
    CHECK(dp_file_contains(b.log, "plain HTTP on a non-loopback address"));
    box_stop(&b);
}

TEST(bad_http_keys_are_refused)
{
    const struct { const char *json, *want; } cases[] = {
        {"{\"port\": 70000}", "appliance.http.port: 70000 is not allowed (an integer in 0..65535)"},
        {"{\"bind\": \"localhost\"}", "appliance.http.bind: \"localhost\" is not allowed (an IPv4 address"},
        {"{\"cors_origins\": [\"http://a.example/path\"]}", "appliance.http.cors_origins: \"http://a.example/path\" is not allowed"},
        {"{\"cors\": []}", "appliance.cors: (an array) is not allowed (unknown key in http: port, bind, token_file, cors_origins, allow_plain_http_lan)"},
        {"{\"allow_plain_http_lan\": 1}", "appliance.http.allow_plain_http_lan: 1 is not allowed (true or false)"},
        {"8080", "appliance.http: 8080 is not allowed (an object)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char casedir[400], cfg[500], log[500], app[300], name[32], state[500];
        snprintf(name, sizeof name, "badkey%zu", i);
        dp_case(g_dir, name, casedir, sizeof casedir);
        snprintf(app, sizeof app, "\"http\": %s", cases[i].json);
        dp_config(casedir, g_bars, app, "", cfg, sizeof cfg);
        snprintf(log, sizeof log, "%s/log", casedir);
        const char *argv[] = {g_daemon, "--config", cfg, NULL};
        CHECK_EQ_INT(dp_run(argv, NULL, log, 5000), 2);
        CHECK_MSG(dp_file_contains(log, cases[i].want), "case %zu: no '%s' in the log", i, cases[i].want);
        snprintf(state, sizeof state, "%s/state", casedir);
        CHECK_MSG(access(state, F_OK) != 0, "case %zu: the state directory was created", i);
    }
}

TEST(health_openapi_and_cors)
{
    box_t b;
    CHECK_EQ_INT(box_start(&b, "routes", ", \"cors_origins\": [\"http://webui.local:3000\"]"), 0);
    char *h = dp_http(b.port, "GET", "/health", "");
    int code = dp_http_status(h);
    CHECK_MSG(code == 200 || code == 503, "health: %.200s", h);
    CHECK(strstr(h, "\"status\":\"") && strstr(h, "\"reasons\":["));
    free(h);
    char *o = dp_http(b.port, "GET", "/openapi.json", "");
    CHECK_EQ_INT(dp_http_status(o), 200);
    CHECK(strstr(o, "Content-Type: application/json\r\n") != NULL);
    CHECK(strstr(o, "\"openapi\":\"3.1.0\"") != NULL);
    const char *paths[] = {"\"/health\"",          "\"/api/v1/status\"", "\"/api/v1/rearm\"",
                           "\"/api/v1/disarm\"",   "\"/api/v1/positions\"", "\"/api/v1/trades\"",
                           "\"/api/v1/events\"",   "\"/api/v1/config\"",    "\"/api/v1/decisions\"",
                           "\"/api/v1/lifecycle\"", "\"/api/v1/equity\"", "\"/api/v1/performance\"",
                           "\"/api/v1/analysis\""};
    for (int i = 0; i < 13; i++)
        CHECK_MSG(strstr(o, paths[i]) != NULL, "%s is not in /openapi.json", paths[i]);
    int ops = 0;
    for (const char *p = o; (p = strstr(p, "\"operationId\":")) != NULL; p++) {
        const char *next = strstr(p + 1, "\"operationId\":");
        const char *desc = strstr(p, "\"description\":");
        CHECK_MSG(desc && (!next || desc < next), "operation %d has no description", ops);
        ops++;
    }
    CHECK_EQ_INT(ops, 18);
    const char *body = strstr(o, "\r\n\r\n");
    char spec[600], lint[600], cmd[2000];
    snprintf(spec, sizeof spec, "%s/openapi.json", b.casedir);
    snprintf(lint, sizeof lint, "%s/redocly.log", b.casedir);
    dp_write_file(spec, body ? body + 4 : "");
    /* test-only tool, only when it is already installed (EB_REDOCLY=path/to/redocly, or an npx that finds
     * @redocly/cli without downloading it): valid, and no warning either ("You have N warnings") */
    const char *rd = getenv("EB_REDOCLY");
    char tool[400];
    snprintf(tool, sizeof tool, "%s", rd && rd[0] ? rd : "npx --no-install @redocly/cli");
    snprintf(cmd, sizeof cmd, "timeout 20 %s --version >/dev/null 2>&1", tool);
    if (system(cmd) == 0) {
        snprintf(cmd, sizeof cmd, "timeout 60 %s lint %s > %s 2>&1", tool, spec, lint);
        CHECK_MSG(system(cmd) == 0, "redocly lint failed, see %s", lint);
        CHECK_MSG(dp_file_contains(lint, "Your API description is valid") && !dp_file_contains(lint, "You have "),
                  "redocly lint warns, see %s", lint);
    } else {
        CHECK_SKIP("@redocly/cli not installed (npm; or set EB_REDOCLY)");
    }
    free(o);
    /* CORS: a listed origin gets the preflight with Authorization allowed; any other gets 403 */
    char *p = dp_http(b.port, "OPTIONS", "/api/v1/status",
                      "Origin: http://webui.local:3000\r\nAccess-Control-Request-Method: GET\r\n"
                      "Access-Control-Request-Headers: authorization\r\n");
    CHECK_MSG(dp_http_status(p) == 204, "preflight: %.300s", p);
    CHECK(strstr(p, "Access-Control-Allow-Origin: http://webui.local:3000\r\n") != NULL);
    CHECK(strstr(p, "Access-Control-Allow-Headers: Authorization, Content-Type\r\n") != NULL);
    CHECK(strstr(p, "Access-Control-Allow-Methods: GET, HEAD\r\n") != NULL);
    CHECK(strstr(p, "Content-Length") == NULL);
    free(p);
    p = dp_http(b.port, "OPTIONS", "/api/v1/status", "Origin: http://evil.example\r\n");
    CHECK_EQ_INT(dp_http_status(p), 403);
    CHECK(strstr(p, "Access-Control-Allow-Origin") == NULL);
    free(p);
    p = dp_http(b.port, "GET", "/api/v1/status", "Origin: http://webui.local:3000\r\n");
    CHECK_EQ_INT(dp_http_status(p), 200);
    CHECK(strstr(p, "Access-Control-Allow-Origin: http://webui.local:3000\r\n") != NULL);
    free(p);
    p = dp_http(b.port, "GET", "/api/v1/status", "Origin: http://evil.example\r\n");
    CHECK(strstr(p, "Access-Control-Allow-Origin") == NULL);
    free(p);
    /* no token file: control is off */
    p = dp_http(b.port, "POST", "/api/v1/disarm", "Authorization: Bearer " TOKEN "\r\n");
    CHECK_MSG(dp_http_status(p) == 403, "disarm without a token file: %.200s", p);
    free(p);
    box_stop(&b);
}

TEST(control_with_the_token)
{
    box_t b;
    CHECK_EQ_INT(box_start_with_token(&b, "control"), 0);
    const char *auth = "Authorization: Bearer " TOKEN "\r\n";
    char *p = dp_http(b.port, "POST", "/api/v1/disarm", "");
    CHECK_EQ_INT(dp_http_status(p), 401);
    free(p);
    p = dp_http(b.port, "POST", "/api/v1/disarm", "Authorization: Bearer wrong-token-0123456789\r\n");
    CHECK_EQ_INT(dp_http_status(p), 401);
    free(p);
    p = dp_http(b.port, "POST", "/api/v1/disarm", auth);
    CHECK_MSG(dp_http_status(p) == 200 && strstr(p, "\"changed\":true") && strstr(p, "\"master_switch\""),
              "disarm: %.300s", p);
    free(p);
    p = dp_http(b.port, "GET", "/api/v1/status", "");
    CHECK(strstr(p, "\"master_switch\"") != NULL);
    free(p);
    p = dp_http(b.port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 200 && strstr(p, "master switch on") && !strstr(p, "\"master_switch\""),
              "rearm after disarm: %.300s", p);
    free(p);
    /* the physical button wins: pressed (latched and held) refuses, released and latched re-arms */
    CHECK_EQ_INT(gpio(b.casedir, "press"), 0);
    CHECK(dp_notify_wait(&b.rx, 0, "disarm: kill_switch", 3000) >= 0);
    dp_sleep_ms(100);
    p = dp_http(b.port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 409 && strstr(p, "button is pressed") && strstr(p, "\"kill_switch\""),
              "rearm while pressed: %.300s", p);
    free(p);
    CHECK_EQ_INT(gpio(b.casedir, "release"), 0);
    dp_sleep_ms(200);
    p = dp_http(b.port, "GET", "/api/v1/status", "");
    CHECK_MSG(strstr(p, "\"kill_switch\":\"latched\"") != NULL, "after release: %.300s", p);
    free(p);
    p = dp_http(b.port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 200 && strstr(p, "kill switch re-armed") && !strstr(p, "\"kill_switch\""),
              "rearm after release: %.300s", p);
    free(p);
    p = dp_http(b.port, "GET", "/api/v1/status", "");
    CHECK_MSG(strstr(p, "\"kill_switch\":\"armed\"") != NULL, "after rearm: %.300s", p);
    free(p);
    char *m = dp_http(b.port, "GET", "/metrics", ""); /* by exact code: the two 401s and the 409 */
    CHECK_MSG(strstr(m, "edgebox_http_responses_total{code=\"401\"} 2\n") &&
                  strstr(m, "edgebox_http_responses_total{code=\"409\"} 1\n") &&
                  strstr(m, "edgebox_http_unauthorized_total 2\n"),
              "metrics: %.200s", m ? strstr(m, "edgebox_http_responses_total") : "");
    free(m);
    CHECK(dp_file_contains(b.log, "disarm from 127.0.0.1: 200 master switch off"));
    CHECK(dp_file_contains(b.log, "rearm from 127.0.0.1: 409 the kill-switch button is pressed"));
    CHECK(dp_file_contains(b.log, "kill switch re-armed by the API from 127.0.0.1"));
    box_stop(&b);
    /* journalled: the events are in the journal's file (read by bytes: no sqlite client needed) */
    char jpath[600];
    snprintf(jpath, sizeof jpath, "%s/state/journal.db", b.casedir);
    size_t len = 0;
    char *j = dp_read_file(jpath, &len);
    const char *want = "rearm from 127.0.0.1: 200 kill switch re-armed";
    CHECK_MSG(j && memmem(j, len, want, strlen(want)), "no '%s' in the journal", want);
    free(j);
    check_token_hidden(&b);
}

/* Writes the simulated kill-switch line (released is "1\n" on the sim board; "x\n" cannot be read). */
static void put_line(const box_t *b, const char *text)
{
    char line[600], tmp[600];
    snprintf(line, sizeof line, "%s/sim/killswitch", b->casedir);
    snprintf(tmp, sizeof tmp, "%s/sim/.ks.tmp", b->casedir);
    dp_write_file(tmp, text);
    CHECK_EQ_INT(rename(tmp, line), 0);
}

/* An unreadable line: /health is 503 naming kill_switch_fault, a re-arm is refused while it cannot be
 * read; once it reads released the button's rule allows the API re-arm (it clears the fault too). */
/* The same box again, on its own state (a restart after a power cut). */
static int box_restart(box_t *b, const char *tag)
{
    char simenv[500], where[80];
    dp_sim_env(b->casedir, simenv, sizeof simenv);
    snprintf(where, sizeof where, "@eb-test-api-%d-%s", (int)getpid(), tag);
    if (dp_notify_open(&b->rx, where) != 0)
        return -1;
    const char *argv[] = {g_daemon, "--config", b->cfg, NULL};
    const char *env[] = {simenv, b->rx.env, NULL};
    b->pid = dp_spawn(argv, env, b->log);
    return b->pid > 0 && dp_notify_wait(&b->rx, 0, "READY=1", 10000) >= 0 ? 0 : -1;
}

/* An operator's disarm is not undone by a restart (before, the config's master switch came back on and the
 * box traded again); the operator's re-arm is what switches it back, and that too survives a restart. */
TEST(operator_disarm_survives_a_restart)
{
    box_t b;
    CHECK_EQ_INT(box_start_with_token(&b, "persist"), 0);
    const char *auth = "Authorization: Bearer " TOKEN "\r\n";
    char *p = dp_http(b.port, "POST", "/api/v1/disarm", auth);
    CHECK_MSG(dp_http_status(p) == 200, "disarm: %.200s", p);
    free(p);
    box_stop(&b);
    CHECK_EQ_INT(box_restart(&b, "persist2"), 0);
    dp_notify_pump(&b.rx, 300);
    CHECK_MSG(strstr(dp_notify_last_status(&b.rx), "master_switch") != NULL, "after a restart: %s",
              dp_notify_last_status(&b.rx));
    CHECK(dp_file_contains(b.log, "trading stays off: an operator disarmed it through the API"));
    p = dp_http(b.port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 200 && strstr(p, "master switch on"), "rearm after the restart: %.300s", p);
    free(p);
    box_stop(&b);
    CHECK_EQ_INT(box_restart(&b, "persist3"), 0);
    dp_notify_pump(&b.rx, 300);
    CHECK_MSG(strstr(dp_notify_last_status(&b.rx), "master_switch") == NULL, "re-armed, restarted: %s",
              dp_notify_last_status(&b.rx));
    box_stop(&b);
}

TEST(faulted_line_refuses_rearm)
{
    box_t b;
    CHECK_EQ_INT(box_start_with_token(&b, "fault"), 0);
    const char *auth = "Authorization: Bearer " TOKEN "\r\n";
    char *h = dp_http(b.port, "GET", "/health", "");
    CHECK_MSG(dp_http_status(h) == 200 && strstr(h, "{\"status\":\"ok\",\"reasons\":[]}"), "health: %.300s", h);
    free(h);
    put_line(&b, "x\n");
    CHECK(dp_notify_wait(&b.rx, 0, "kill_switch_fault", 3000) >= 0);
    h = dp_http(b.port, "GET", "/health", "");
    CHECK_MSG(dp_http_status(h) == 503 && strstr(h, "\"status\":\"unhealthy\"") && strstr(h, "\"kill_switch_fault\""),
              "health while faulted: %.300s", h);
    free(h);
    char *p = dp_http(b.port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 409 && strstr(p, "the kill-switch line cannot be read"), "rearm while faulted: %.300s", p);
    free(p);
    put_line(&b, "1\n");
    dp_sleep_ms(300);
    p = dp_http(b.port, "POST", "/api/v1/rearm", auth);
    CHECK_MSG(dp_http_status(p) == 200 && strstr(p, "kill switch re-armed") && !strstr(p, "kill_switch"),
              "rearm once readable and released: %.300s", p);
    free(p);
    h = dp_http(b.port, "GET", "/health", "");
    CHECK_EQ_INT(dp_http_status(h), 200);
    free(h);
    box_stop(&b);
}

int main(void)
{
    if (!dp_bin("edgeboxd", g_daemon, sizeof g_daemon) || !dp_bin("edgebox", g_tool, sizeof g_tool)) {
        CHECK_SKIP("edgeboxd or edgebox not built");
        return eb_check_report();
    }
    if (dp_tmpdir("dapi", g_dir, sizeof g_dir) != 0)
        return 1;
    snprintf(g_bars, sizeof g_bars, "%s/bars.csv", g_dir);
    const char *a[] = {g_tool, "data", "synth", "--bars", "300", "--out", g_bars, NULL};
    CHECK_EQ_INT(dp_run(a, NULL, NULL, 10000), 0);
    RUN(token_file_readable_by_others_is_refused);
    RUN(bad_token_files_are_refused);
    RUN(bad_http_keys_are_refused);
    RUN(bind_address);
    RUN(health_openapi_and_cors);
    RUN(control_with_the_token);
    RUN(operator_disarm_survives_a_restart);
    RUN(faulted_line_refuses_rearm);
    if (eb_check_failed == 0)
        dp_rmtree(g_dir);
    return eb_check_report();
}
