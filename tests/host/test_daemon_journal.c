/* edgeboxd and its journal as processes (issue 7, items 5 and 9).
 *
 * Paper mode end to end: a signed model dropped before start, 1,500 synthetic bars replayed, trades filled
 * and everything journalled. A restart resumes the same state: a run stopped after N bars (--stop-after-bars),
 * by SIGTERM, or killed outright (SIGKILL: the power-cut case, bars after the last commit are replayed)
 * and restarted on the same journal ends with exactly the orders, fills, positions, equity marks,
 * decisions and trade events of one uninterrupted run. Bad journals (garbage, empty, truncated, a foreign
 * SQLite file, a wrong schema version) are refused before anything else happens: exit 1, a clear message,
 * no READY, no GPIO, and the file byte-identical with its mtime unchanged and no side files. A second
 * daemon on a journal in use is refused without disturbing the first. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BARS 1500

static dp_fixture_t F;
/* the demo's lowered thresholds: on random-walk bars the trained thresholds are never reached */
static const char *g_strategy = "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, "
                                "\"limits\": {\"min_confidence\": 0.30}";

/* A case directory with a config (model key, the demo thresholds) and the model waiting in the drop dir. */
static void prepare(const char *name, char *casedir, size_t cap, char *cfg, size_t cfgcap)
{
    dp_fixture_case(&F, name, F.bars, "", g_strategy, 1, casedir, cap, cfg, cfgcap);
}

static int run_daemon(const char *casedir, const char *cfg, const char *const extra[], int timeout_ms)
{
    char log[500], sim[500];
    snprintf(log, sizeof log, "%s/log", casedir);
    const char *argv[10] = {F.daemon, "--config", cfg};
    int n = 3;
    for (int i = 0; extra[i] && n < 9; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, log, timeout_ms);
}

/* Everything a run traded, in a fixed order, as text (see dp_sql_dump). */
static char *journal_text(const char *casedir)
{
    static const char *const q[] = {
        "select client_id, symbol, type, side, qty, price, stop_price, state, filled_qty, avg_price, bar_ms, "
        "created_ms, updated_ms, reason from orders order by client_id",
        "select client_id, trade_id, qty, price, fee, fee_asset, time_ms from fills order by client_id, trade_id",
        "select symbol, side, qty, qty_initial, entry, r_dist, stop, stop_kind, trailing, partial_done, opened_ms "
        "from positions order by symbol",
        "select time_ms, equity, cash, unrealized from equity order by time_ms",
        "select bar_ms, action, p_buy, p_sell, p_neutral, reason, model_id from decisions order by bar_ms",
        "select time_ms, detail from events where kind = 'trade' order by time_ms, id",
        "select client_id, time_ms, from_state, to_state, detail from order_log order by client_id, id",
        "select strategy, stage, since_ms from lifecycle order by strategy",
        "select time_ms, detail from events where kind = 'lifecycle' order by time_ms, id"};
    char db[500];
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    size_t len = 0;
    char *all = NULL;
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        char *part = dp_sql_dump(db, q[i]);
        if (!part) {
            free(all);
            return NULL;
        }
        size_t n = strlen(part);
        char *grown = realloc(all, len + n + 8);
        if (!grown) {
            free(part);
            free(all);
            return NULL;
        }
        all = grown;
        memcpy(all + len, part, n);
        memcpy(all + len + n, "--\n", 4);
        len += n + 3;
        free(part);
    }
    return all;
}

static void first_difference(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t s = i;
    while (s > 0 && a[s - 1] != '\n')
        s--;
    fprintf(stderr, "    first difference at byte %zu:\n    uninterrupted: %.160s\n    resumed:       %.160s\n", i,
            a + s, b + s);
}

static char *g_reference;

