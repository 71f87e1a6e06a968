/* Every config path goes through the strict JSON layer (common/json_strict, issue 11 item 9): edgeboxd
 * --config and the tool's backtest, features and train --config refuse a duplicate key or section, text
 * after the object, an escaped NUL and an overflowing number, naming the file and the key, before doing
 * anything (no state directory, no output). */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <stdlib.h>
#include <string.h>

static char g_daemon[256], g_tool[256], g_dir[256], g_bars[300];

typedef struct {
    const char *name, *appliance_extra, *top_extra, *tail, *want;
} bad_t;

/* The daemon config dp_config writes, with `tail` appended after the closing brace. */
static void write_cfg(const char *casedir, const bad_t *b, char *cfg, size_t cap)
{
    CHECK(dp_config(casedir, g_bars, b->appliance_extra, b->top_extra, cfg, cap) == 0);
    if (b->tail[0]) {
        char *text = dp_read_file(cfg, NULL);
        char buf[8192];
        snprintf(buf, sizeof buf, "%s%s", text ? text : "", b->tail);
        free(text);
        CHECK(dp_write_file(cfg, buf) == 0);
    }
}

static const bad_t bad[] = {
    {"dup-key", "\"arena_mib\": 64, \"arena_mib\": 128", "", "", "key 'appliance.arena_mib': duplicate key"},
    {"dup-section", "", "\"appliance\": {\"mode\": \"live\"}", "", "key 'appliance': duplicate key"},
    {"dup-strategy", "", "\"risk\": {}, \"risk\": {\"risk_per_trade\": 0.5}", "", "key 'risk': duplicate key"},
    {"trailing", "", "", "{\"x\": 1}\n", "text after the JSON value"},
    {"nul", "\"mode\": \"pa\\u0000per\"", "", "", "key 'appliance.mode': the string holds \\u0000"},
    {"overflow", "", "\"risk\": {\"risk_per_trade\": 1e400}", "", "key 'risk.risk_per_trade': 1e400 overflows"},
};

TEST(daemon_refuses)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char casedir[400], cfg[500], log[500], state[500], env0[500];
        dp_case(g_dir, bad[i].name, casedir, sizeof casedir);
        write_cfg(casedir, &bad[i], cfg, sizeof cfg);
        snprintf(log, sizeof log, "%s/log", casedir);
        snprintf(state, sizeof state, "%s/state", casedir);
        const char *argv[] = {g_daemon, "--config", cfg, "--exit-at-end", NULL};
        const char *env[] = {dp_sim_env(casedir, env0, sizeof env0), NULL};
        int rc = dp_run(argv, env, log, 10000);
        CHECK_MSG(rc == 2, "%s: exit %d, expected 2", bad[i].name, rc);
        CHECK_MSG(dp_file_contains(log, bad[i].want), "%s: log lacks '%s'", bad[i].name, bad[i].want);
        CHECK_MSG(dp_file_contains(log, cfg), "%s: log does not name %s", bad[i].name, cfg);
        CHECK_MSG(!dp_exists(state), "%s: the state directory was created", bad[i].name);
    }
}

/* The same files through the host tool's --config readers. */
TEST(tool_refuses)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char casedir[400], cfg[500], log[500], out[500];
        dp_case(g_dir, bad[i].name, casedir, sizeof casedir);
        write_cfg(casedir, &bad[i], cfg, sizeof cfg);
        snprintf(out, sizeof out, "%s/bt", casedir);
        const char *bt[] = {g_tool, "backtest", "--config", cfg, "--signal", "always-long", "--in", g_bars, "--out", out, NULL};
        const char *fe[] = {g_tool, "features", "--schema", "--config", cfg, NULL};
        char ebm[500];
        snprintf(ebm, sizeof ebm, "%s/m.ebm", casedir);
        const char *tr[] = {g_tool, "train", "--config", cfg, "--in", g_bars, "--out", ebm, NULL};
        const char *const *cmds[] = {bt, fe, tr};
        for (int k = 0; k < 3; k++) {
            snprintf(log, sizeof log, "%s/log-%d", casedir, k);
            int rc = dp_run(cmds[k], NULL, log, 10000);
            CHECK_MSG(rc != 0, "%s %s: exit 0", bad[i].name, cmds[k][1]);
            CHECK_MSG(dp_file_contains(log, bad[i].want), "%s %s: log lacks '%s'", bad[i].name, cmds[k][1],
                      bad[i].want);
        }
        CHECK_MSG(!dp_exists(out), "%s: backtest wrote its output directory", bad[i].name);
        CHECK_MSG(!dp_exists(ebm), "%s: train wrote a model", bad[i].name);
    }
}

int main(void)
{
    if (!dp_bin("edgeboxd", g_daemon, sizeof g_daemon) || !dp_bin("edgebox", g_tool, sizeof g_tool) ||
        dp_tmpdir("tcfg", g_dir, sizeof g_dir) != 0) {
        eb_check_test = "setup";
        CHECK_SKIP("the binaries are not built under $EB_BUILD/bin (or no /tmp)");
        return eb_check_report();
    }
    snprintf(g_bars, sizeof g_bars, "%s/bars.csv", g_dir);
    const char *a[] = {g_tool, "data", "synth", "--bars", "300", "--out", g_bars, NULL};
    if (dp_run(a, NULL, NULL, 10000) != 0)
        return 1;
    RUN(daemon_refuses);
    RUN(tool_refuses);
    dp_rmtree(g_dir);
    return eb_check_report();
}
