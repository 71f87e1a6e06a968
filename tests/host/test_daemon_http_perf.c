/* GET /api/v1/performance and /api/v1/analysis (issue 15 item 2) on a running edgeboxd. A box that never
 * traded answers zeros and nulls (strict JSON, no NaN). A box that traded the fixture's bars answers the
 * figures recomputed here from the journal's "trade" events, read with SQLite (the drawdown by a forward
 * walk from the start, where the daemon walks back from the end); the hour and weekday groups are counted by
 * SQLite's own strftime. ?limit= takes the newest trades; a bad query is 400. With 10,000 more trades in
 * the journal, the time one request holds the daemon is printed and bounded. /openapi.json names both
 * with operationIds unique across the document. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dp_fixture_t F;
static char g_db[500], g_log[500];
static int g_port;
static pid_t g_pid;

/* The answer to GET path: its status, and its body parsed strictly (NULL when it is not whole JSON). */
static cJSON *get(const char *path, int *status)
{
    char *r = dp_http(g_port, "GET", path, "");
    *status = dp_http_status(r);
    const char *body = r ? strstr(r, "\r\n\r\n") : NULL;
    cJSON *j = body ? cJSON_ParseWithOpts(body + 4, NULL, 1) : NULL;
    CHECK_MSG(j, "GET %s: not JSON: %.300s", path, body ? body + 4 : "(no answer)");
    free(r);
    return j;
}

static const cJSON *item(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }
static double num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(item(o, k)); }

/* A box replaying the fixture's bars with `signal` as its signal section, waited for until the replay is
 * over. */
