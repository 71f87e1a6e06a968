/* edgeboxd as a process (issue 7, items 1 and 9): config errors stop it before anything is touched (exit 2,
 * no state directory, no journal, no GPIO files); READY=1 and STATUS= arrive on a real sd_notify socket
 * (path and abstract), STATUS= names the disarm reasons; WATCHDOG=1 comes at half of WATCHDOG_USEC while
 * bars flow and never from a stopped (SIGSTOP) daemon, nor when WATCHDOG_PID names another process; a
 * missing GPIO chip on a real board is an error before READY. Corrupt journals: test_daemon_journal.c. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_daemon[256], g_tool[256], g_dir[256], g_bars[300], g_bars_long[300];

static int setup(void)
{
    if (!dp_bin("edgeboxd", g_daemon, sizeof g_daemon) || !dp_bin("edgebox", g_tool, sizeof g_tool))
        return -1;
    if (dp_tmpdir("dstart", g_dir, sizeof g_dir) != 0)
        return -1;
    snprintf(g_bars, sizeof g_bars, "%s/bars.csv", g_dir);
    snprintf(g_bars_long, sizeof g_bars_long, "%s/bars-long.csv", g_dir);
    const char *a[] = {g_tool, "data", "synth", "--bars", "300", "--out", g_bars, NULL};
    const char *b[] = {g_tool, "data", "synth", "--bars", "20000", "--out", g_bars_long, NULL};
    return dp_run(a, NULL, NULL, 10000) == 0 && dp_run(b, NULL, NULL, 10000) == 0 ? 0 : -1;
}

static void write_config(const char *casedir, const char *replay, const char *appliance_extra, const char *top_extra,
                         char *path, size_t cap)
{
    dp_config(casedir, replay, appliance_extra, top_extra, path, cap);
}

static void case_dir(const char *name, char *out, size_t cap) { dp_case(g_dir, name, out, cap); }

static void sim_env(const char *casedir, char *buf, size_t cap) { dp_sim_env(casedir, buf, cap); }

/* Runs the daemon on a config that must be refused: exit 2, the message, and nothing created. */
static void expect_refused(const char *name, const char *appliance_extra, const char *top_extra, const char *replay,
                           const char *const extra_args[], const char *notify_env, const char *needle)
{
    char casedir[400], cfg[500], log[500], simenv[500], state[500], sim[500];
    case_dir(name, casedir, sizeof casedir);
    write_config(casedir, replay ? replay : g_bars, appliance_extra, top_extra, cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    snprintf(state, sizeof state, "%s/state", casedir);
    snprintf(sim, sizeof sim, "%s/sim", casedir);
    sim_env(casedir, simenv, sizeof simenv);
    const char *argv[12] = {g_daemon, "--config", cfg, "--exit-at-end"};
    int k = 4;
    for (int i = 0; extra_args && extra_args[i] && k < 11; i++)
        argv[k++] = extra_args[i];
    argv[k] = NULL;
    const char *env[] = {simenv, notify_env, NULL};
    int rc = dp_run(argv, env, log, 10000);
    CHECK_MSG(rc == 2, "%s: exit status %d, expected 2", name, rc);
    CHECK_MSG(dp_file_contains(log, needle), "%s: the message does not contain '%s'", name, needle);
    CHECK_MSG(!dp_exists(state), "%s: the state directory was created", name);
    CHECK_MSG(!dp_exists(sim), "%s: the simulated GPIO lines were touched", name);
    char *text = dp_read_file(log, NULL);
    CHECK_MSG(text && strncmp(text, "<3>edgeboxd: ", 13) == 0 && strchr(text, '\n') == strrchr(text, '\n'),
              "%s: expected exactly one line, an error: %s", name, text ? text : "(no log)");
    free(text);
}

TEST(config_errors_stop_before_anything)
{
    char nowhere[400];
    snprintf(nowhere, sizeof nowhere, "%s/no-such-bars.csv", g_dir);
    expect_refused("unknown-key", "\"bogus\": 1", "", NULL, NULL, NULL, "appliance.bogus: 1 is not allowed (unknown key");
    expect_refused("range", "\"arena_mib\": 1", "", NULL, NULL, NULL,
                   "appliance.arena_mib: 1 is not allowed (an integer in 4..4096)");
    expect_refused("long-press", "\"killswitch\": {\"long_press_ms\": 100}", "", NULL, NULL, NULL,
                   "appliance.killswitch.long_press_ms: 100 is not allowed (an integer in 500..60000)");
    expect_refused("wiring", "\"killswitch\": {\"wiring\": \"sideways\"}", "", NULL, NULL, NULL,
                   "appliance.killswitch.wiring: \"sideways\" is not allowed (\"normally_open\" or \"normally_closed\")");
    expect_refused("speed", "\"replay_speed\": 0.5", "", NULL, NULL, NULL,
                   "appliance.replay_speed: 0.5 is not allowed (\"max\" or a number in 1..1e7)");
    expect_refused("strategy-range", "", "\"risk\": {\"risk_per_trade\": 0.5}", NULL, NULL, NULL,
                   "risk.risk_per_trade: 0.5 is outside the allowed range 0.001..0.05");
    expect_refused("lock-memory", "\"lock_memory\": \"yes\"", "", NULL, NULL, NULL,
                   "appliance.lock_memory: \"yes\" is not allowed (true or false)");
    expect_refused("rt-priority", "\"rt_priority\": 100", "", NULL, NULL, NULL,
                   "appliance.rt_priority: 100 is not allowed (an integer in 0..99)");
    expect_refused("live", "\"mode\": \"live\"", "", NULL, NULL, NULL, "appliance.mode: \"live\" is not allowed");
    /* files the config names are part of the config: checked before the journal is opened */
    expect_refused("missing-replay", "", "", nowhere, NULL, NULL, "appliance.replay_file: \"");
    expect_refused("missing-replay-names-it", "", "", nowhere, NULL, NULL, "no-such-bars.csv");
    expect_refused("missing-key", "\"public_key\": \"/nonexistent/model.pub\"", "", NULL, NULL, NULL,
                   "appliance.public_key: \"/nonexistent/model.pub\"");
    expect_refused("unknown-board", "\"board\": \"toaster\"", "", NULL, NULL, NULL, "toaster");
    const char *speed_args[] = {"--speed", "0", NULL};
    expect_refused("cli-speed", "", "", NULL, speed_args, NULL, "--speed: '0' is not allowed");
    expect_refused("notify-relative", "", "", NULL, NULL, "NOTIFY_SOCKET=relative/path", "NOTIFY_SOCKET='relative/path'");
    expect_refused("watchdog-usec", "", "", NULL, NULL, "WATCHDOG_USEC=12abc", "WATCHDOG_USEC='12abc' is not allowed");

    char casedir[400], log[500];
    case_dir("no-config", casedir, sizeof casedir);
    snprintf(log, sizeof log, "%s/log", casedir);
    const char *argv[] = {g_daemon, "--exit-at-end", NULL};
    CHECK_EQ_INT(dp_run(argv, NULL, log, 5000), 2);
    CHECK(dp_file_contains(log, "--config FILE is required"));
}

/* Starts the daemon on a fresh case directory with a notify receiver at `where`. */
static pid_t start_daemon(const char *name, const char *where, dp_notify_t *rx, const char *bars, const char *speed,
                          const char *env1, const char *env2, char *casedir, size_t cap)
{
    char cfg[500], log[500], simenv[500];
    case_dir(name, casedir, cap);
    write_config(casedir, bars, "", "", cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    sim_env(casedir, simenv, sizeof simenv);
    if (dp_notify_open(rx, where) != 0)
        return -1;
    const char *argv[] = {g_daemon, "--config", cfg, "--speed", speed, NULL};
    const char *env[] = {simenv, rx->env, env1, env2, NULL};
    if (!env1)
        env[3] = NULL;
    return dp_spawn(argv, env, log);
}

static long status_bars(const char *status)
{
    const char *p = strstr(status, "bars ");
    return p ? strtol(p + 5, NULL, 10) : -1;
}

static void check_ready_and_status(const char *name, const char *where)
{
    char casedir[400], path[500];
    dp_notify_t rx;
    pid_t pid = start_daemon(name, where, &rx, g_bars, "3000", NULL, NULL, casedir, sizeof casedir);
    CHECK_MSG(pid > 0, "%s: cannot start (receiver at %s)", name, where);
    if (pid <= 0)
        return;
    int ready = dp_notify_wait(&rx, 0, "READY=1", 10000);
    CHECK_MSG(ready >= 0, "%s: no READY=1 within 10 s", name);
    /* GPIO was requested before READY: the simulated LED lines exist */
    snprintf(path, sizeof path, "%s/sim/led_alarm", casedir);
    CHECK_MSG(dp_exists(path), "%s: READY=1 before the LED lines were requested", name);
    int st = dp_notify_wait(&rx, ready < 0 ? 0 : ready, "STATUS=", 3000);
    CHECK_MSG(st >= 0, "%s: no STATUS= after READY=1", name);
    /* no model on a fresh box: disarmed, and the reason is named */
    const char *s = st >= 0 ? rx.msg[st].text : "";
    CHECK_MSG(strstr(s, "STATUS=disarmed; disarm: no_model; kill switch armed; bars ") == s, "%s: %s", name, s);
    CHECK_MSG(strstr(s, "model none") != NULL, "%s: %s", name, s);
    /* bars flow (a 5-minute bar every 100 ms): a STATUS= a second or two later counts more of them */
    dp_notify_pump(&rx, 2200);
    long b0 = status_bars(s), b1 = status_bars(dp_notify_last_status(&rx));
    CHECK_MSG(b1 >= b0 + 10 && b0 >= 0, "%s: bars did not advance in STATUS= (%ld -> %ld)", name, b0, b1);
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    CHECK_MSG(dp_notify_wait(&rx, 0, "STOPPING=1", 500) >= 0, "%s: no STOPPING=1", name);
    /* the arming change was journalled by name */
    snprintf(path, sizeof path, "%s/state/journal.db", casedir);
    CHECK_EQ_INT(dp_sql_int(path, "select count(*) from events where kind='arming' and detail like '%now=no_model%'", -1), 1);
    char *reasons = dp_sql_dump(path, "select value from state where key='arming.reasons'");
    CHECK_EQ_STR(reasons, "no_model\n");
    free(reasons);
    dp_notify_close(&rx);
}

TEST(ready_and_status_on_a_path_socket)
{
    char where[400];
    snprintf(where, sizeof where, "%s/notify.sock", g_dir);
    check_ready_and_status("notify-path", where);
}

TEST(ready_and_status_on_an_abstract_socket)
{
    char where[100];
    snprintf(where, sizeof where, "@eb-test-notify-%d", (int)getpid());
    check_ready_and_status("notify-abstract", where);
}

static int count_between(const dp_notify_t *r, const char *prefix, int64_t t0, int64_t t1)
{
    int c = 0;
    for (int i = 0; i < r->n; i++)
        c += r->msg[i].t_ms >= t0 && r->msg[i].t_ms < t1 && strncmp(r->msg[i].text, prefix, strlen(prefix)) == 0;
    return c;
}


TEST(watchdog_at_half_the_interval_and_never_when_stopped)
{
    char casedir[400], where[100];
    dp_notify_t rx;
    snprintf(where, sizeof where, "@eb-test-wd-%d", (int)getpid());
    /* 20,000 bars at 300,000x (one 5-minute bar per ms): bars flow for the whole test */
    pid_t pid = start_daemon("watchdog", where, &rx, g_bars_long, "300000", "WATCHDOG_USEC=200000", NULL,
                             casedir, sizeof casedir);
    CHECK(pid > 0);
    if (pid <= 0)
        return;
    int ready = dp_notify_wait(&rx, 0, "READY=1", 10000);
    CHECK(ready >= 0);
    dp_notify_pump(&rx, 200);
    int from = rx.n;
    long bars0 = status_bars(dp_notify_last_status(&rx));
    int64_t t0 = dp_now_ms();
    dp_notify_pump(&rx, 1500);
    int64_t t1 = dp_now_ms();
    long bars1 = status_bars(dp_notify_last_status(&rx));
    int pings = count_between(&rx, "WATCHDOG=1", t0, t1);
    /* 200 ms -> a ping every 100 ms: about 15 in 1.5 s */
    CHECK_MSG(pings >= 11 && pings <= 19, "%d WATCHDOG=1 in 1.5 s with WATCHDOG_USEC=200000 (expected ~15)", pings);
    int64_t prev = -1, maxgap = 0;
    for (int i = from; i < rx.n; i++) {
        if (strcmp(rx.msg[i].text, "WATCHDOG=1") != 0)
            continue;
        if (prev >= 0 && rx.msg[i].t_ms - prev > maxgap)
            maxgap = rx.msg[i].t_ms - prev;
        prev = rx.msg[i].t_ms;
    }
    CHECK_MSG(maxgap <= 180, "longest gap between pings %lld ms (interval 100 ms, limit 200 ms)", (long long)maxgap);
    CHECK_MSG(bars1 > bars0 && bars0 >= 0, "bars did not flow while pinging (%ld -> %ld)", bars0, bars1);

    /* stopped: not a single message, however long (here 3.5 watchdog intervals) */
    kill(pid, SIGSTOP);
    dp_sleep_ms(30);
    dp_notify_pump(&rx, 10);
    int before = rx.n;
    dp_notify_pump(&rx, 700);
    CHECK_MSG(rx.n == before, "%d messages from a stopped daemon (first: %s)", rx.n - before,
              rx.n > before ? rx.msg[before].text : "");
    kill(pid, SIGCONT);
    int again = dp_notify_wait(&rx, before, "WATCHDOG=1", 1000);
    CHECK_MSG(again >= 0, "no WATCHDOG=1 within 1 s of SIGCONT");
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    dp_notify_close(&rx);
}

TEST(watchdog_pid_of_another_process_means_no_pings)
{
    char casedir[400], where[100];
    dp_notify_t rx;
    snprintf(where, sizeof where, "@eb-test-wdpid-%d", (int)getpid());
    pid_t pid = start_daemon("watchdog-pid", where, &rx, g_bars_long, "300000", "WATCHDOG_USEC=200000",
                             "WATCHDOG_PID=1", casedir, sizeof casedir);
    CHECK(pid > 0);
    if (pid <= 0)
        return;
    CHECK(dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    dp_notify_pump(&rx, 800);
    CHECK_EQ_INT(dp_notify_count(&rx, 0, "WATCHDOG=1"), 0);
    CHECK(dp_notify_count(&rx, 0, "STATUS=") >= 1);
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    dp_notify_close(&rx);
}

/* systemd may stop a service the moment it reported READY=1: SIGTERM then must still be a clean stop
 * (STOPPING=1, journal closed, exit 0), not the default action of the signal. */
TEST(sigterm_right_after_ready_stops_cleanly)
{
    for (int round = 0; round < 5; round++) {
        char casedir[400], where[100], name[32];
        dp_notify_t rx;
        snprintf(name, sizeof name, "term-at-ready-%d", round);
        snprintf(where, sizeof where, "@eb-test-term-%d-%d", (int)getpid(), round);
        pid_t pid = start_daemon(name, where, &rx, g_bars, "3000", NULL, NULL, casedir, sizeof casedir);
        if (pid <= 0 || dp_notify_wait(&rx, 0, "READY=1", 10000) < 0) {
            CHECK_MSG(0, "%s: no READY=1", name);
            dp_notify_close(&rx);
            return;
        }
        kill(pid, SIGTERM);
        int rc = dp_wait(pid, 10000);
        CHECK_MSG(rc == 0, "%s: SIGTERM right after READY=1: exit status %d (128+15: killed by the signal)", name, rc);
        dp_notify_close(&rx);
        if (rc != 0)
            return;
    }
}

/* A real board whose pins.json names a chip that does not exist: a clear error, before READY. */
TEST(missing_gpio_chip_is_an_error_before_ready)
{
    char casedir[400], boards[500], pins[600], cfg[500], log[500], simenv[500], where[100], text[2048];
    case_dir("gpio-missing", casedir, sizeof casedir);
    snprintf(boards, sizeof boards, "%s/boards", casedir);
    mkdir(boards, 0700);
    snprintf(pins, sizeof pins, "%s/rpi4", boards);
    mkdir(pins, 0700);
    snprintf(pins, sizeof pins, "%s/rpi4/pins.json", boards);
    dp_write_file(pins, "{ \"chip\": \"gpiochip-eb-missing\", \"killswitch\": 17, \"led_heartbeat\": 22, "
                        "\"led_mode\": 23, \"led_alarm\": 24 }\n");
    snprintf(cfg, sizeof cfg, "%s/edgebox.json", casedir);
    snprintf(text, sizeof text,
             "{\"appliance\": {\"state_dir\": \"%s/state\", \"board\": \"rpi4\", \"board_dir\": \"%s\", "
             "\"replay_file\": \"%s\"}}\n", casedir, boards, g_bars);
    dp_write_file(cfg, text);
    snprintf(log, sizeof log, "%s/log", casedir);
    sim_env(casedir, simenv, sizeof simenv);
    snprintf(where, sizeof where, "@eb-test-gpio-%d", (int)getpid());
    dp_notify_t rx;
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {g_daemon, "--config", cfg, "--exit-at-end", NULL};
    const char *env[] = {simenv, rx.env, NULL};
    int rc = dp_run(argv, env, log, 10000);
    CHECK_MSG(rc != 0 && rc != -1, "exit status %d (expected a failure)", rc);
    CHECK(dp_file_contains(log, "gpiochip-eb-missing"));
    CHECK(dp_file_contains(log, "board rpi4: GPIO chip 'gpiochip-eb-missing' not found"));
    dp_notify_pump(&rx, 50);
    CHECK_EQ_INT(dp_notify_count(&rx, 0, "READY=1"), 0);
    dp_notify_close(&rx);
    /* --board on the command line overrides the config: the same refusal */
    const char *argv2[] = {g_daemon, "--config", cfg, "--board", "rpi4", "--exit-at-end", NULL};
    CHECK(dp_run(argv2, env, log, 10000) > 0);
}

/* Memory locked and a real-time priority (issue 12 item 10): granted (as root) it is used and said, refused
 * (an unprivileged user, RLIMIT_MEMLOCK and RLIMIT_RTPRIO at 0) it is logged and the daemon still runs to
 * the end of the bars. The stop line carries the tail figures bench_system_daemon reads. */
TEST(memory_locked_and_realtime_or_said_why_not)
{
    char casedir[400], cfg[500], log[500], simenv[500];
    case_dir("realtime", casedir, sizeof casedir);
    write_config(casedir, g_bars, "\"rt_priority\": 1", "", cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    sim_env(casedir, simenv, sizeof simenv);
    const char *argv[] = {g_daemon, "--config", cfg, "--exit-at-end", NULL};
    const char *env[] = {simenv, NULL};
    CHECK_EQ_INT(dp_run(argv, env, log, 20000), 0);
    CHECK_MSG(dp_file_contains(log, "running at real-time priority 1 (SCHED_FIFO)") ||
                  dp_file_contains(log, "appliance.rt_priority 1 refused"),
              "neither the priority nor its refusal is in the log");
    CHECK_MSG(dp_file_contains(log, "; locked=1") || dp_file_contains(log, "memory not locked ("),
              "neither the lock nor its refusal is in the log");
    CHECK_MSG(dp_file_contains(log, " p99=") && dp_file_contains(log, " p999="), "no tail figures in the stop line");
    /* the decisions the kernel preempted are counted apart, and prefaulting leaves none with a page fault */
    CHECK_MSG(dp_file_contains(log, "unpreempted_us p999=") && dp_file_contains(log, " preempted="),
              "no unpreempted tail in the stop line");
    CHECK_MSG(dp_file_contains(log, " faults=0;") || !dp_file_contains(log, "; locked=1"),
              "page faults inside decisions although the memory is locked and prefaulted");
    if (geteuid() == 0) /* root may lock and schedule: both must have happened */
        CHECK(dp_file_contains(log, "; locked=1") && dp_file_contains(log, "SCHED_FIFO"));
}

int main(void)
{
    if (setup() != 0) {
        eb_check_test = "setup";
        CHECK_SKIP("edgeboxd or edgebox not built under $EB_BUILD/bin (or no /tmp)");
        return eb_check_report();
    }
    RUN(config_errors_stop_before_anything);
    RUN(ready_and_status_on_a_path_socket);
    RUN(ready_and_status_on_an_abstract_socket);
    RUN(watchdog_at_half_the_interval_and_never_when_stopped);
    RUN(watchdog_pid_of_another_process_means_no_pings);
    RUN(sigterm_right_after_ready_stops_cleanly);
    RUN(missing_gpio_chip_is_an_error_before_ready);
    RUN(memory_locked_and_realtime_or_said_why_not);
    dp_rmtree(g_dir);
    return eb_check_report();
}