TEST(uninterrupted_run_trades_and_journals_everything)
{
    char casedir[400], cfg[500], db[500];
    prepare("whole", casedir, sizeof casedir, cfg, sizeof cfg);
    const char *args[] = {"--exit-at-end", NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, args, 20000), 0);
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from decisions", -1), BARS);
    CHECK_EQ_INT(dp_sql_int(db, "select count(distinct bar_ms) from decisions", -1), BARS);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from equity", -1), BARS);
    /* a model was installed from the drop dir and its probabilities are journalled with its id */
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from events where kind='model' and detail like 'installed jm1.signed%'", -1), 1);
    CHECK(dp_sql_int(db, "select count(*) from decisions where model_id='jm1' and abs(p_buy+p_sell+p_neutral-1) < 1e-9", -1) > BARS / 2);
    /* trades: entries and exits filled, every fill belongs to a filled order, nothing left half-done */
    int64_t entries = dp_sql_int(db, "select count(*) from orders where reason='entry' and state='filled'", -1);
    CHECK_MSG(entries >= 5, "only %lld entries filled: the test trades too little to prove anything", (long long)entries);
    CHECK(dp_sql_int(db, "select count(*) from orders where reason<>'entry' and state='filled'", -1) >= entries - 1);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from fills f join orders o using(client_id) where o.state<>'filled'", -1), 0);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from orders where state not in ('filled','cancelled','rejected')", -1), 0);
    CHECK(dp_sql_int(db, "select count(*) from events where kind='trade'", -1) >= entries - 1);
    /* the lifecycle: incubation from the first bar, decided by the rule after trades (core/lifecycle.h) */
    int64_t first_bar = dp_sql_int(db, "select min(bar_ms) from decisions", -1);
    CHECK_EQ_INT(dp_sql_int(db, "select since_ms from lifecycle where stage='incubation'", -1), first_bar);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from events where kind='lifecycle' and detail like "
                                "'%: incubation (paper) from this bar'", -1), 1);
    CHECK(dp_sql_int(db, "select count(*) from events where kind='lifecycle' and detail like "
                         "'%: hold incubation -> incubation (too few trades);%'", -1) == 1);
    /* 1,500 bars are about five days: after ten trades the rule holds for their expectancy or, when that
     * is good enough, for the month in incubation not yet served */
    CHECK(dp_sql_int(db, "select count(*) from events where kind='lifecycle' and (detail like "
                         "'%(not long enough in the current state)%' or detail like '%(expectancy below%')", -1) >=
          (entries >= 11 ? 1 : 0));
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from events where kind='lifecycle' and detail like '%promote%'", -1), 0);
    /* the journal really is in WAL mode */
    char *mode = dp_sql_dump(db, "pragma journal_mode");
    CHECK_EQ_STR(mode, "wal\n");
    free(mode);
    g_reference = journal_text(casedir);
    CHECK(g_reference != NULL);
}

static void compare_with_reference(const char *name, const char *casedir)
{
    char *text = journal_text(casedir);
    CHECK_MSG(text && g_reference && strcmp(text, g_reference) == 0, "%s: the resumed journal differs from one "
              "uninterrupted run", name);
    if (text && g_reference && strcmp(text, g_reference) != 0)
        first_difference(g_reference, text);
    free(text);
}

TEST(restart_after_stop_after_bars_resumes_the_same_state)
{
    char casedir[400], cfg[500], db[500];
    prepare("stop-after", casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    const char *first[] = {"--stop-after-bars", "600", NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, first, 20000), 0);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from decisions", -1), 600);
    const char *rest[] = {"--exit-at-end", NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, rest, 20000), 0);
    char log[500];
    snprintf(log, sizeof log, "%s/log", casedir);
    CHECK(dp_file_contains(log, "resumed after bar"));
    compare_with_reference("stop-after-bars 600", casedir);
}

