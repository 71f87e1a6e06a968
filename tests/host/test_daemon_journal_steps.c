/* A full disk at one journalled step of a trade (issue 12 item 4): the order intent, and the fill. The state
 * directory is a small tmpfs (tests/support/full_disk.h; skipped without root or `unshare -rm`).
 *
 * A reference run finds the bar E of the first entry (its intent is committed at bar E, the order is sent
 * and filled at bar E+1). A first run stops just before the step (after E-1 bars for the intent, E for
 * the fill); a second one replays on at 200 ms a bar, and the disk is filled right after READY=1, before
 * the first bar is due, so the first commit that meets the full disk is the step's own. Trading disarms (STATUS= names journal), the
 * step is not on disk while the disk is full (no order row; the order still an intent with no fill), the
 * daemon recovers by itself when space returns, and the run ends with the orders, their logs, the fills
 * and the equity rows of the uninterrupted run. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"
#include "tests/support/full_disk.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static dp_fixture_t F;
static const char *g_strategy = "\"signal\": {\"threshold_buy\": 0.31, \"threshold_sell\": 0.99}, "
                                "\"limits\": {\"min_confidence\": 0.30}";
static char *g_reference, g_entry[64];
static int64_t g_entry_bar; /* E: the entry's bar is the E-th bar */

static char *rows_text(const char *db)
{
    static const char *const q[] = {
        "select client_id, symbol, side, qty, state, filled_qty, avg_price, bar_ms, reason from orders order by client_id",
        "select client_id, time_ms, from_state, to_state, detail from order_log order by client_id, id",
        "select client_id, trade_id, qty, price, fee, time_ms from fills order by client_id, trade_id",
        "select time_ms, equity, cash, unrealized from equity order by time_ms"};
    size_t len = 0;
    char *all = calloc(1, 1);
    for (size_t i = 0; all && i < sizeof q / sizeof q[0]; i++) {
        char *part = dp_sql_dump(db, q[i]);
        char *grown = part ? realloc(all, len + strlen(part) + 4) : NULL;
        if (!grown) {
            free(part);
            free(all);
            return NULL;
        }
        all = grown;
        len += (size_t)sprintf(all + len, "%s--\n", part);
        free(part);
    }
    return all;
}

static int run_daemon(const char *casedir, const char *cfg, const char *const extra[], const char *logname)
{
    char log[500], sim[500];
    snprintf(log, sizeof log, "%s/%s", casedir, logname);
    const char *argv[8] = {F.daemon, "--config", cfg};
    int n = 3;
    for (int i = 0; extra[i] && n < 7; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), NULL};
    return dp_run(argv, env, log, 20000);
}

