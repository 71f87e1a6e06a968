/* A full disk under a running daemon (issue 11 item 3; the disk part of issue 12 item 4).
 *
 * The state directory is a small tmpfs (the test re-executes itself under `unshare -rm` when it is not
 * root; it skips when neither works). The daemon replays bars; the test fills the tmpfs while it runs.
 * Trading disarms with the reason `journal` in STATUS=. Then:
 *  - stopped while the disk is full (SIGTERM, whose last commit and checkpoint fail too), the daemon
 *    restarts on the same files once space returns: the start-up check accepts them (the old check, judging
 *    the main file alone, refused a main file shorter than its header with its pages in the WAL), and the
 *    run ends with the orders, fills and equity rows of a run that was never interrupted;
 *  - killed while the disk is full (SIGKILL), the same;
 *  - left running, it recovers by itself when space returns (journal cleared from STATUS=) and ends
 *    with the uninterrupted run's rows. */
#define _GNU_SOURCE
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"
#include "tests/support/full_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BARS 1500

static dp_fixture_t F;
static const char *g_strategy = "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, "
                                "\"limits\": {\"min_confidence\": 0.30}";
static char *g_reference;

static const char *const g_rows =
    "select client_id, symbol, side, qty, state, filled_qty, avg_price, bar_ms, reason from orders order by client_id";
static const char *const g_fills = "select client_id, trade_id, qty, price, fee, time_ms from fills order by client_id, trade_id";
static const char *const g_equity = "select time_ms, equity, cash, unrealized from equity order by time_ms";

/* Orders, fills and equity rows as text (NULL on a read error). */
static char *rows_text(const char *db)
{
    char *a = dp_sql_dump(db, g_rows), *b = dp_sql_dump(db, g_fills), *c = dp_sql_dump(db, g_equity);
    char *all = a && b && c ? malloc(strlen(a) + strlen(b) + strlen(c) + 8) : NULL;
    if (all)
        sprintf(all, "%s--\n%s--\n%s", a, b, c);
    free(a);
    free(b);
    free(c);
    return all;
}

static int run_to_end(const char *casedir, const char *cfg, const char *logname)
{
    char log[500], sim[500];
    snprintf(log, sizeof log, "%s/%s", casedir, logname);
    const char *argv[] = {F.daemon, "--config", cfg, "--exit-at-end", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, log, 20000);
}

/* A case whose state directory is a fresh tmpfs of `mib` MiB. 0, or -1 when it cannot be mounted. */
static int tmpfs_case(const char *name, int mib, int with_model, char *casedir, size_t cap, char *cfg, size_t cfgcap,
                      char *state, size_t scap)
{
    dp_case(F.dir, name, casedir, cap);
    snprintf(state, scap, "%s/state", casedir);
    if (fd_mount(state, mib) != 0)
        return -1;
    dp_fixture_case(&F, name, F.bars, "", g_strategy, with_model, casedir, cap, cfg, cfgcap);
    return 0;
}

typedef enum { STOP_TERM, STOP_KILL, STAY_UP } how_t;