/* Stops a paced run (one bar every 3 ms) part-way with `sig`, then finishes it at full speed. */
static void interrupted(const char *name, int sig)
{
    char casedir[400], cfg[500], log[500], sim[500], db[500];
    prepare(name, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    const char *argv[] = {F.daemon, "--config", cfg, "--speed", "100000", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    pid_t pid = dp_spawn(argv, env, log);
    dp_sleep_ms(1500);
    CHECK_MSG(dp_alive(pid), "%s: the daemon ended early", name);
    kill(pid, sig);
    int rc = dp_wait(pid, 10000);
    CHECK_MSG(rc == (sig == SIGKILL ? 128 + SIGKILL : 0), "%s: exit status %d", name, rc);
    const char *rest[] = {"--exit-at-end", NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, rest, 20000), 0);
    int64_t resumed_at = -1;
    char *text = dp_read_file(log, NULL);
    const char *r = text ? strstr(text, "resumed after bar ") : NULL;
    const char *n = r ? strstr(r, "(") : NULL;
    if (n)
        resumed_at = strtoll(n + 1, NULL, 10);
    free(text);
    /* part-way: neither at the start nor at the end */
    CHECK_MSG(resumed_at > 12 && resumed_at < BARS, "%s: resumed after %lld bars", name, (long long)resumed_at);
    compare_with_reference(name, casedir);
}

TEST(restart_after_sigterm_resumes_the_same_state) { interrupted("sigterm", SIGTERM); }
TEST(restart_after_sigkill_resumes_the_same_state) { interrupted("sigkill", SIGKILL); }

/* --- bad journals ------------------------------------------------------------------------------ */
static char g_valid[600];

static int make_valid_journal(void)
{
    char casedir[400], cfg[500];
    dp_case(F.dir, "valid", casedir, sizeof casedir);
    dp_config(casedir, F.bars, "", "", cfg, sizeof cfg);
    const char *args[] = {"--stop-after-bars", "200", NULL};
    if (run_daemon(casedir, cfg, args, 20000) != 0)
        return -1;
    snprintf(g_valid, sizeof g_valid, "%s/state/journal.db", casedir);
    return 0;
}

static int set_user_version(const char *db, int v)
{
    sqlite3 *h;
    char sql[64];
    snprintf(sql, sizeof sql, "pragma user_version=%d", v);
    int rc = sqlite3_open(db, &h) == SQLITE_OK && sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(h, "pragma journal_mode=delete", NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(h);
    return rc ? 0 : -1;
}

static int make_foreign(const char *db)
{
    sqlite3 *h;
    int rc = sqlite3_open(db, &h) == SQLITE_OK &&
             sqlite3_exec(h, "create table notes(id integer primary key, text); insert into notes(text) values('x')",
                          NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(h);
    return rc ? 0 : -1;
}

static int make_garbage(const char *db)
{
    char buf[8192];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (char)(x >> 16);
    }
    FILE *f = fopen(db, "wb");
    int ok = f && fwrite(buf, 1, sizeof buf, f) == sizeof buf;
    return f && fclose(f) == 0 && ok ? 0 : -1;
}

static int make_truncated(const char *db)
{
    size_t n;
    char *data = dp_read_file(g_valid, &n);
    FILE *f = data ? fopen(db, "wb") : NULL;
    int ok = f && n > 8192 && fwrite(data, 1, n / 2 + 100, f) == n / 2 + 100;
    free(data);
    return f && fclose(f) == 0 && ok ? 0 : -1;
}

static int make_empty(const char *db) { return dp_write_file(db, ""); }

static char g_versioned[600]; /* a valid journal with another schema version */
static int make_versioned(const char *db) { return dp_copy(g_versioned, db); }

static void expect_refused_journal(const char *name, int (*make)(const char *db), const char *reason)
{
    char casedir[400], cfg[500], state[500], db[600], log[500], sim[500], simdir[500], where[100];
    dp_case(F.dir, name, casedir, sizeof casedir);
    snprintf(state, sizeof state, "%s/state", casedir);
    mkdir(state, 0750);
    snprintf(db, sizeof db, "%s/journal.db", state);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(simdir, sizeof simdir, "%s/sim", casedir);
    dp_config(casedir, F.bars, "", "", cfg, sizeof cfg);
    if (make(db) != 0) {
        CHECK_MSG(0, "%s: cannot make the bad journal", name);
        return;
    }
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}}; /* 2001: any write would move it */
    utimensat(AT_FDCWD, db, old, 0);
    size_t before_len, after_len;
    char *before = dp_read_file(db, &before_len);
    dp_notify_t rx;
    snprintf(where, sizeof where, "@eb-test-journal-%d-%s", (int)getpid(), name);
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", cfg, "--exit-at-end", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), rx.env, NULL};
    int rc = dp_run(argv, env, log, 15000);
    CHECK_MSG(rc == 1, "%s: exit status %d, expected 1", name, rc);
    CHECK_MSG(dp_file_contains(log, "start-up failed at journal: journal refused, not trading"), "%s: no refusal", name);
    CHECK_MSG(dp_file_contains(log, reason), "%s: the message does not say '%s'", name, reason);
    CHECK_MSG(dp_file_contains(log, "the file was left untouched"), "%s: the message does not say it is untouched", name);
    char *after = dp_read_file(db, &after_len);
    CHECK_MSG(before && after && before_len == after_len && memcmp(before, after, before_len) == 0,
              "%s: the journal was modified", name);
    free(before);
    free(after);
    struct stat st;
    CHECK_MSG(stat(db, &st) == 0 && st.st_mtim.tv_sec == 1000000000, "%s: the journal's mtime changed", name);
    /* the journal and the state directory's lock file, nothing else (no -wal/-shm, no model dirs) */
    char lockf[600];
    snprintf(lockf, sizeof lockf, "%s/edgeboxd.lock", state);
    CHECK_MSG(dp_count_entries(state) == 2 && dp_exists(lockf), "%s: %d entries in the state dir (side files or "
              "model dirs created)", name, dp_count_entries(state));
    CHECK_MSG(!dp_file_contains(lockf, "journal opened"), "%s: the lock file records a journal that was refused", name);
    /* the kill switch's line is opened before the journal (no press may be missed during start-up); the
     * LEDs it drives are off again when start-up is refused */
    char led[600];
    snprintf(led, sizeof led, "%s/led_alarm", simdir);
    CHECK_MSG(dp_file_contains(led, "0"), "%s: the alarm LED was left on", name);
    dp_notify_pump(&rx, 50);
    CHECK_MSG(dp_notify_count(&rx, 0, "READY=1") == 0, "%s: READY=1 was sent", name);
    dp_notify_close(&rx);
}