static void full_at(const char *name, int64_t bars_before)
{
    int at_fill = strcmp(name, "fill") == 0;
    char casedir[400], cfg[500], state[500], db[600], log[500], sim[500], where[100], stop[24], q[200];
    dp_case(F.dir, name, casedir, sizeof casedir);
    snprintf(state, sizeof state, "%s/state", casedir);
    if (fd_mount(state, 6) != 0) {
        CHECK_SKIP("no tmpfs");
        return;
    }
    dp_fixture_case(&F, name, F.bars, "", g_strategy, 1, casedir, sizeof casedir, cfg, sizeof cfg);
    snprintf(db, sizeof db, "%s/journal.db", state);
    snprintf(log, sizeof log, "%s/log2", casedir);
    snprintf(stop, sizeof stop, "%lld", (long long)bars_before);
    const char *first[] = {"--stop-after-bars", stop, NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, first, "log"), 0);
    CHECK_EQ_INT(dp_sql_int(db, "select count(*) from decisions", -1), bars_before);
    snprintf(where, sizeof where, "@eb-test-jsteps-%d-%s", (int)getpid(), name);
    dp_notify_t rx;
    CHECK(dp_notify_open(&rx, where) == 0);
    const char *argv[] = {F.daemon, "--config", cfg, "--speed", "1500", NULL}; /* 200 ms a bar */
    const char *env[] = {dp_sim_env(casedir, sim, sizeof sim), rx.env, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    CHECK(dp_notify_wait(&rx, 0, "READY=1", 10000) >= 0);
    snprintf(q, sizeof q, "select count(*) from orders where client_id = '%s'", g_entry);
    for (int i = 0; at_fill && i < 600 && dp_sql_int(db, q, -1) != 1; i++)
        dp_sleep_ms(5);
    fd_fill(state);
    CHECK_MSG(dp_notify_wait(&rx, 0, "journal", 3000) >= 0, "%s: STATUS= never named the journal: %s", name,
              dp_notify_last_status(&rx));
    dp_sleep_ms(300);
    /* the step is not on disk, nor anything after it */
    snprintf(q, sizeof q, "select count(*) from orders where client_id = '%s'", g_entry);
    int64_t orders = dp_sql_int(db, q, -1);
    snprintf(q, sizeof q, "select count(*) from fills where client_id = '%s'", g_entry);
    int64_t fills = dp_sql_int(db, q, -1);
    if (!at_fill)
        CHECK_MSG(orders == 0, "%s: the intent is on a full disk?", name);
    else
        CHECK_MSG(orders == 1 && fills == 0, "%s: %lld orders, %lld fills: the intent should be on disk and the "
                  "fill not", name, (long long)orders, (long long)fills);
    CHECK(dp_sql_int(db, "select count(*) from decisions", -1) <= g_entry_bar);
    CHECK(dp_file_contains(log, "journal write failed"));
    CHECK(fd_unfill(state) == 0);
    int back = 0;
    for (int waited = 0; waited < 5000 && !back; waited += 100) {
        dp_notify_pump(&rx, 100);
        back = strstr(dp_notify_last_status(&rx), "journal") == NULL;
    }
    CHECK_MSG(back, "%s: not recovered: %s", name, dp_notify_last_status(&rx));
    CHECK(dp_file_contains(log, "journal writable again"));
    kill(pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    dp_notify_close(&rx);
    const char *rest[] = {"--exit-at-end", NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, rest, "log3"), 0);
    char *text = rows_text(db);
    CHECK_MSG(text && g_reference && strcmp(text, g_reference) == 0, "%s: orders, logs, fills or equity differ from "
              "the uninterrupted run", name);
    if (getenv("EB_KEEP_TMP")) { /* the tmpfs goes with the unmount: keep a copy to look at */
        char keep[600];
        snprintf(keep, sizeof keep, "%s/journal.db", casedir);
        CHECK(dp_copy(db, keep) == 0);
    }
    free(text);
    fd_unmount(state);
}

/* Resumed two bars before the entry's: the bar before it comes at once or after one bar's time, the
 * entry's one bar later, so a fill right after READY=1 is in time (the bar before writes nothing that
 * commits by itself). For the fill, the disk is filled once the intent is seen on disk, a bar's time
 * before the fill's bar. */
TEST(full_at_the_order_intent) { full_at("intent", g_entry_bar - 2); }
TEST(full_at_the_fill) { full_at("fill", g_entry_bar - 2); }

int main(int argc, char **argv)
{
    (void)argc;
    if (fd_test_start(argv, &F, "djsteps", "jt1") != 0)
        return eb_check_report();
    char casedir[400], cfg[500], db[600];
    dp_fixture_case(&F, "reference", F.bars, "", g_strategy, 1, casedir, sizeof casedir, cfg, sizeof cfg);
    const char *all[] = {"--exit-at-end", NULL};
    CHECK_EQ_INT(run_daemon(casedir, cfg, all, "log"), 0);
    snprintf(db, sizeof db, "%s/state/journal.db", casedir);
    g_reference = rows_text(db);
    /* an entry after the model's trial (which counts the bars with a model output): a stop during the trial
     * is a different story (the restart falls back to the previous slot) */
    static const char entry[] = "(select min(bar_ms) from orders where reason = 'entry' and bar_ms > (select bar_ms "
                                "from decisions where p_buy is not null order by bar_ms limit 1 offset 20))";
    char *id = dp_sql_dump(db, "select client_id from orders where reason = 'entry' and bar_ms = " "(select min(bar_ms) "
                               "from orders where reason = 'entry' and bar_ms > (select bar_ms from decisions where "
                               "p_buy is not null order by bar_ms limit 1 offset 20)) order by client_id limit 1");
    snprintf(g_entry, sizeof g_entry, "%.*s", id ? (int)strcspn(id, "\n") : 0, id ? id : "");
    free(id);
    char q[600];
    snprintf(q, sizeof q, "select count(*) from decisions where bar_ms <= %s", entry);
    g_entry_bar = dp_sql_int(db, q, -1);
    CHECK_MSG(g_reference && g_entry[0] && g_entry_bar > 2, "the reference run made no entry");
    if (g_reference && g_entry[0] && g_entry_bar > 2) {
        RUN(full_at_the_order_intent);
        RUN(full_at_the_fill);
    }
    free(g_reference);
    dp_rmtree(F.dir);
    return eb_check_report();
}