static void disk_fills_while_running(const char *name, how_t how)
{
    char casedir[400], cfg[500], state[500], db[600], log[500], sim[500], where[100];
    if (tmpfs_case(name, 6, 1, casedir, sizeof casedir, cfg, sizeof cfg, state, sizeof state) != 0) {
        CHECK_SKIP("no tmpfs");
        return;
    }
    snprintf(db, sizeof db, "%s/journal.db", state);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(where, sizeof where, "@eb-test-jfull-%d-%s", (int)getpid(), name);
    dp_notify_t rx;
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", cfg, "--speed", "100000", NULL}; /* a bar every 3 ms */
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), rx.env, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    CHECK(dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    int64_t before = 0; /* acknowledged (committed) before the fault: commits come once a second */
    for (int i = 0; i < 40 && before <= 0; i++, dp_sleep_ms(50))
        before = dp_sql_int(db, "select count(*) from equity", -1);
    long long filled = fd_fill(state);
    int n = rx.n;
    int at = dp_notify_wait(&rx, n, "journal", 6000);
    CHECK_MSG(at >= 0, "%s: STATUS= never named the journal (filled %lld bytes); last: %s", name, filled,
              dp_notify_last_status(&rx));
    CHECK_MSG(dp_file_contains(log, "journal write failed"), "%s: the failure was not logged", name);
    CHECK_MSG(before > 0, "%s: nothing committed before the fault", name);
    if (how == STAY_UP) {
        CHECK(fd_unfill(state) == 0);
        int k = rx.n;
        /* recovered: a STATUS= without the journal reason, and every bar journalled */
        int64_t eq = -1;
        for (int i = 0; i < 100 && eq < BARS; i++, dp_sleep_ms(100))
            eq = dp_sql_int(db, "select count(*) from equity", -1);
        dp_notify_pump(&rx, 1200);
        CHECK_MSG(eq == BARS, "%s: %lld equity rows after space returned", name, (long long)eq);
        CHECK_MSG(rx.n > k && !strstr(dp_notify_last_status(&rx), "journal"), "%s: still disarmed: %s", name,
                  dp_notify_last_status(&rx));
        CHECK(dp_sql_int(db, "select count(*) from events where kind='error' and detail like 'journal writes failed for%'", -1) == 1);
        kill(pid, SIGTERM);
        CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    } else {
        dp_sleep_ms(300);
        kill(pid, how == STOP_KILL ? SIGKILL : SIGTERM);
        int rc = dp_wait(pid, 10000);
        CHECK_MSG(rc == 0 || rc == 1 || rc == 128 + SIGKILL, "%s: exit status %d", name, rc);
        CHECK(fd_unfill(state) == 0);
        CHECK_MSG(run_to_end(casedir, cfg, "log2") == 0, "%s: the restart on the same files failed", name);
        char log2[500];
        snprintf(log2, sizeof log2, "%s/log2", casedir);
        CHECK_MSG(!dp_file_contains(log2, "refused"), "%s: the journal was refused after the disk-full stop", name);
    }
    CHECK_MSG(dp_sql_int(db, "select count(*) from equity", -1) >= before, "%s: acknowledged rows lost", name);
    char *text = rows_text(db);
    CHECK_MSG(text && g_reference && strcmp(text, g_reference) == 0, "%s: orders, fills or equity differ from the "
              "uninterrupted run", name);
    if (text && g_reference && strcmp(text, g_reference) != 0 && getenv("EB_KEEP_TMP")) {
        char p[600];
        snprintf(p, sizeof p, "%s/rows.txt", casedir);
        CHECK(dp_write_file(p, text) == 0);
    }
    free(text);
    dp_notify_close(&rx);
    fd_unmount(state);
}

TEST(stopped_while_full_restarts_on_the_same_files) { disk_fills_while_running("term", STOP_TERM); }
TEST(killed_while_full_restarts_on_the_same_files) { disk_fills_while_running("kill", STOP_KILL); }
TEST(recovers_when_space_returns) { disk_fills_while_running("stay", STAY_UP); }

/* A running daemon on a tmpfs state dir that is full once this returns 0: STATUS= names the journal. */
typedef struct {
    char casedir[400], cfg[500], state[500], db[600], log[500], sim[500];
    dp_notify_t rx;
    pid_t pid;
} full_t;

