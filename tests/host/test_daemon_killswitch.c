/* The kill switch of edgeboxd on the simulated board, driven by `edgebox gpio press|release killswitch`
 * (issue 7, items 3 and 4; SPEC section 9).
 *
 * To press at a moment where there is something to cancel and to flatten, a probe run finds a bar K after
 * which an entry order is waiting for the next open while a position is already open; the test run then
 * replays the bars up to K only and stays up (as a box does at the end of its data), so the press comes
 * exactly then. The press disarms (STATUS= names kill_switch within a fraction of a second), cancels the
 * waiting entry, flattens the positions (journalled as filled "kill_switch" orders), latches in the journal,
 * and blinks the alarm LED; releasing does not re-arm; the latch survives a restart; a short press does
 * not re-arm; a long press (held > long_press_ms, then released) does. A button held down while the daemon
 * starts latches at once, and what the journal resumed is cancelled and flattened too. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dp_fixture_t F;
static char g_bars_k[300];
static int64_t g_k_ms;  /* the probe's bar K */
static long g_k_bars;   /* bars up to and including K */
/* lowered thresholds and up to 3 positions: entries while a position is open */
static const char *g_strategy = "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, "
                                "\"limits\": {\"min_confidence\": 0.30}, \"risk\": {\"max_open_positions\": 3}";

/* A case: config (model key, thresholds, long press 600 ms) and the model waiting in the drop dir. */
static void prepare(const char *name, const char *bars, char *casedir, size_t cap, char *cfg, size_t cfgcap)
{
    dp_fixture_case(&F, name, bars, "\"killswitch\": {\"debounce_ms\": 20, \"long_press_ms\": 600}", g_strategy, 1,
                    casedir, cap, cfg, cfgcap);
}

static int gpio(const char *casedir, const char *action)
{
    char sim[500];
    const char *argv[] = {F.tool, "gpio", action, "killswitch", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, NULL, 5000);
}

/* The bars of the CSV with open_time_ms <= k into out; returns how many. */
static long cut_csv(const char *in, const char *out, int64_t k)
{
    char *text = dp_read_file(in, NULL);
    FILE *f = fopen(out, "w");
    long n = -1;
    if (text && f) {
        n = 0;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            int header = line[0] < '0' || line[0] > '9';
            if (!header && strtoll(line, NULL, 10) > k)
                break;
            fprintf(f, "%s\n", line);
            n += !header;
        }
    }
    if (f)
        fclose(f);
    free(text);
    return n;
}

/* The probe: the whole replay, then the first bar after warm-up that decided an entry while a position
 * was open (its entry waits for the next open: an open order and a position at the same time). */
