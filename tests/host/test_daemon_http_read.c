/* The read endpoints (issue 15 item 2) on a running edgeboxd that has traded the fixture's bars:
 * GET /api/v1/trades, /api/v1/events and /api/v1/decisions answer the journal's newest rows (checked
 * against the journal read with SQLite), bounded by ?limit= (1..200, default 50); /api/v1/events?kind=
 * filters; /api/v1/positions and /api/v1/lifecycle agree with /api/v1/status and the journal; /api/v1/config shows the config with every secret's value redacted and the
 * token file's token nowhere. A bad query is 400 with a JSON message, an unknown path 404, another method
 * 405. Rows that would not fit the answer buffer are left out, and the answer says so. GET /api/v1/equity
 * answers the journal's equity rows likewise (1..1000, default 300) with the newest bar's time and age;
 * GET / (the dashboard; test_dashboard_chromium.sh loads it in a browser) is web/dashboard.html byte for
 * byte, with a Content-Security-Policy whose hashes are those of its inline script and style, nosniff, and
 * no CORS header for another origin. GET /metrics names the model (id and release), the stage /api/v1/status
 * has, the data age and the loop lateness, and promtool reads it; a model id with a quote, a backslash
 * and a newline is escaped in its label. */
#include "app/base64.h"
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <mbedtls/sha256.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TOKEN "read-test-token-0123456789abcdef"

static dp_fixture_t F;
static char g_case[400], g_db[500], g_log[500];
static int g_port;
static pid_t g_pid;

/* The answer to GET path: its status, and its body parsed (NULL when it is not JSON). */
static cJSON *get(const char *path, int *status, char **raw)
{
    char *r = dp_http(g_port, "GET", path, "");
    *status = dp_http_status(r);
    const char *body = r ? strstr(r, "\r\n\r\n") : NULL;
    cJSON *j = body ? cJSON_Parse(body + 4) : NULL;
    if (raw)
        *raw = r;
    else
        free(r);
    return j;
}

static int ok_rows(const char *path, const char *key, cJSON **doc)
{
    int status;
    *doc = get(path, &status, NULL);
    cJSON *rows = cJSON_GetObjectItemCaseSensitive(*doc, key);
    CHECK_MSG(status == 200 && cJSON_IsArray(rows), "GET %s: %d, no \"%s\" array", path, status, key);
    return cJSON_IsArray(rows) ? cJSON_GetArraySize(rows) : -1;
}

static double num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k)); }
static const char *str(const cJSON *o, const char *k) { return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k)); }

/* The first row of doc's array `key` (NULL when there is none, or no such array). */
static cJSON *first_row(const cJSON *doc, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, key);
    return cJSON_IsArray(a) ? a->child : NULL;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The daemon with the fixture's model, the demo thresholds (so it trades), a token file and a few secrets
 * in sections it does not read yet, started and waited for until the replay is over. */
static int start_box(void)
{
    char cfg[500], tok[500], app[1200], sim[500];
    snprintf(tok, sizeof tok, "%s/token", F.dir);
    if (dp_write_file(tok, TOKEN "\n") != 0 || chmod(tok, 0600) != 0)
        return -1;
    g_port = dp_free_port();
    snprintf(app, sizeof app, "\"http\": {\"port\": %d, \"token_file\": \"%s\"}", g_port, tok);
    dp_fixture_case(&F, "read", F.bars, app,
                    "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, \"limits\": {\"min_confidence\": "
                    "0.30}, \"notify\": {\"telegram\": {\"bot_token\": \"123:NOTIFY-SECRET\", \"chat_id\": 42}}, "
                    "\"exchange\": {\"name\": \"binance\", \"api_key\": \"KEY-SECRET\", \"Api_Secret\": "
                    "{\"v\": \"NESTED-SECRET\"}, \"accounts\": [{\"id\": 1, \"password\": \"ARRAY-SECRET\"}]}",
                    1, g_case, sizeof g_case, cfg, sizeof cfg);
    snprintf(g_db, sizeof g_db, "%s/state/journal.db", g_case);
    snprintf(g_log, sizeof g_log, "%s/log", g_case);
    const char *argv[] = {F.daemon, "--config", cfg, NULL};
    const char *env[] = {dp_sim_env(g_case, sim, sizeof sim), NULL};
    g_pid = dp_spawn(argv, env, g_log);
    for (int i = 0; g_pid > 0 && i < 300 && dp_alive(g_pid); i++) {
        if (dp_file_contains(g_log, "replay finished after"))
            return 0;
        dp_sleep_ms(100);
    }
    return -1;
}