static int start_then_fill(full_t *r, const char *name, int with_model, void (*before_fill)(full_t *))
{
    char where[100];
    if (tmpfs_case(name, 6, with_model, r->casedir, sizeof r->casedir, r->cfg, sizeof r->cfg, r->state,
                   sizeof r->state) != 0)
        return -1;
    snprintf(r->db, sizeof r->db, "%s/journal.db", r->state);
    snprintf(r->log, sizeof r->log, "%s/log", r->casedir);
    snprintf(where, sizeof where, "@eb-test-jfull-%d-%s", (int)getpid(), name);
    CHECK(dp_notify_open(&r->rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", r->cfg, "--speed", "100000", NULL};
    const char *env[] = {dp_sim_env(r->casedir, r->sim, sizeof r->sim), r->rx.env, NULL};
    r->pid = dp_spawn(argv, env, r->log);
    CHECK(dp_notify_wait(&r->rx, 0, "READY=1", 10000) >= 0);
    int64_t committed = 0;
    for (int i = 0; i < 40 && committed <= 0; i++, dp_sleep_ms(50))
        committed = dp_sql_int(r->db, "select count(*) from equity", -1);
    if (before_fill)
        before_fill(r);
    fd_fill(r->state);
    int ok = dp_notify_wait(&r->rx, 0, "journal", 6000) >= 0;
    CHECK_MSG(ok, "%s: STATUS= never named the journal: %s", name, dp_notify_last_status(&r->rx));
    return ok ? 0 : -1;
}

/* Waits for a STATUS= without the journal reason (recovered): 1, or 0 after timeout_ms. */
static int recovered(full_t *r, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        dp_notify_pump(&r->rx, 100);
        if (!strstr(dp_notify_last_status(&r->rx), "journal"))
            return 1;
    }
    return 0;
}

static void finish(full_t *r)
{
    kill(r->pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(r->pid, 10000), 0);
    dp_notify_close(&r->rx);
}

/* The kill switch pressed while the disk is full: disarmed at once (kill switch and journal), the latch
 * kept in memory and written (journal row and its second copy) once space returns; a restart is latched. */
TEST(kill_switch_pressed_while_full_is_kept_and_written_later)
{
    full_t r;
    if (start_then_fill(&r, "press", 1, NULL) != 0)
        return;
    char sim[500];
    const char *press[] = {F.tool, "gpio", "press", "killswitch", NULL}, *release[] = {F.tool, "gpio", "release", "killswitch", NULL};
    const char *env[] = {dp_sim_env(r.casedir, sim, sizeof sim), NULL};
    int n = r.rx.n;
    CHECK_EQ_INT(dp_run(press, env, NULL, 5000), 0);
    CHECK_MSG(dp_notify_wait(&r.rx, n, "kill switch latched", 2000) >= 0, "the press did not latch: %s",
              dp_notify_last_status(&r.rx));
    CHECK_EQ_INT(dp_run(release, env, NULL, 5000), 0);
    char copy[600];
    snprintf(copy, sizeof copy, "%s/killswitch.latched", r.state);
    CHECK_MSG(!dp_exists(copy), "the latch copy was written on a full disk?");
    CHECK(fd_unfill(r.state) == 0);
    CHECK_MSG(recovered(&r, 5000), "not recovered: %s", dp_notify_last_status(&r.rx));
    CHECK(strstr(dp_notify_last_status(&r.rx), "kill switch latched") != NULL);
    CHECK_EQ_INT(dp_sql_int(r.db, "select value from state where key='killswitch.latched'", -1), 1);
    CHECK_MSG(dp_exists(copy), "the latch's second copy is missing after recovery");
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='kill_switch' and detail like 'latched%'", -1), 1);
    finish(&r);
    /* restarted: latched from the start, no entry order */
    int64_t entries = dp_sql_int(r.db, "select count(*) from orders where reason='entry'", -1);
    CHECK_EQ_INT(run_to_end(r.casedir, r.cfg, "log2"), 0);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from orders where reason='entry'", -1), entries);
    fd_unmount(r.state);
}

static void drop_hidden(full_t *r)
{
    char p[600];
    snprintf(p, sizeof p, "%s/drop/.%s.signed", r->state, F.model_id);
    CHECK(dp_copy(F.model, p) == 0); /* written while there is room; dot files are ignored */
}

/* A model dropped while the disk is full waits in the drop directory (the install's markers need the
 * journal) and is installed once space returns. */
TEST(model_dropped_while_full_is_installed_later)
{
    full_t r;
    char hidden[600], shown[600];
    if (start_then_fill(&r, "model", 0, drop_hidden) != 0)
        return;
    snprintf(hidden, sizeof hidden, "%s/drop/.%s.signed", r.state, F.model_id);
    snprintf(shown, sizeof shown, "%s/drop/%s.signed", r.state, F.model_id);
    CHECK(rename(hidden, shown) == 0); /* a rename needs no room */
    dp_sleep_ms(1200);
    CHECK_MSG(dp_exists(shown), "the model left the drop directory while the journal took no write");
    CHECK(fd_unfill(r.state) == 0);
    CHECK_MSG(recovered(&r, 5000), "not recovered: %s", dp_notify_last_status(&r.rx));
    int64_t installed = 0;
    for (int i = 0; i < 50 && installed <= 0; i++, dp_sleep_ms(100))
        installed = dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like 'installed %'", -1);
    CHECK_EQ_INT(installed, 1);
    finish(&r);
    fd_unmount(r.state);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (fd_test_start(argv, &F, "djfull", "jf1") != 0)
        return eb_check_report();
    /* the reference: the same case on an ordinary disk, never interrupted */
    char casedir[400], cfg[500], db[600];
    dp_fixture_case(&F, "reference", F.bars, "", g_strategy, 1, casedir, sizeof casedir, cfg, sizeof cfg);
    CHECK_EQ_INT(run_to_end(casedir, cfg, "log"), 0);
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    g_reference = rows_text(db);
    char ref[600];
    snprintf(ref, sizeof ref, "%s/rows.txt", casedir);
    if (g_reference && getenv("EB_KEEP_TMP"))
        CHECK(dp_write_file(ref, g_reference) == 0);
    CHECK(g_reference && dp_sql_int(db, "select count(*) from orders", -1) >= 10);
    RUN(stopped_while_full_restarts_on_the_same_files);
    if (getenv("EB_TEST_LONG")) /* the SIGKILL variant of the SIGTERM case: keeps make test under 20 s */
        RUN(killed_while_full_restarts_on_the_same_files);
    RUN(recovers_when_space_returns);
    RUN(kill_switch_pressed_while_full_is_kept_and_written_later);
    RUN(model_dropped_while_full_is_installed_later);
    free(g_reference);
    dp_rmtree(F.dir);
    return eb_check_report();
}