static int probe(void)
{
    char casedir[400], cfg[500], log[500], sim[500], db[500];
    prepare("probe", F.bars, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    const char *argv[] = {F.daemon, "--config", cfg, "--exit-at-end", NULL};
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    if (dp_run(argv, env, log, 20000) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    g_k_ms = dp_sql_int(db,
                        "select min(d.bar_ms) from decisions d join equity e on e.time_ms = d.bar_ms "
                        "where d.action = 'enter' and e.unrealized <> 0 and d.id > 300",
                        -1);
    if (g_k_ms <= 0)
        return -1;
    g_k_bars = cut_csv(F.bars, g_bars_k, g_k_ms);
    return g_k_bars > 300 ? 0 : -1;
}

typedef struct {
    char casedir[400], cfg[500], log[500], db[500], sim[500], simdir[500];
    dp_notify_t rx;
    pid_t pid;
} run_t;

static int start(run_t *r, const char *tag)
{
    char where[120], simenv[600];
    snprintf(r->log, sizeof r->log, "%s/log", r->casedir);
    snprintf(r->db, sizeof r->db, "%s/state/journal.db", r->casedir);
    snprintf(r->simdir, sizeof r->simdir, "%s/sim", r->casedir);
    snprintf(where, sizeof where, "@eb-test-kill-%d-%s", (int)getpid(), tag);
    if (dp_notify_open(&r->rx, where) != 0)
        return -1;
    const char *argv[] = {F.daemon, "--config", r->cfg, NULL};
    const char *env[] = {dp_sim_env(r->casedir, simenv, sizeof simenv), r->rx.env, NULL};
    r->pid = dp_spawn(argv, env, r->log);
    return r->pid > 0 && dp_notify_wait(&r->rx, 0, "READY=1", 10000) >= 0 ? 0 : -1;
}

static int stop(run_t *r)
{
    kill(r->pid, SIGTERM);
    int rc = dp_wait(r->pid, 10000);
    dp_notify_close(&r->rx);
    return rc;
}

/* Waits for a STATUS= line containing `needle`; 1 when it came. */
static int status_has(run_t *r, const char *needle, int timeout_ms)
{
    int64_t end = dp_now_ms() + timeout_ms;
    int from = 0;
    while (dp_now_ms() < end) {
        int i = dp_notify_wait(&r->rx, from, "STATUS=", (int)(end - dp_now_ms()));
        if (i < 0)
            return 0;
        if (strstr(r->rx.msg[i].text, needle))
            return 1;
        from = i + 1;
    }
    return 0;
}

/* Samples the simulated alarm LED for ms: bit 0 set when it was seen off, bit 1 when on. */
static int alarm_seen(const run_t *r, int ms)
{
    char path[600];
    snprintf(path, sizeof path, "%s/led_alarm", r->simdir);
    int seen = 0;
    for (int64_t end = dp_now_ms() + ms; dp_now_ms() < end; dp_sleep_ms(15)) {
        char *t = dp_read_file(path, NULL);
        if (t && t[0] == '0')
            seen |= 1;
        if (t && t[0] == '1')
            seen |= 2;
        free(t);
    }
    return seen;
}

static run_t g_run; /* the case the tests below share, in order */

TEST(press_disarms_cancels_flattens_and_latches)
{
    run_t *r = &g_run;
    prepare("press", g_bars_k, r->casedir, sizeof r->casedir, r->cfg, sizeof r->cfg);
    if (start(r, "press") != 0) {
        CHECK_MSG(0, "the daemon did not become ready");
        return;
    }
    char bars[64];
    snprintf(bars, sizeof bars, "; bars %ld;", g_k_bars);
    CHECK_MSG(status_has(r, bars, 5000), "STATUS= never showed the %ld bars replayed", g_k_bars);
    CHECK(strstr(dp_notify_last_status(&r->rx), "kill switch armed") != NULL);
    CHECK_EQ_INT(alarm_seen(r, 300), 1); /* armed, no error: the alarm LED is dark */

    int from = r->rx.n;
    int64_t t0 = dp_now_ms();
    CHECK_EQ_INT(gpio(r->casedir, "press"), 0);
    int i = dp_notify_wait(&r->rx, from, "disarm: kill_switch", 2000);
    CHECK_MSG(i >= 0, "no STATUS= naming kill_switch within 2 s of the press");
    if (i >= 0) {
        int64_t ms = r->rx.msg[i].t_ms - t0;
        CHECK_MSG(ms < 500, "the press took %lld ms to disarm (including the tool's start)", (long long)ms);
        CHECK(strstr(r->rx.msg[i].text, "STATUS=disarmed;") == r->rx.msg[i].text);
        /* the reason and the state agree from the first edge: pressed (debouncing), then latched */
        CHECK_MSG(strstr(r->rx.msg[i].text, "kill switch latched_held") || strstr(r->rx.msg[i].text, "kill switch pressed"),
                  "%s", r->rx.msg[i].text);
    }
    CHECK_MSG(dp_notify_wait(&r->rx, from, "kill switch latched_held", 2000) >= 0, "never latched");
    int seen = alarm_seen(r, 500);
    CHECK_MSG(seen == 3, "the alarm LED did not blink while latched (seen %d)", seen);

    CHECK_EQ_INT(gpio(r->casedir, "release"), 0);
    CHECK_MSG(status_has(r, "kill switch latched;", 2500), "released: STATUS= should say latched");
    dp_sleep_ms(1200);
    CHECK_MSG(strstr(dp_notify_last_status(&r->rx), "disarm: kill_switch; kill switch latched;") != NULL,
              "release alone re-armed: %s", dp_notify_last_status(&r->rx));
    CHECK_EQ_INT(stop(r), 0);

    /* the journal: one kill_switch event saying what it did */
    char *ev = dp_sql_dump(r->db, "select detail from events where kind='kill_switch'");
    int cancelled = -1, flattened = -1;
    if (ev)
        sscanf(ev, "latched: %d open orders cancelled, %d positions flattened", &cancelled, &flattened);
    CHECK_MSG(cancelled == 1 && flattened >= 1, "kill_switch event: %s", ev ? ev : "(none)");
    free(ev);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from orders where reason='entry' and state='cancelled'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from order_log where to_state='cancelled' and detail='kill switch'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from orders where reason='kill_switch' and state='filled' "
                                   "and filled_qty = qty", -1), flattened);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from orders where state not in ('filled','cancelled','rejected')", -1), 0);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from positions", -1), 0);
    /* the flatten closes exactly what was open: per side, the flatten orders' quantity equals the open one */
    CHECK_EQ_INT(dp_sql_int(r->db,
                            "select count(*) from (select sum(case when reason='entry' then side*filled_qty else 0 end) "
                            "+ sum(case when reason<>'entry' then side*filled_qty else 0 end) as net from orders "
                            "where state='filled') where abs(net) > 1e-9", -1), 0);
    CHECK_EQ_INT(dp_sql_int(r->db, "select value from state where key='killswitch.latched'", -1), 1);
    char *reasons = dp_sql_dump(r->db, "select value from state where key='arming.reasons'");
    CHECK_MSG(reasons && strstr(reasons, "kill_switch"), "arming.reasons: %s", reasons ? reasons : "(none)");
    free(reasons);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from events where kind='arming' and detail like 'set=kill_switch %'", -1), 1);
}