TEST(trades_are_the_journals_newest_fills)
{
    int64_t fills = dp_sql_int(g_db, "select count(*) from fills", -1);
    CHECK_MSG(fills >= 10, "only %lld fills: the daemon traded too little to prove anything", (long long)fills);
    cJSON *doc;
    CHECK_EQ_INT(ok_rows("/api/v1/trades", "trades", &doc), min64(fills, 50)); /* the default limit */
    CHECK_EQ_INT(num(doc, "limit"), 50);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "truncated")));
    cJSON_Delete(doc);
    CHECK_EQ_INT(ok_rows("/api/v1/trades?limit=200", "trades", &doc), min64(fills, 200));
    /* newest first, each row as the journal has it (fills joined with their orders) */
    int i = 0;
    double prev = 1e300;
    for (cJSON *t = first_row(doc, "trades"); t; t = t->next, i++) {
        double id = num(t, "id");
        CHECK_MSG(id < prev, "row %d: id %.0f after %.0f", i, id, prev);
        prev = id;
        char q[400];
        snprintf(q, sizeof q,
                 "select count(*) from fills f join orders o using(client_id) where f.id=%.0f and f.time_ms=%.0f and "
                 "o.side=%d and o.reason='%s' and f.client_id='%s' and abs(f.qty-%.17g)<1e-12 and "
                 "abs(f.price-%.17g)<1e-9",
                 id, num(t, "time_ms"), strcmp(str(t, "side") ? str(t, "side") : "", "buy") == 0 ? 1 : -1,
                 str(t, "reason") ? str(t, "reason") : "?", str(t, "client_id") ? str(t, "client_id") : "?",
                 num(t, "qty"), num(t, "price"));
        CHECK_MSG(dp_sql_int(g_db, q, -1) == 1, "row %d is not the journal's: %s", i, q);
    }
    cJSON *first = first_row(doc, "trades");
    CHECK_EQ_INT(first ? num(first, "id") : -1, dp_sql_int(g_db, "select max(id) from fills", -1));
    cJSON_Delete(doc);
    CHECK_EQ_INT(ok_rows("/api/v1/trades?limit=1", "trades", &doc), 1);
    cJSON_Delete(doc);
}

TEST(events_newest_first_and_by_kind)
{
    cJSON *doc;
    int64_t events = dp_sql_int(g_db, "select count(*) from events", -1);
    CHECK_EQ_INT(ok_rows("/api/v1/events?limit=7", "events", &doc), min64(events, 7));
    int k = 0;
    for (cJSON *e = first_row(doc, "events"); e; e = e->next, k++) {
        char q[200];
        snprintf(q, sizeof q, "select id from events order by id desc limit 1 offset %d", k);
        CHECK_EQ_INT(num(e, "id"), dp_sql_int(g_db, q, -1));
        CHECK(str(e, "kind") && str(e, "detail"));
    }
    cJSON_Delete(doc);
    int64_t trades = dp_sql_int(g_db, "select count(*) from events where kind='trade'", -1);
    CHECK_MSG(trades >= 5, "only %lld trade events", (long long)trades);
    CHECK_EQ_INT(ok_rows("/api/v1/events?kind=trade&limit=200", "events", &doc), min64(trades, 200));
    for (cJSON *e = first_row(doc, "events"); e; e = e->next)
        CHECK_EQ_STR(str(e, "kind"), "trade");
    cJSON_Delete(doc);
    CHECK_EQ_INT(ok_rows("/api/v1/events?kind=config", "events", &doc), 0); /* a kind nothing wrote yet */
    cJSON_Delete(doc);
}

