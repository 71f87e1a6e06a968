/* The state directory around the journal (issue 11 items 4 and 5).
 *
 * Readers while the daemon runs: the sqlite3 commands README.md and `make run` (tools/run-demo.sh) print
 * are taken from those files and run, as printed but for the directory, against a daemon that is writing
 * (failed on locking_mode=EXCLUSIVE: "database is locked"); a reader through the SQLite C API in another
 * process as well. A second daemon on the same directory is refused naming the lock file and pid
 * (test_daemon_journal.c).
 *
 * A missing journal is never a silent fresh start: the first start logs "new journal"; a directory that
 * shows earlier use (the kill-switch latch's second copy, an installed model, the lock file's history)
 * but has no journal.db is refused, saying why and what to do, and nothing is created. A latch survives
 * the journal's loss: deleted after a latch, the daemon refuses instead of starting armed. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dp_fixture_t F;

static int gpio(const char *casedir, const char *action)
{
    char sim[500];
    const char *argv[] = {F.tool, "gpio", action, "killswitch", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, NULL, 5000);
}

static int run_daemon(const char *casedir, const char *cfg, const char *stop_after, const char *logname)
{
    char log[500], sim[500];
    snprintf(log, sizeof log, "%s/%s", casedir, logname);
    const char *argv[] = {F.daemon, "--config", cfg, "--stop-after-bars", stop_after, NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, log, 20000);
}

/* Every "sqlite3 DIR/state/journal.db '...'" command in `file`, with DIR replaced by casedir, run by
 * /bin/sh: each must exit 0 and print at least one row. Returns how many were found. */
static int run_printed_commands(const char *file, const char *casedir)
{
    char *text = dp_read_file(file, NULL), out[600];
    int found = 0;
    snprintf(out, sizeof out, "%s/reader.out", casedir);
    for (char *p = text ? strstr(text, "sqlite3 ") : NULL; p; p = strstr(p + 1, "sqlite3 ")) {
        char *db = strstr(p, "/state/journal.db '"), *eol = strchr(p, '\n');
        if (!db || (eol && db > eol) || memchr(p + 8, ' ', (size_t)(db - p - 8)))
            continue;
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "sqlite3 %s%.*s", casedir, (int)((eol ? eol : db + strlen(db)) - db), db);
        unlink(out);
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        int rc = dp_run(argv, NULL, out, 10000);
        size_t len = 0;
        char *got = dp_read_file(out, &len);
        CHECK_MSG(rc == 0 && got && len > 0 && !strstr(got, "locked"), "%s: `%s` exit %d, printed: %.200s", file, cmd,
                  rc, got ? got : "");
        free(got);
        found++;
    }
    free(text);
    return found;
}

TEST(printed_commands_read_a_running_journal)
{
    char casedir[400], cfg[500], log[500], sim[500], where[100], db[500];
    dp_fixture_case(&F, "readers", F.bars, "", "", 1, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    snprintf(where, sizeof where, "@eb-test-readers-%d", (int)getpid());
    dp_notify_t rx;
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", cfg, "--speed", "30000", NULL}; /* a bar every 10 ms */
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), rx.env, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    CHECK(dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    /* through the C API in this (other) process while the daemon writes: the rows grow (commits come
     * once a second) */
    int64_t a = -1, b = -1;
    for (int i = 0; i < 50 && a <= 0; i++, dp_sleep_ms(100))
        a = dp_sql_int(db, "select count(*) from equity", -1);
    for (int i = 0; i < 50 && b <= a; i++, dp_sleep_ms(100))
        b = dp_sql_int(db, "select count(*) from equity", -1);
    CHECK_MSG(a > 0 && b > a, "a reader saw %lld then %lld equity rows", (long long)a, (long long)b);
    if (access("/usr/bin/sqlite3", X_OK) != 0 && system("command -v sqlite3 >/dev/null 2>&1") != 0) {
        fprintf(stderr, "    (sqlite3 CLI not installed: the printed commands are not run)\n");
    } else {
        CHECK_EQ_INT(run_printed_commands("README.md", casedir), 2);
        CHECK_EQ_INT(run_printed_commands("tools/run-demo.sh", casedir), 2);
    }
    CHECK(dp_alive(pid));
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    CHECK(!dp_file_contains(log, "journal write failed")); /* the readers never disturbed a write */
    dp_notify_close(&rx);
}

/* The state directory of a case, a first run on it ("new journal"), and the journal's paths. */
typedef struct {
    char casedir[400], cfg[500], state[500], db[600], log[600];
} used_t;

static void first_run(used_t *u, const char *name, int with_model)
{
    dp_fixture_case(&F, name, F.bars, "", "", with_model, u->casedir, sizeof u->casedir, u->cfg, sizeof u->cfg);
    snprintf(u->state, sizeof u->state, "%s/state", u->casedir);
    snprintf(u->db, sizeof u->db, "%s/journal.db", u->state);
    snprintf(u->log, sizeof u->log, "%s/log", u->casedir);
    CHECK_EQ_INT(run_daemon(u->casedir, u->cfg, "50", "log"), 0);
    CHECK_MSG(dp_file_contains(u->log, "new journal: creating"), "%s: the first start did not say 'new journal'", name);
}

/* Deletes journal.db with its -wal/-shm and, with `lock`, the lock file too (whose history alone would
 * refuse: without it, the sign under test does it alone). */
static void remove_journal(const used_t *u, int lock)
{
    char p[700];
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", u->db, sfx[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/edgeboxd.lock", u->state);
    CHECK(!lock || unlink(p) == 0);
}