static int start_box(const char *name, const char *signal)
{
    char cfg[500], app[200], sim[500], casedir[400];
    g_port = dp_free_port();
    snprintf(app, sizeof app, "\"http\": {\"port\": %d}", g_port);
    dp_fixture_case(&F, name, F.bars, app, signal, 1, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(g_db, sizeof g_db, "%s/state/journal.db", casedir);
    snprintf(g_log, sizeof g_log, "%s/log", casedir);
    const char *argv[] = {F.daemon, "--config", cfg, NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    g_pid = dp_spawn(argv, env, g_log);
    for (int i = 0; g_pid > 0 && i < 300 && dp_alive(g_pid); i++) {
        if (dp_file_contains(g_log, "replay finished after"))
            return 0;
        dp_sleep_ms(100);
    }
    return -1;
}

static void stop_box(void)
{
    if (g_pid > 0) {
        kill(g_pid, SIGTERM);
        CHECK_EQ_INT(dp_wait(g_pid, 10000), 0);
    }
    g_pid = 0;
}

/* --- the recomputation ---------------------------------------------------------------------------- */
typedef struct {
    long n, wins;
    double r, pnl, win, loss, best, worst, held;
    long held_n;
} sums_t;

static void sums_add(sums_t *s, double r, double pnl, long long held)
{
    if (s->n == 0)
        s->best = s->worst = r;
    s->n++;
    s->wins += pnl > 0;
    s->r += r;
    s->pnl += pnl;
    s->win += pnl > 0 ? pnl : 0;
    s->loss += pnl > 0 ? 0 : -pnl;
    s->best = fmax(s->best, r);
    s->worst = fmin(s->worst, r);
    if (held >= 0)
        s->held += (double)held, s->held_n++;
}

/* The newest `limit` trade events, oldest first, into pnl[] (for the drawdown) and the sums: all of them,
 * and only those with exit reason or side `only` (NULL: all). Returns how many, -1 on an error. */
static long journal_sums(int limit, const char *only, sums_t *s, double *pnl)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    memset(s, 0, sizeof *s);
    if (sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    long n = -1;
    if (sqlite3_prepare_v2(db,
                           "select detail from (select id, detail from events where kind='trade' order by id desc "
                           "limit ?) order by id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, limit);
        n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            char reason[40] = "", side[8] = "";
            double r, p;
            long long held = -1;
            const char *detail = (const char *)sqlite3_column_text(st, 0);
            int got = sscanf(detail ? detail : "", "position %*u closed: %39[a-z_], %lfR, pnl %lf, %7[a-z], held %lld s",
                             reason, &r, &p, side, &held);
            CHECK_MSG(got == 5, "a trade event the test cannot read: %s", detail ? detail : "(null)");
            if (got != 5)
                continue;
            if (pnl)
                pnl[n] = p;
            n++;
            if (!only || strcmp(only, reason) == 0 || strcmp(only, side) == 0)
                sums_add(s, r, p, held);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static void check_figures(const cJSON *o, const sums_t *s, const char *what)
{
    CHECK_MSG(num(o, "trades") == s->n, "%s: trades %g, the journal %ld", what, num(o, "trades"), s->n);
    CHECK_MSG(num(o, "wins") == s->wins, "%s: wins %g, the journal %ld", what, num(o, "wins"), s->wins);
    CHECK_NEAR(num(o, "total_r"), s->r, 1e-9);
    CHECK_NEAR(num(o, "total_pnl"), s->pnl, 1e-7);
    if (s->n) {
        CHECK_NEAR(num(o, "win_rate"), (double)s->wins / (double)s->n, 1e-12);
        CHECK_NEAR(num(o, "expectancy_r"), s->r / (double)s->n, 1e-9);
    } else {
        CHECK_MSG(cJSON_IsNull(item(o, "win_rate")) && cJSON_IsNull(item(o, "expectancy_r")),
                  "%s: no trades, yet a win rate or an expectancy", what);
    }
    if (s->loss > 0)
        CHECK_NEAR(num(o, "profit_factor"), s->win / s->loss, 1e-9);
    else
        CHECK_MSG(cJSON_IsNull(item(o, "profit_factor")), "%s: a profit factor without losses", what);
}

/* --- the tests ------------------------------------------------------------------------------------ */
TEST(no_trades_gives_zeros_and_nulls)
{
    int status;
    cJSON *p = get("/api/v1/performance", &status);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(num(p, "trades"), 0);
    CHECK_EQ_INT(num(p, "limit"), 1000);
    static const char *const nulls[] = {"win_rate", "expectancy_r", "profit_factor", "best_r", "worst_r",
                                        "avg_hold_seconds", "first_exit_ms", "last_exit_ms", NULL};
    for (int i = 0; nulls[i]; i++)
        CHECK_MSG(cJSON_IsNull(item(p, nulls[i])), "%s is not null without trades", nulls[i]);
    CHECK_EQ_INT(num(p, "max_drawdown_pct"), 0);
    CHECK_EQ_INT(num(p, "current_drawdown_pct"), 0);
    CHECK_NEAR(num(p, "equity_start"), 10000, 1e-9);
    CHECK_NEAR(num(p, "equity_realised"), 10000, 1e-9);
    cJSON_Delete(p);
    cJSON *a = get("/api/v1/analysis", &status);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(num(a, "trades"), 0);
    CHECK_EQ_INT(cJSON_GetArraySize(item(a, "by_exit_hour_utc")), 24);
    CHECK_EQ_INT(cJSON_GetArraySize(item(a, "by_exit_weekday_utc")), 7);
    const cJSON *g;
    cJSON_ArrayForEach(g, item(a, "by_exit_reason")) CHECK(num(g, "trades") == 0 && cJSON_IsNull(item(g, "win_rate")));
    cJSON_Delete(a);
}

TEST(performance_is_the_journals)
{
    static double pnl[20000];
    sums_t s;
    long n = journal_sums(1000, NULL, &s, pnl);
    CHECK_MSG(n >= 5, "only %ld closed trades: the daemon traded too little to prove anything", n);
    printf("closed trades in the journal: %ld\n", n);
    int status;
    cJSON *p = get("/api/v1/performance", &status);
    CHECK_EQ_INT(status, 200);
    check_figures(p, &s, "performance");
    CHECK_NEAR(num(p, "best_r"), s.best, 1e-12);
    CHECK_NEAR(num(p, "worst_r"), s.worst, 1e-12);
    CHECK_NEAR(num(p, "avg_hold_seconds"), s.held / (double)s.held_n, 1e-9);
    CHECK_MSG(s.held_n == n && s.held > 0, "hold times: %ld of %ld, %g s in all", s.held_n, n, s.held);
    /* the realised curve walked forward from where it must have started, its peak carried along */
    double eq = num(p, "equity_realised") - s.pnl, peak = eq, dd = 0;
    for (long i = 0; i < n; i++) {
        eq += pnl[i];
        peak = fmax(peak, eq);
        dd = fmax(dd, (peak - eq) / peak);
    }
    CHECK_NEAR(num(p, "max_drawdown_pct"), 100 * dd, 1e-7);
    CHECK_NEAR(num(p, "current_drawdown_pct"), 100 * (peak - eq) / peak, 1e-7);
    CHECK_MSG(num(p, "max_drawdown_pct") > 0, "no drawdown in %ld trades: the check proves nothing", n);
    CHECK_NEAR(num(p, "equity_start"), 10000, 1e-9);
    CHECK(isfinite(num(p, "equity_now")));
    CHECK_EQ_INT(num(p, "last_exit_ms"), dp_sql_int(g_db, "select max(time_ms) from events where kind='trade'", -1));
    CHECK_EQ_INT(num(p, "unparsed"), 0);
    cJSON_Delete(p);
    /* a window: the newest three */
    journal_sums(3, NULL, &s, NULL);
    p = get("/api/v1/performance?limit=3", &status);
    CHECK_EQ_INT(status, 200);
    CHECK_EQ_INT(num(p, "limit"), 3);
    check_figures(p, &s, "performance?limit=3");
    cJSON_Delete(p);
}

TEST(analysis_is_the_journals)
{
    int status;
    cJSON *a = get("/api/v1/analysis", &status);
    CHECK_EQ_INT(status, 200);
    sums_t all, s;
    long n = journal_sums(1000, NULL, &all, NULL);
    CHECK_EQ_INT(num(a, "trades"), n);
    static const char *const groups[] = {"by_exit_reason", "by_side"};
    for (int k = 0; k < 2; k++) {
        long seen = 0;
        const cJSON *g;
        cJSON_ArrayForEach(g, item(a, groups[k]))
        {
            const char *name = cJSON_GetStringValue(item(g, "name"));
            journal_sums(1000, name ? name : "?", &s, NULL);
            char what[80];
            snprintf(what, sizeof what, "%s %s", groups[k], name ? name : "?");
            check_figures(g, &s, what);
            seen += (long)num(g, "trades");
        }
        CHECK_MSG(seen == n, "%s: %ld trades in the groups, %ld in all", groups[k], seen, n);
    }
    /* the hour and the weekday of each exit, as SQLite's calendar has them (%w: 0 is Sunday) */
    const cJSON *g;
    int i = 0;
    cJSON_ArrayForEach(g, item(a, "by_exit_hour_utc"))
    {
        char q[300];
        snprintf(q, sizeof q, "select count(*) from events where kind='trade' and "
                              "cast(strftime('%%H', time_ms/1000, 'unixepoch') as integer)=%d", i);
        CHECK_EQ_INT(num(g, "hour"), i);
        CHECK_EQ_INT(num(g, "trades"), dp_sql_int(g_db, q, -1));
        i++;
    }
    CHECK_EQ_INT(i, 24);
    i = 0;
    cJSON_ArrayForEach(g, item(a, "by_exit_weekday_utc"))
    {
        char q[300];
        snprintf(q, sizeof q, "select count(*) from events where kind='trade' and "
                              "cast(strftime('%%w', time_ms/1000, 'unixepoch') as integer)=%d", (i + 1) % 7);
        CHECK_EQ_INT(num(g, "trades"), dp_sql_int(g_db, q, -1));
        i++;
    }
    CHECK_EQ_INT(i, 7);
    cJSON_Delete(a);
}

TEST(bad_queries_are_400)
{
    static const char *const bad[] = {"?limit=0", "?limit=10001", "?limit=abc", "?limit=", "?limit=1&limit=2",
                                      "?window=5", NULL};
    static const char *const paths[] = {"/api/v1/performance", "/api/v1/analysis"};
    for (int p = 0; p < 2; p++)
        for (int i = 0; bad[i]; i++) {
            char path[120];
            snprintf(path, sizeof path, "%s%s", paths[p], bad[i]);
            int status;
            cJSON *j = get(path, &status);
            CHECK_MSG(status == 400 && cJSON_IsString(item(j, "error")), "GET %s: %d", path, status);
            cJSON_Delete(j);
        }
    int status;
    cJSON *j = get("/api/v1/analysis?limit=10000", &status);
    CHECK_EQ_INT(status, 200);
    cJSON_Delete(j);
}

TEST(openapi_names_both_uniquely)
{
    int status;
    cJSON *doc = get("/openapi.json", &status);
    CHECK_EQ_INT(status, 200);
    const cJSON *paths = item(doc, "paths");
    CHECK(cJSON_IsObject(item(paths, "/api/v1/performance")) && cJSON_IsObject(item(paths, "/api/v1/analysis")));
    const char *ids[64];
    int n = 0, perf = 0;
    const cJSON *path, *op;
    cJSON_ArrayForEach(path, paths) cJSON_ArrayForEach(op, path)
    {
        const char *id = cJSON_GetStringValue(item(op, "operationId"));
        CHECK_MSG(id, "%s %s has no operationId", path->string, op->string);
        for (int k = 0; id && k < n; k++)
            CHECK_MSG(strcmp(ids[k], id) != 0, "operationId %s twice", id);
        perf += id && (strcmp(id, "getPerformance") == 0 || strcmp(id, "getAnalysis") == 0);
        if (id && n < 64)
            ids[n++] = id;
    }
    CHECK_EQ_INT(perf, 2);
    cJSON_Delete(doc);
}

/* 10,000 more closed trades, written the way orders.c writes them, then the largest window of each. */
TEST(ten_thousand_trades_hold_the_loop_briefly)
{
    sqlite3 *db;
    CHECK(sqlite3_open(g_db, &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *err = NULL;
    int rc = sqlite3_exec(db,
                          "begin; with recursive k(i) as (select 1 union all select i+1 from k where i<10000) "
                          "insert into events(time_ms, kind, detail) select 1800000000000+i*3600000, 'trade', "
                          "printf('position %d closed: %s, %.4fR, pnl %.2f, %s, held %d s', 100000+i, "
                          "case i%3 when 0 then 'stop_loss' when 1 then 'trailing_stop' else 'signal' end, "
                          "(i%7)-2.5, ((i%7)-2.5)*3, case i%2 when 0 then 'long' else 'short' end, 3600*(1+i%5)) "
                          "from k; commit;",
                          NULL, NULL, &err);
    CHECK_MSG(rc == SQLITE_OK, "insert: %s", err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
    static const char *const paths[] = {"/api/v1/performance?limit=10000", "/api/v1/analysis?limit=10000"};
    for (int p = 0; p < 2; p++) {
        int64_t best = INT64_MAX;
        for (int k = 0; k < 3; k++) { /* the fastest of three: the least disturbed by the machine's other work */
            int status;
            int64_t t0 = dp_now_us();
            cJSON *j = get(paths[p], &status);
            int64_t us = dp_now_us() - t0;
            best = us < best ? us : best;
            CHECK_EQ_INT(status, 200);
            CHECK_EQ_INT(num(j, "trades"), 10000);
            cJSON_Delete(j);
        }
        printf("GET %s with 10,000 trades: %.1f ms (fastest of 3)\n", paths[p], (double)best / 1000.0);
        CHECK_MSG(best < 500000, "GET %s took %.1f ms", paths[p], (double)best / 1000.0);
    }
}

int main(void)
{
    if (dp_fixture_ready(&F, "dhttpperf", "rm1") != 0)
        return eb_check_report();
    eb_check_test = "setup";
    /* thresholds no probability reaches: the box never trades */
    int up = start_box("idle", "\"signal\": {\"threshold_buy\": 1, \"threshold_sell\": 1}");
    CHECK_MSG(up == 0, "the idle edgeboxd did not finish the replay with the API on (see %s)", g_log);
    if (up == 0) {
        CHECK_EQ_INT(dp_sql_int(g_db, "select count(*) from events where kind='trade'", -1), 0);
        RUN(no_trades_gives_zeros_and_nulls);
    }
    eb_check_test = "stop idle";
    stop_box();
    eb_check_test = "setup";
    up = start_box("trading", "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, \"limits\": "
                              "{\"min_confidence\": 0.30}");
    CHECK_MSG(up == 0, "edgeboxd did not finish the replay with the API on (see %s)", g_log);
    if (up == 0) {
        RUN(performance_is_the_journals);
        RUN(analysis_is_the_journals);
        RUN(bad_queries_are_400);
        RUN(openapi_names_both_uniquely);
        RUN(ten_thousand_trades_hold_the_loop_briefly); /* last: it writes into the journal */
    }
    eb_check_test = "stop";
    stop_box();
    if (eb_check_failed == 0)
        dp_rmtree(F.dir);
    return eb_check_report();
}