TEST(decisions_are_the_journals_newest)
{
    cJSON *doc;
    int64_t all = dp_sql_int(g_db, "select count(*) from decisions", -1);
    CHECK_EQ_INT(all, 1500); /* one per bar */
    CHECK_EQ_INT(ok_rows("/api/v1/decisions?limit=120", "decisions", &doc), 120);
    int k = 0, with_model = 0;
    for (cJSON *dn = first_row(doc, "decisions"); dn; dn = dn->next, k++) {
        char q[600];
        const char *reason = str(dn, "reason"), *model = str(dn, "model_id");
        with_model += model != NULL;
        snprintf(q, sizeof q,
                 "select count(*) from decisions where id=(select id from decisions order by id desc limit 1 offset "
                 "%d) and id=%.0f and bar_ms=%.0f and action='%s' and reason='%s' and model_id='%s' and "
                 "abs(p_buy-%.17g)<1e-15 and abs(p_sell-%.17g)<1e-15",
                 k, num(dn, "id"), num(dn, "bar_ms"), str(dn, "action") ? str(dn, "action") : "?",
                 reason ? reason : "", model ? model : "", num(dn, "p_buy"), num(dn, "p_sell"));
        CHECK_MSG(dp_sql_int(g_db, q, -1) == 1, "decision row %d is not the journal's: %s", k, q);
    }
    CHECK_MSG(with_model > 0, "no decision names the model");
    cJSON_Delete(doc);
}

TEST(lifecycle_as_the_journal_and_status_have_it)
{
    int status;
    cJSON *lc = get("/api/v1/lifecycle", &status, NULL);
    CHECK_EQ_INT(status, 200);
    cJSON *st = get("/api/v1/status", &status, NULL);
    CHECK_EQ_STR(str(lc, "stage"), str(st, "lifecycle"));
    CHECK_EQ_STR(str(lc, "strategy"), "edgebox");
    char q[300];
    snprintf(q, sizeof q, "select count(*) from lifecycle where strategy='edgebox' and stage='%s' and since_ms=%.0f",
             str(lc, "stage") ? str(lc, "stage") : "?", num(lc, "since_ms"));
    CHECK_MSG(dp_sql_int(g_db, q, -1) == 1, "not the journal's row: %s", q);
    /* every trade closed since the stage began counts (the fixture's run stays in incubation) */
    int64_t trades = dp_sql_int(g_db, "select count(*) from events where kind='trade'", -1);
    CHECK_EQ_INT(num(lc, "trades"), trades);
    cJSON *rule = cJSON_GetObjectItemCaseSensitive(lc, "rule");
    CHECK(str(rule, "action") && str(rule, "next") && str(rule, "reason"));
    CHECK_EQ_INT(num(rule, "min_trades"), 10);
    CHECK_EQ_INT(num(rule, "window"), 30);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rule, "operator_consent")));
    cJSON_Delete(st);
    cJSON_Delete(lc);
}

TEST(positions_agree_with_status)
{
    cJSON *doc;
    int n = ok_rows("/api/v1/positions", "positions", &doc);
    int status;
    cJSON *st = get("/api/v1/status", &status, NULL);
    CHECK_EQ_INT(n, num(st, "open_positions"));
    CHECK_EQ_STR(str(doc, "symbol"), "BTCUSDT");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "last_close")));
    double net = 0;
    for (cJSON *p = first_row(doc, "positions"); p; p = p->next)
        if (strcmp(str(p, "state") ? str(p, "state") : "", "open") == 0)
            net += (strcmp(str(p, "side"), "long") == 0 ? 1 : -1) * num(p, "qty");
    CHECK_NEAR(net, num(st, "position_qty"), 1e-12);
    cJSON_Delete(st);
    cJSON_Delete(doc);
}