TEST(bad_journals_are_refused_and_left_untouched)
{
    if (make_valid_journal() != 0) {
        CHECK_MSG(0, "cannot make a valid journal");
        return;
    }
    expect_refused_journal("garbage", make_garbage, "not an SQLite database");
    expect_refused_journal("truncated", make_truncated, "truncated");
    expect_refused_journal("foreign", make_foreign, "not an edgebox journal");
    expect_refused_journal("empty", make_empty, "not an SQLite database");
    /* a valid journal of this daemon, but schema version 2 */
    char casedir[400];
    dp_case(F.dir, "wrong-version-src", casedir, sizeof casedir);
    snprintf(g_versioned, sizeof g_versioned, "%s/journal.db", casedir);
    CHECK(dp_copy(g_valid, g_versioned) == 0 && set_user_version(g_versioned, 2) == 0);
    expect_refused_journal("wrong-version", make_versioned, "has schema version 2; this edgeboxd reads version 1 only");
}

/* The state directory's lock file keeps a second daemon out (naming the holder's pid), the first runs on. */
TEST(second_daemon_on_a_journal_in_use_is_refused)
{
    char casedir[400], cfg[500], log[500], log2[500], sim[500], where[100];
    dp_case(F.dir, "in-use", casedir, sizeof casedir);
    dp_config(casedir, F.bars, "", "", cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(log2, sizeof log2, "%s/log2", casedir);
    snprintf(where, sizeof where, "@eb-test-inuse-%d", (int)getpid());
    dp_notify_t rx;
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", cfg, "--speed", "3000", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), rx.env, NULL};
    pid_t first = dp_spawn(argv, env, log);
    CHECK(dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    int n = rx.n;
    const char *argv2[] = {F.daemon, "--config", cfg, "--exit-at-end", NULL};
    CHECK_EQ_INT(dp_run(argv2, env, log2, 10000), 1);
    CHECK(dp_file_contains(log2, "in use by another process"));
    char holder[64];
    snprintf(holder, sizeof holder, "edgeboxd pid %d holds", (int)first);
    CHECK(dp_file_contains(log2, holder));
    CHECK_EQ_INT(dp_notify_count(&rx, n, "READY=1"), 0);
    CHECK(dp_alive(first));
    CHECK(dp_notify_wait(&rx, n, "STATUS=", 2000) >= 0); /* the first one carries on */
    kill(first, SIGTERM);
    CHECK_EQ_INT(dp_wait(first, 10000), 0);
    dp_notify_close(&rx);
}

int main(void)
{
    eb_check_test = "setup";
    int rc = dp_fixture_open(&F, "djournal", "jm1");
    if (rc != 0) {
        if (rc > 0)
            CHECK_SKIP("edgeboxd or edgebox not built under $EB_BUILD/bin");
        else
            CHECK_MSG(0, "cannot make the fixture (bars, key, model) in /tmp");
        return eb_check_report();
    }
    RUN(uninterrupted_run_trades_and_journals_everything);
    RUN(restart_after_stop_after_bars_resumes_the_same_state);
    RUN(restart_after_sigterm_resumes_the_same_state);
    RUN(restart_after_sigkill_resumes_the_same_state);
    RUN(bad_journals_are_refused_and_left_untouched);
    RUN(second_daemon_on_a_journal_in_use_is_refused);
    free(g_reference);
    dp_rmtree(F.dir);
    return eb_check_report();
}