TEST(latch_survives_restart_and_only_a_long_press_rearms)
{
    run_t *r = &g_run;
    if (start(r, "restart") != 0) {
        CHECK_MSG(0, "the daemon did not restart");
        return;
    }
    CHECK_MSG(status_has(r, "disarm: kill_switch; kill switch latched;", 3000), "after a restart: %s",
              dp_notify_last_status(&r->rx));
    /* a short press (200 ms) does not re-arm */
    CHECK_EQ_INT(gpio(r->casedir, "press"), 0);
    dp_sleep_ms(200);
    CHECK_EQ_INT(gpio(r->casedir, "release"), 0);
    dp_sleep_ms(1300);
    CHECK_MSG(strstr(dp_notify_last_status(&r->rx), "kill switch latched;") != NULL, "a short press re-armed: %s",
              dp_notify_last_status(&r->rx));
    /* a long press: held past long_press_ms (600), then released */
    int from = r->rx.n;
    CHECK_EQ_INT(gpio(r->casedir, "press"), 0);
    CHECK_MSG(dp_notify_wait(&r->rx, from, "kill switch rearm_ready", 2500) >= 0 ||
              status_has(r, "rearm_ready", 1500), "holding past long_press_ms: %s", dp_notify_last_status(&r->rx));
    CHECK_EQ_INT(alarm_seen(r, 200), 1); /* long enough: the alarm goes dark, release now */
    from = r->rx.n;
    CHECK_EQ_INT(gpio(r->casedir, "release"), 0);
    int i = dp_notify_wait(&r->rx, from, "kill switch armed", 2500);
    CHECK_MSG(i >= 0, "the long press did not re-arm: %s", dp_notify_last_status(&r->rx));
    if (i >= 0)
        CHECK_MSG(strstr(r->rx.msg[i].text, "kill_switch") == NULL, "re-armed but still named: %s", r->rx.msg[i].text);
    CHECK_EQ_INT(stop(r), 0);
    CHECK_EQ_INT(dp_sql_int(r->db, "select value from state where key='killswitch.latched'", -1), 0);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from events where kind='kill_switch' and detail='re-armed by a long press'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r->db, "select count(*) from events where kind='arming' and detail like '%clear=kill_switch%'", -1), 1);
}