TEST(config_redacts_every_secret)
{
    int status;
    char *raw;
    cJSON *doc = get("/api/v1/config", &status, &raw);
    CHECK_EQ_INT(status, 200);
    cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "config");
    cJSON *app = cJSON_GetObjectItemCaseSensitive(c, "appliance");
    cJSON *http = cJSON_GetObjectItemCaseSensitive(app, "http");
    CHECK_EQ_INT(num(http, "port"), g_port);
    CHECK_EQ_STR(str(http, "token_file"), "[redacted]");
    CHECK_EQ_STR(str(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "notify"), "telegram"),
                     "bot_token"), "[redacted]");
    cJSON *ex = cJSON_GetObjectItemCaseSensitive(c, "exchange");
    CHECK_EQ_STR(str(ex, "api_key"), "[redacted]");
    CHECK_EQ_STR(str(ex, "Api_Secret"), "[redacted]"); /* any case, and a whole object */
    CHECK_EQ_STR(str(ex, "name"), "binance");
    CHECK_EQ_INT(num(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "notify"), "telegram"),
                     "chat_id"), 42);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "effective"), "control")));
    cJSON *acct = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ex, "accounts"), 0);
    CHECK_EQ_STR(str(acct, "password"), "[redacted]"); /* inside an array too */
    CHECK_EQ_INT(num(acct, "id"), 1);
    const char *secrets[] = {TOKEN, "NOTIFY-SECRET", "KEY-SECRET", "NESTED-SECRET", "ARRAY-SECRET", "/token\""};
    for (int i = 0; i < 6; i++)
        CHECK_MSG(raw && !strstr(raw, secrets[i]), "'%s' is in GET /api/v1/config", secrets[i]);
    free(raw);
    cJSON_Delete(doc);
}

TEST(limits_bad_queries_and_unknown_paths)
{
    static const char *const bad[] = {
        "/api/v1/trades?limit=0",      "/api/v1/trades?limit=201",          "/api/v1/trades?limit=-1",
        "/api/v1/trades?limit=abc",    "/api/v1/trades?limit=99999999999999999999", "/api/v1/trades?limit=",
        "/api/v1/trades?limit",        "/api/v1/trades?limit=5&limit=6",    "/api/v1/trades?limt=5",
        "/api/v1/trades?limit=%35",    "/api/v1/trades?kind=trade",         "/api/v1/events?kind=nope",
        "/api/v1/events?kind=trade%27", "/api/v1/events?&limit=5",          "/api/v1/positions?limit=5",
        "/api/v1/config?x=1",          "/api/v1/decisions?limit=1000",      "/api/v1/lifecycle?limit=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int status;
        cJSON *doc = get(bad[i], &status, NULL);
        CHECK_MSG(status == 400 && str(doc, "error"), "GET %s: %d, %s", bad[i], status,
                  str(doc, "error") ? str(doc, "error") : "no JSON error");
        cJSON_Delete(doc);
    }
    cJSON *doc;
    CHECK_EQ_INT(ok_rows("/api/v1/events?limit=200", "events", &doc),
                 min64(dp_sql_int(g_db, "select count(*) from events", -1), 200));
    CHECK_EQ_INT(num(doc, "limit"), 200);
    cJSON_Delete(doc);
    static const char *const missing[] = {"/api/v1/trade", "/api/v1/trades/1", "/api/v1/event", "/api/v1/configs",
                                          "/api/v1/positions/"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        char *r = dp_http(g_port, "GET", missing[i], "");
        CHECK_MSG(dp_http_status(r) == 404, "GET %s: %.100s", missing[i], r);
        free(r);
    }
    char *r = dp_http(g_port, "POST", "/api/v1/trades", "");
    CHECK_MSG(dp_http_status(r) == 405, "POST /api/v1/trades: %.100s", r);
    free(r);
    r = dp_http(g_port, "HEAD", "/api/v1/events?limit=3", "");
    CHECK_MSG(dp_http_status(r) == 200 && !strstr(r, "\"events\""), "HEAD: %.200s", r);
    free(r);
}

/* Events whose detail escapes to six bytes a byte (\u0001), written into the live journal as another
 * process would: 200 of them need 300 KiB, the answer buffer holds 64, so the answer stops early, says so,
 * and is still whole JSON with whole rows. */
