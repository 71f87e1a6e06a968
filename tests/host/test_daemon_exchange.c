/* edgeboxd with the bar source "exchange" (SPEC section 2) against the fake exchange on 127.0.0.1: the
 * start-up backfill asks for enough closed bars to warm the features up and READY=1 follows; a feed whose
 * newest closed bar is older than two intervals plus the grace raises stale_data in STATUS=, a fresh one does
 * not; bad exchange keys are config errors (exit 2). */
#include "app/klines.h"
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"
#include "tests/support/fake_exchange.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IV 60000LL /* 1m */
#define NBARS 1200

static char g_daemon[256], g_dir[256], g_bars[300];
static eb_bar_t series[NBARS];

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the daemon on the fake exchange until READY=1 and checks the last STATUS=, then stops it (or, for a
 * refused config, checks exit status 2 and no READY=1); then the log. */
static void run_case(const char *name, eb_fx_t *fx, const char *extra, int want_ready, const char *status_has,
                     const char *status_lacks, const char *log_has)
{
    char casedir[400], cfg[500], log[500], simenv[500], appl[512];
    dp_case(g_dir, name, casedir, sizeof casedir);
    /* the case's own interval or URL replaces the default one (a key given twice is refused) */
    char url[160] = "", interval[40] = "";
    if (!strstr(extra, "\"exchange_url\""))
        snprintf(url, sizeof url, ", \"exchange_url\": \"%s\"", fx ? eb_fx_url(fx) : "http://127.0.0.1:9");
    if (!strstr(extra, "\"interval\""))
        snprintf(interval, sizeof interval, ", \"interval\": \"1m\"");
    snprintf(appl, sizeof appl, "\"source\": \"exchange\"%s%s%s%s", url, interval, extra[0] ? ", " : "", extra);
    dp_config(casedir, g_bars, appl, "", cfg, sizeof cfg);
    snprintf(log, sizeof log, "%s/log", casedir);
    dp_sim_env(casedir, simenv, sizeof simenv);
    dp_notify_t nr;
    char where[420];
    snprintf(where, sizeof where, "%s/notify", casedir);
    if (dp_notify_open(&nr, where) != 0) {
        CHECK_MSG(0, "%s: notify socket", name);
        return;
    }
    const char *argv[] = {g_daemon, "--config", cfg, NULL};
    const char *env[] = {simenv, nr.env, NULL};
    pid_t pid = dp_spawn(argv, env, log);
    if (!want_ready) { /* refused: it exits at once, and never said READY=1 */
        CHECK_EQ_INT(dp_wait(pid, 10000), 2);
        dp_notify_pump(&nr, 50);
        CHECK_MSG(dp_notify_count(&nr, 0, "READY=1") == 0, "%s: READY=1 on a refused config", name);
    }
    int ready = want_ready ? dp_notify_wait(&nr, 0, "READY=1", 15000) : -1;
    if (want_ready) {
        CHECK_MSG(ready >= 0, "%s: no READY=1", name);
        dp_notify_pump(&nr, 300);
        const char *st = dp_notify_last_status(&nr);
        CHECK_MSG(!status_has || strstr(st, status_has), "%s: STATUS '%s' lacks '%s'", name, st, status_has);
        CHECK_MSG(!status_lacks || !strstr(st, status_lacks), "%s: STATUS '%s' has '%s'", name, st, status_lacks);
        kill(pid, SIGTERM);
        CHECK_EQ_INT(dp_wait(pid, 10000), 0);
    }
    CHECK_MSG(!log_has || dp_file_contains(log, log_has), "%s: the log lacks '%s'", name, log_has);
    dp_notify_close(&nr);
}

TEST(backfill_then_ready_fresh)
{
    int64_t now = wall_ms(), open_now = now - now % IV;
    eb_fx_make_series(series, NBARS, open_now - (NBARS - 1) * IV, IV); /* the last bar is the open one */
    eb_fx_t *fx = eb_fx_start(series, NBARS, "BTCUSDT", "1m", IV);
    if (!fx)
        return;
    eb_fx_set_now(fx, now);
    run_case("fresh", fx, "", 1, NULL, "stale_data", "backfill:");
    eb_fx_request_t r;
    CHECK(eb_fx_request(fx, 0, &r) == 0);
    CHECK_MSG(r.start_ms > open_now - 1000 * IV && r.start_ms < open_now - 300 * IV,
              "the backfill asked from %lld, %lld bars back", (long long)r.start_ms, (long long)((open_now - r.start_ms) / IV));
    CHECK(strcmp(r.path, "/api/v3/klines") == 0 && r.limit == 1000 && r.status == 200);
    eb_fx_stop(fx);
}

TEST(stale_feed_disarms)
{
    int64_t now = wall_ms(), open_now = now - now % IV;
    eb_fx_make_series(series, NBARS, open_now - (NBARS + 9) * IV, IV); /* newest closed bar 10 minutes old */
    eb_fx_t *fx = eb_fx_start(series, NBARS, "BTCUSDT", "1m", IV);
    if (!fx)
        return;
    eb_fx_set_now(fx, now);
    run_case("stale", fx, "\"stale_grace_ms\": 5000", 1, "stale_data", NULL, "stale data: newest closed bar");
    eb_fx_stop(fx);
}

TEST(exchange_keys_are_config_errors)
{
    run_case("bad-interval", NULL, "\"interval\": \"7m\"", 0, NULL, NULL, "appliance.interval: \"7m\" is not allowed");
    run_case("bad-url", NULL, "\"exchange_url\": \"ftp://x\"", 0, NULL, NULL, "appliance.exchange_url: \"ftp://x\" is not allowed");
}

int main(void)
{
    if (!dp_bin("edgeboxd", g_daemon, sizeof g_daemon) || dp_tmpdir("dexch", g_dir, sizeof g_dir) != 0) {
        CHECK_SKIP("edgeboxd is not built");
        return eb_check_report();
    }
    snprintf(g_bars, sizeof g_bars, "%s/unused.csv", g_dir);
    RUN(backfill_then_ready_fresh);
    RUN(stale_feed_disarms);
    RUN(exchange_keys_are_config_errors);
    dp_rmtree(g_dir);
    return eb_check_report();
}