/* Pressed while the daemon was down: it latches at start-up, before anything can trade. */
TEST(button_held_at_startup_latches_before_trading)
{
    run_t *r = &g_run;
    CHECK_EQ_INT(gpio(r->casedir, "press"), 0);
    if (start(r, "held") != 0) {
        CHECK_MSG(0, "the daemon did not start with the button held");
        return;
    }
    const char *s = dp_notify_last_status(&r->rx);
    CHECK_MSG(strstr(s, "disarm: kill_switch; kill switch latched_held;") != NULL, "held at start: %s", s);
    CHECK_EQ_INT(stop(r), 0);
    gpio(r->casedir, "release");
    CHECK_EQ_INT(dp_sql_int(r->db, "select value from state where key='killswitch.latched'", -1), 1);
}

/* The journal resumed an entry waiting for the next open and open positions; the button was pressed while
 * the daemon was down. Start-up latches, and it must cancel and flatten what it resumed, as a press does. */
TEST(held_at_startup_cancels_and_flattens_what_was_resumed)
{
    run_t r;
    memset(&r, 0, sizeof r);
    prepare("held-resume", g_bars_k, r.casedir, sizeof r.casedir, r.cfg, sizeof r.cfg);
    char sim[500], log[500], db[500];
    snprintf(log, sizeof log, "%s/log0", r.casedir);
    snprintf(db, sizeof db, "%s/state/journal.db", r.casedir);
    const char *argv[] = {F.daemon, "--config", r.cfg, "--exit-at-end", NULL};
    const char *env[] = {dp_sim_env(r.casedir, sim, sizeof sim), NULL};
    CHECK_EQ_INT(dp_run(argv, env, log, 20000), 0);
    CHECK(dp_sql_int(db, "select count(*) from positions", -1) >= 1);
    CHECK_EQ_INT(gpio(r.casedir, "press"), 0);
    if (start(&r, "held-resume") != 0) {
        CHECK_MSG(0, "the daemon did not start");
        return;
    }
    CHECK(strstr(dp_notify_last_status(&r.rx), "disarm: kill_switch") != NULL);
    CHECK_EQ_INT(stop(&r), 0);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from positions", -1), 0);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from orders where reason='entry' and state='cancelled'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from events where kind='kill_switch' and detail like 'latched: 1 open orders cancelled%'", -1), 1);
}

int main(void)
{
    eb_check_test = "setup";
    int rc = dp_fixture_open(&F, "dkill", "km1");
    if (rc != 0) {
        if (rc > 0)
            CHECK_SKIP("edgeboxd or edgebox not built under $EB_BUILD/bin");
        else
            CHECK_MSG(0, "cannot make the fixture (bars, key, model) in /tmp");
        return eb_check_report();
    }
    snprintf(g_bars_k, sizeof g_bars_k, "%s/bars-to-k.csv", F.dir);
    if (probe() != 0) {
        CHECK_MSG(0, "the probe run found no bar with an entry waiting while a position was open");
        return eb_check_report();
    }
    RUN(press_disarms_cancels_flattens_and_latches);
    RUN(latch_survives_restart_and_only_a_long_press_rearms);
    RUN(button_held_at_startup_latches_before_trading);
    RUN(held_at_startup_cancels_and_flattens_what_was_resumed);
    dp_rmtree(F.dir);
    return eb_check_report();
}