static int add_wide_events(int n, const char *detail)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_open_v2(g_db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
             sqlite3_busy_timeout(h, 5000) == SQLITE_OK && sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(h, "INSERT INTO events(time_ms, kind, detail) VALUES(?, 'error', ?)", -1, &st, NULL) ==
                 SQLITE_OK;
    for (int i = 0; ok && i < n; i++) {
        sqlite3_bind_int64(st, 1, dp_now_ms());
        sqlite3_bind_text(st, 2, detail, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_reset(st) == SQLITE_OK;
    }
    sqlite3_finalize(st);
    ok = ok && sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        fprintf(stderr, "adding events to %s: %s\n", g_db, sqlite3_errmsg(h));
    sqlite3_close(h);
    return ok ? 0 : -1;
}

TEST(a_full_answer_is_truncated_whole)
{
    char detail[251];
    memset(detail, 1, 250);
    detail[250] = '\0';
    CHECK_EQ_INT(add_wide_events(200, detail), 0);
    int status;
    char *raw;
    cJSON *doc = get("/api/v1/events?limit=200", &status, &raw);
    const char *body = raw ? strstr(raw, "\r\n\r\n") : NULL;
    CHECK_MSG(status == 200 && doc, "status %d, body %s JSON", status, doc ? "is" : "is not");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "truncated")));
    int rows = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "events"));
    CHECK_MSG(rows > 10 && rows < 200, "%d rows", rows);
    CHECK_MSG(body && strlen(body) < 65536, "%zu bytes", body ? strlen(body) : 0);
    for (cJSON *e = first_row(doc, "events"); e; e = e->next)
        CHECK_MSG(str(e, "detail") && strcmp(str(e, "detail"), detail) == 0, "event %.0f's detail", num(e, "id"));
    free(raw);
    cJSON_Delete(doc);
}

/* --- GET /api/v1/equity and the dashboard page (GET /) ------------------------------------------- */
#define PAGE "firmware/app/daemon/web/dashboard.html"

/* The points of GET path, checked against the journal row by row: their count, or -1. */
static int points_match_journal(const char *path)
{
    int status;
    cJSON *doc = get(path, &status, NULL);
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(doc, "points");
    CHECK_MSG(status == 200 && cJSON_IsArray(pts), "GET %s: %d", path, status);
    int n = 0;
    double prev = 1e300;
    for (const cJSON *p = cJSON_IsArray(pts) ? pts->child : NULL; p; p = p->next, n++) {
        double t = cJSON_GetNumberValue(cJSON_GetArrayItem(p, 0)), eq = cJSON_GetNumberValue(cJSON_GetArrayItem(p, 1));
        CHECK_MSG(cJSON_GetArraySize(p) == 2 && t < prev, "point %d: [%.0f, %g] after %.0f", n, t, eq, prev);
        prev = t;
        char q[200];
        snprintf(q, sizeof q, "select count(*) from equity where time_ms=%.0f and abs(equity-%.17g)<1e-9", t, eq);
        CHECK_MSG(dp_sql_int(g_db, q, -1) == 1, "point %d is not the journal's: %s", n, q);
    }
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "truncated")));
    cJSON_Delete(doc);
    return cJSON_IsArray(pts) ? n : -1;
}

TEST(equity_is_the_journals_newest_rows)
{
    int64_t rows = dp_sql_int(g_db, "select count(*) from equity", -1);
    CHECK_MSG(rows > 300, "only %lld equity rows: too few to see the default limit", (long long)rows);
    CHECK_EQ_INT(points_match_journal("/api/v1/equity"), min64(rows, 300));
    CHECK_EQ_INT(points_match_journal("/api/v1/equity?limit=1000"), min64(rows, 1000));
    CHECK_EQ_INT(points_match_journal("/api/v1/equity?limit=1"), 1);
    int status;
    cJSON *doc = get("/api/v1/equity?limit=1", &status, NULL);
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(doc, "points");
    double newest = cJSON_GetNumberValue(cJSON_GetArrayItem(cJSON_GetArrayItem(pts, 0), 0));
    CHECK_EQ_INT((int64_t)newest, dp_sql_int(g_db, "select max(time_ms) from equity", -1));
    /* the engine's newest bar: at least the journal's newest row, and its age on the wall clock */
    double last = num(doc, "last_bar_ms"), age = num(doc, "data_age_seconds");
    CHECK_MSG(last >= newest, "last_bar_ms %.0f before the newest point %.0f", last, newest);
    double expect = (double)time(NULL) - last / 1000.0;
    CHECK_MSG(age > expect - 5 && age < expect + 5, "data_age_seconds %.3f, expected about %.0f", age, expect);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "stale"))); /* a replay is never stale */
    CHECK_EQ_INT(num(doc, "limit"), 1);
    cJSON_Delete(doc);
}

