/* An unreadable kill-switch line (issue 11 item 6) on the simulated board: bad contents ("2", "x"), the file
 * deleted, replaced by a directory, a FIFO or a symbolic link. Each is a latched fault with its own reason
 * (kill_switch_fault), logged and journalled, the alarm LED steady on; the line reading "released" again
 * does not re-arm; only the re-arm rule does (released, a long press, released). A FIFO never blocks the
 * loop: the watchdog keeps being pinged and STATUS= keeps coming. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LONG_PRESS_MS 600

static dp_fixture_t F;

typedef struct {
    char casedir[400], cfg[500], db[600], sim[500], log[500], line[600], led[600];
    dp_notify_t rx;
    pid_t pid;
} run_t;

static void put_line(run_t *r, const char *text)
{
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s/.ks.tmp", r->sim);
    dp_write_file(tmp, text);
    rename(tmp, r->line);
}

static void remove_line(run_t *r)
{
    if (unlink(r->line) != 0 && errno != ENOENT && rmdir(r->line) != 0)
        fprintf(stderr, "could not remove %s\n", r->line);
}

/* The alarm LED steadily on for `ms` (sampled every 10 ms). */
static int led_steady_on(run_t *r, int ms)
{
    for (int t = 0; t < ms; t += 10) {
        char *v = dp_read_file(r->led, NULL);
        int on = v && v[0] == '1';
        free(v);
        if (!on)
            return 0;
        dp_notify_pump(&r->rx, 10);
    }
    return 1;
}

/* The newest STATUS= contains `needle` within timeout_ms. */
static int status_shows(run_t *r, const char *needle, int timeout_ms)
{
    int64_t end = dp_now_ms() + timeout_ms;
    do {
        if (strstr(dp_notify_last_status(&r->rx), needle))
            return 1;
        dp_notify_pump(&r->rx, 20);
    } while (dp_now_ms() < end);
    return strstr(dp_notify_last_status(&r->rx), needle) != NULL;
}

static void rearm(run_t *r)
{
    put_line(r, "1\n");
    dp_notify_pump(&r->rx, 100);
    put_line(r, "0\n");
    dp_notify_pump(&r->rx, LONG_PRESS_MS + 250);
    put_line(r, "1\n");
}

/* One kind of fault: it latches with its reason, holds through a "released" level, clears by a re-arm. */
static void fault_kind(run_t *r, const char *kind)
{
    int from = r->rx.n;
    if (strcmp(kind, "2") == 0 || strcmp(kind, "x") == 0) {
        char text[8];
        snprintf(text, sizeof text, "%s\n", kind);
        put_line(r, text);
    } else {
        remove_line(r);
        if (strcmp(kind, "directory") == 0)
            CHECK(mkdir(r->line, 0700) == 0);
        else if (strcmp(kind, "fifo") == 0)
            CHECK(mkfifo(r->line, 0600) == 0);
        else if (strcmp(kind, "symlink") == 0)
            CHECK(symlink(r->led, r->line) == 0);
    }
    int64_t t0 = dp_now_ms();
    CHECK_MSG(status_shows(r, "kill_switch_fault", 1000), "%s: no kill_switch_fault in STATUS= within 1 s: %s", kind,
              dp_notify_last_status(&r->rx));
    CHECK_MSG(dp_now_ms() - t0 < 500, "%s: the fault took %lld ms to show", kind, (long long)(dp_now_ms() - t0));
    CHECK_MSG(strstr(dp_notify_last_status(&r->rx), "kill switch latched"), "%s: %s", kind, dp_notify_last_status(&r->rx));
    dp_notify_pump(&r->rx, 120); /* the LEDs follow on the next 50 ms tick */
    CHECK_MSG(led_steady_on(r, 600), "%s: the alarm LED is not steady on", kind);
    int pings = dp_notify_count(&r->rx, from, "WATCHDOG=1");
    CHECK_MSG(pings >= 4, "%s: %d watchdog pings while faulted (the loop is stuck?)", kind, pings);
    /* the line readable and released again: still latched, still the fault */
    if (strcmp(kind, "2") != 0 && strcmp(kind, "x") != 0)
        remove_line(r);
    put_line(r, "1\n");
    dp_notify_pump(&r->rx, 400);
    CHECK_MSG(strstr(dp_notify_last_status(&r->rx), "kill_switch_fault"), "%s: released cleared the fault: %s", kind,
              dp_notify_last_status(&r->rx));
    rearm(r);
    CHECK_MSG(status_shows(r, "kill switch armed", 1500), "%s: the re-arm did not clear it: %s", kind,
              dp_notify_last_status(&r->rx));
    CHECK_MSG(!strstr(dp_notify_last_status(&r->rx), "kill_switch"), "%s: %s", kind, dp_notify_last_status(&r->rx));
}

TEST(unreadable_line_is_a_latched_fault)
{
    run_t r;
    char env_sim[600], where[64];
    dp_fixture_case(&F, "fault", F.bars, "\"killswitch\": {\"debounce_ms\": 20, \"long_press_ms\": 600}", "", 1,
                    r.casedir, sizeof r.casedir, r.cfg, sizeof r.cfg);
    snprintf(r.db, sizeof r.db, "%s/state/journal.db", r.casedir);
    snprintf(r.sim, sizeof r.sim, "%s/sim", r.casedir);
    snprintf(r.log, sizeof r.log, "%s/log", r.casedir);
    snprintf(r.line, sizeof r.line, "%s/killswitch", r.sim);
    snprintf(r.led, sizeof r.led, "%s/led_alarm", r.sim);
    snprintf(where, sizeof where, "@eb-kill-fault-%d", (int)getpid());
    CHECK(dp_notify_open(&r.rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", r.cfg, NULL};
    const char *env[] = {dp_sim_env(r.casedir, env_sim, sizeof env_sim), r.rx.env, "WATCHDOG_USEC=200000", NULL};
    r.pid = dp_spawn(argv, env, r.log);
    CHECK(dp_notify_wait(&r.rx, 0, "READY=1", 10000) >= 0);
    CHECK(status_shows(&r, "kill switch armed", 3000));
    static const char *kinds[] = {"2", "x", "deleted", "directory", "fifo", "symlink"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        fault_kind(&r, kinds[k]);
    kill(r.pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(r.pid, 10000), 0);
    dp_notify_close(&r.rx);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind = 'kill_switch' and detail like 'line unreadable%'", -1),
                 6);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind = 'kill_switch' and detail like 're-armed%'", -1), 6);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind = 'arming' and detail like '%kill_switch_fault%'", -1) >= 6, 1);
    CHECK_EQ_INT(dp_sql_int(r.db, "select value from state where key = 'killswitch.latched'", -1), 0);
    CHECK(dp_file_contains(r.log, "kill switch line unreadable, latched as pressed"));
}

int main(void)
{
    if (dp_fixture_ready(&F, "kill-fault", "kf1") != 0)
        return eb_check_report();
    RUN(unreadable_line_is_a_latched_fault);
    dp_rmtree(F.dir);
    return eb_check_report();
}