/* Restarted without its journal: exit 1, the reason named, no journal created, nothing else added. */
static void expect_refused_without_journal(const used_t *u, const char *name, const char *reason, int lock_removed)
{
    int before = dp_count_entries(u->state) + lock_removed; /* the lock is taken before the journal is looked at */
    CHECK_EQ_INT(run_daemon(u->casedir, u->cfg, "50", "log2"), 1);
    char log2[600];
    snprintf(log2, sizeof log2, "%s/log2", u->casedir);
    CHECK_MSG(dp_file_contains(log2, "journal.db is missing, but the state directory was used before"),
              "%s: not refused as a lost journal", name);
    CHECK_MSG(dp_file_contains(log2, reason), "%s: the refusal does not say '%s'", name, reason);
    CHECK_MSG(dp_file_contains(log2, "restore journal.db"), "%s: the refusal does not say what to do", name);
    CHECK_MSG(!dp_file_contains(log2, "new journal: creating"), "%s: a new journal was started", name);
    CHECK_MSG(!dp_exists(u->db), "%s: a journal was created", name);
    CHECK_MSG(dp_count_entries(u->state) == before, "%s: %d entries in the state dir, %d before", name,
              dp_count_entries(u->state), before);
}

TEST(first_start_says_new_journal_and_a_second_does_not)
{
    used_t u;
    first_run(&u, "first", 0);
    CHECK_EQ_INT(run_daemon(u.casedir, u.cfg, "60", "log2"), 0);
    char log2[600];
    snprintf(log2, sizeof log2, "%s/log2", u.casedir);
    CHECK(!dp_file_contains(log2, "new journal"));
}

TEST(latched_then_journal_deleted_is_refused)
{
    used_t u;
    first_run(&u, "latched", 0);
    CHECK_EQ_INT(gpio(u.casedir, "press"), 0); /* held at start: latches */
    CHECK_EQ_INT(run_daemon(u.casedir, u.cfg, "60", "log-latch"), 0);
    CHECK_EQ_INT(gpio(u.casedir, "release"), 0);
    CHECK_EQ_INT(dp_sql_int(u.db, "select value from state where key='killswitch.latched'", -1), 1);
    char copy[600];
    snprintf(copy, sizeof copy, "%s/killswitch.latched", u.state);
    CHECK_MSG(dp_exists(copy), "no second copy of the latch");
    remove_journal(&u, 1);
    expect_refused_without_journal(&u, "latched", "the kill switch's latch copy", 1);
}

TEST(installed_model_then_journal_deleted_is_refused)
{
    used_t u;
    first_run(&u, "model", 1);
    char slot[600];
    snprintf(slot, sizeof slot, "%s/models/slot-a.ebs", u.state);
    CHECK_MSG(dp_exists(slot), "the model was not installed");
    remove_journal(&u, 1);
    expect_refused_without_journal(&u, "model", "an installed model", 1);
}

TEST(lock_history_then_journal_deleted_is_refused)
{
    used_t u;
    first_run(&u, "history", 0);
    remove_journal(&u, 0);
    expect_refused_without_journal(&u, "history", "says a journal was opened there", 0);
}

int main(void)
{
    eb_check_test = "setup";
    if (dp_fixture_ready(&F, "djstate", "js1") != 0)
        return eb_check_report();
    RUN(printed_commands_read_a_running_journal);
    RUN(first_start_says_new_journal_and_a_second_does_not);
    RUN(latched_then_journal_deleted_is_refused);
    RUN(installed_model_then_journal_deleted_is_refused);
    RUN(lock_history_then_journal_deleted_is_refused);
    dp_rmtree(F.dir);
    return eb_check_report();
}