TEST(equity_bad_queries)
{
    static const char *const bad[] = {"?limit=0",         "?limit=1001",  "?limit=x",
                                      "?limit=1&limit=2", "?kind=trade", "?limit="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[100];
        snprintf(path, sizeof path, "/api/v1/equity%s", bad[i]);
        int status;
        cJSON *doc = get(path, &status, NULL);
        CHECK_MSG(status == 400 && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "error")), "GET %s: %d", path,
                  status);
        cJSON_Delete(doc);
    }
    char *r = dp_http(g_port, "POST", "/api/v1/equity", "");
    CHECK_EQ_INT(dp_http_status(r), 405);
    free(r);
}

/* The CSP source for the inline element of `page` between open and close: 'sha256-<base64>'. */
static void csp_source(const char *page, const char *open, const char *close, char *out, size_t cap)
{
    const char *a = strstr(page, open);
    const char *b = a ? strstr(a, close) : NULL;
    unsigned char h[32];
    char b64[64], err[100];
    out[0] = 0;
    CHECK_MSG(a && b, "%s ... %s not in the page", open, close);
    const unsigned char *inner = a ? (const unsigned char *)a + strlen(open) : NULL;
    if (!a || !b || mbedtls_sha256_ret(inner, (size_t)((const unsigned char *)b - inner), h, 0) != 0 ||
        eb_base64_encode(h, sizeof h, b64, sizeof b64, err, sizeof err) < 0)
        return;
    snprintf(out, cap, "'sha256-%s'", b64);
}

TEST(page_with_its_policy)
{
    size_t len;
    char *page = dp_read_file(PAGE, &len);
    CHECK_MSG(page != NULL, "cannot read %s", PAGE);
    char *r = dp_http(g_port, "GET", "/", "Origin: http://elsewhere.example\r\n");
    CHECK_EQ_INT(dp_http_status(r), 200);
    const char *body = r ? strstr(r, "\r\n\r\n") : NULL;
    CHECK_MSG(page && body && strcmp(body + 4, page) == 0, "GET / is not %s", PAGE);
    CHECK(r && strstr(r, "\r\nContent-Type: text/html; charset=utf-8\r\n"));
    CHECK(r && strstr(r, "\r\nX-Content-Type-Options: nosniff\r\n"));
    CHECK(r && !strstr(r, "Access-Control-"));
    char script[80], style[80], want[400];
    csp_source(page ? page : "", "<script>", "</script>", script, sizeof script);
    csp_source(page ? page : "", "<style>", "</style>", style, sizeof style);
    snprintf(want, sizeof want,
             "\r\nContent-Security-Policy: default-src 'none'; script-src %s; style-src %s; connect-src 'self'; ",
             script, style);
    CHECK_MSG(r && strstr(r, want), "no %s in: %.600s", want + 2, r ? r : "(no answer)");
    free(r);
    r = dp_http(g_port, "HEAD", "/", "");
    CHECK(r && dp_http_status(r) == 200 && strstr(r, "Content-Security-Policy: "));
    free(r);
    free(page);
}

/* The value of the sample whose line starts with `series` ("name{labels} "), NAN when there is none. */
static double sample(const char *text, const char *series)
{
    char line[300];
    snprintf(line, sizeof line, "\n%s ", series);
    const char *at = text ? strstr(text, line) : NULL;
    return at ? strtod(at + strlen(line), NULL) : NAN;
}

TEST(metrics_name_the_model_and_stage)
{
    int status;
    cJSON *st = get("/api/v1/status", &status, NULL);
    char *m = dp_http(g_port, "GET", "/metrics", "");
    CHECK_MSG(m && strstr(m, "\nedgebox_model_info{model_id=\"rm1\",release=\"1\"} 1\n"), "no model rm1 in: %.300s",
              m ? m : "(no answer)");
    /* exactly one stage reads 1, and it is the one /api/v1/status names */
    const char *stage = str(st, "lifecycle");
    char series[80];
    snprintf(series, sizeof series, "edgebox_lifecycle_stage{stage=\"%s\"}", stage ? stage : "?");
    CHECK_MSG(sample(m, series) == 1, "%s is not 1", series);
    int ones = 0;
    for (const char *p = m; p && (p = strstr(p, "\nedgebox_lifecycle_stage{")); p++)
        ones += strncmp(strchr(p, '}'), "} 1\n", 4) == 0;
    CHECK_EQ_INT(ones, 1);
    double age = sample(m, "edgebox_data_age_seconds"); /* the replay's bars are from 2021 */
    CHECK_MSG(age > 86400.0 * 365, "data age %g", age);
    CHECK(sample(m, "edgebox_loop_lateness_seconds_count") > 0);
    CHECK(sample(m, "edgebox_exchange_errors_total{venue=\"paper\",code=\"submit_failed\"}") == 0);
    if (m)
        dp_check_promtool(g_case, m);
    free(m);
    cJSON_Delete(st);
}

/* A model id is the signer's text: a quote, a backslash and a newline in it are escaped in the label,
 * and promtool reads the scrape. The fixture's model signed again under that id, on a second box. */
TEST(a_hostile_model_id_is_escaped)
{
    char ebm[400], key[400], out[400], log[500], casedir[400], cfg[500], app[80], drop[500], sim[500];
    snprintf(ebm, sizeof ebm, "%s/%s.ebm", F.dir, F.model_id);
    snprintf(key, sizeof key, "%s/model.key", F.keys);
    snprintf(out, sizeof out, "%s/hostile.signed", F.dir);
    snprintf(log, sizeof log, "%s/hostile-sign.log", F.dir);
    const char *sign[] = {F.tool, "model", "sign", "--key", key, "--in", ebm, "--release", "1", "--model-id",
                          "q\"b\\s\nn", "--out", out, NULL};
    CHECK_EQ_INT(dp_run(sign, NULL, log, 10000), 0);
    int port = dp_free_port();
    snprintf(app, sizeof app, "\"http\": {\"port\": %d}", port);
    dp_fixture_case(&F, "hostile", F.bars, app, "", 0, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(drop, sizeof drop, "%s/state", casedir);
    mkdir(drop, 0750);
    snprintf(drop, sizeof drop, "%s/state/drop", casedir);
    mkdir(drop, 0770);
    CHECK(dp_drop(out, drop, "hostile.signed") == 0);
    snprintf(log, sizeof log, "%s/log", casedir);
    const char *argv[] = {F.daemon, "--config", cfg, NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    pid_t pid = dp_spawn(argv, env, log);
    char *m = NULL;
    for (int i = 0; pid > 0 && i < 100 && !m && dp_alive(pid); i++) {
        dp_sleep_ms(100);
        m = dp_file_contains(log, "installed hostile.signed") ? dp_http(port, "GET", "/metrics", "") : NULL;
    }
    const char *want = "\nedgebox_model_info{model_id=\"q\\\"b\\\\s\\nn\",release=\"1\"} 1\n";
    const char *info = m ? strstr(m, "\nedgebox_model_info{") : NULL;
    CHECK_MSG(info && strncmp(info, want, strlen(want)) == 0, "the id is not escaped in: %.80s",
              info ? info : "(none)");
    if (m)
        dp_check_promtool(casedir, m);
    free(m);
    if (pid > 0) {
        kill(pid, SIGTERM);
        CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    }
}

int main(void)
{
    if (dp_fixture_ready(&F, "dhttpread", "rm1") != 0)
        return eb_check_report();
    eb_check_test = "setup";
    int up = start_box();
    CHECK_MSG(up == 0, "edgeboxd did not finish the replay with the API on (see %s)", g_log);
    if (up == 0) {
        RUN(trades_are_the_journals_newest_fills);
        RUN(events_newest_first_and_by_kind);
        RUN(decisions_are_the_journals_newest);
        RUN(lifecycle_as_the_journal_and_status_have_it);
        RUN(positions_agree_with_status);
        RUN(config_redacts_every_secret);
        RUN(limits_bad_queries_and_unknown_paths);
        RUN(equity_is_the_journals_newest_rows);
        RUN(equity_bad_queries);
        RUN(page_with_its_policy);
        RUN(metrics_name_the_model_and_stage);
        RUN(a_hostile_model_id_is_escaped);
        RUN(a_full_answer_is_truncated_whole); /* last: it writes into the journal */
    }
    eb_check_test = "stop";
    if (g_pid > 0) {
        kill(g_pid, SIGTERM);
        CHECK_EQ_INT(dp_wait(g_pid, 10000), 0);
    }
    if (eb_check_failed == 0)
        dp_rmtree(F.dir);
    return eb_check_report();
}
