/* Walk-forward: config checks before any work, calendar windows, parameter sets and shards, and the
 * promise that a run killed at any point and restarted gives byte-identical results, as do shards merged. */
#include "tests/support/synth_hourly.h"
#include "common/file_read.h"
#include "tests/support/check.h"
#include "tests/support/stderr_to.h"
#include "common/file_write.h"
#include "tools/edgebox/validate/wf_merge.h"
#include "tools/edgebox/validate/wf_report.h"

#include <cjson/cJSON.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JAN2021 1609459200000LL
static eb_bar_t *bars;
static size_t nbars;
static char root[256];

static void make_bars(void)
{
    nbars = 243 * 24; /* 2021-01-01 .. 2021-09-01 */
    bars = eb_test_synth_hourly(nbars, 11, 0.008);
}

static const char *small_json =
    "{\"walkforward\": {\"train_months\": 3, \"valid_months\": 1, \"step_months\": 1,"
    " \"grid\": {\"tenkan\": {\"start\": 9, \"end\": 9, \"step\": 1}, \"kijun\": {\"start\": 26, \"end\": 26, \"step\": 2},"
    " \"senkou_b\": {\"start\": 52, \"end\": 52, \"step\": 4}, \"rsi\": {\"start\": 7, \"end\": 14, \"step\": 7},"
    " \"atr\": {\"start\": 14, \"end\": 14, \"step\": 7}},"
    " \"search\": {\"seed\": 5, \"rounds\": {\"min\": 10, \"max\": 20}, \"max_leaves\": {\"min\": 8, \"max\": 16}},"
    " \"labels\": {\"horizon\": 24}, \"selection\": {\"min_trades\": 1}}}";

static int parse(const char *json, eb_wf_config_t *c, char *err)
{
    return eb_wf_config_parse(json, c, err, 400);
}

TEST(defaults_and_parse)
{
    eb_wf_config_t c;
    char err[400] = "";
    CHECK_EQ_INT(parse("{}", &c, err), 0);
    CHECK_EQ_INT(c.train_months, 12);
    CHECK_EQ_INT(c.valid_months, 3);
    CHECK_EQ_INT(c.step_months, 3);
    CHECK_EQ_INT(eb_wf_set_count(&c), 3 * 3 * 3 * 4 * 4); /* SPEC section 3's grid: 432 */
    CHECK_EQ_INT(parse(small_json, &c, err), 0);
    CHECK_EQ_INT(eb_wf_set_count(&c), 2);
    CHECK_EQ_INT(c.horizon, 24);
    CHECK_EQ_INT(c.embargo_bars, 24); /* not given: the label horizon */
}

/* Embargo: the default follows the label horizon; below it only with the explicit override, and then
 * with a warning (issue 13 item 7: embargo 0 with horizon 500 was accepted silently). */
TEST(embargo_and_horizon)
{
    eb_wf_config_t c;
    char err[400] = "", warn[400] = "";
    CHECK_EQ_INT(parse("{}", &c, err), 0);
    CHECK_EQ_INT(c.horizon, 48);
    CHECK_EQ_INT(c.embargo_bars, 48);
    CHECK_EQ_INT(eb_wf_config_embargo_warning(&c, warn, sizeof warn), 0);
    CHECK_EQ_INT(parse("{\"walkforward\": {\"labels\": {\"horizon\": 500}}}", &c, err), 0);
    CHECK_EQ_INT(c.embargo_bars, 500);
    CHECK_EQ_INT(parse("{\"walkforward\": {\"labels\": {\"horizon\": 500}, \"split\": {\"embargo_bars\": 0, "
                       "\"allow_embargo_below_horizon\": true}}}", &c, err), 0);
    CHECK_EQ_INT(c.embargo_bars, 0);
    CHECK_EQ_INT(eb_wf_config_embargo_warning(&c, warn, sizeof warn), 1);
    CHECK_MSG(strstr(warn, "embargo_bars 0 is below walkforward.labels.horizon 500") != NULL, "%s", warn);
    eb_wf_config_t d;
    eb_wf_config_default(&d);
    CHECK_EQ_INT(d.embargo_bars, d.horizon);
    /* loading such a file says so on stderr */
    char path[300], log[300], e[256];
    snprintf(path, sizeof path, "%s/short-embargo.json", root);
    snprintf(log, sizeof log, "%s/short-embargo.log", root);
    const char *json = "{\"walkforward\": {\"split\": {\"embargo_bars\": 10, \"allow_embargo_below_horizon\": true}}}";
    CHECK_EQ_INT(eb_write_file_atomic(path, json, strlen(json), 0644, e, sizeof e), 0);
    int saved = eb_test_stderr_to(log);
    int rc = eb_wf_config_load(path, &d, e, sizeof e);
    eb_test_stderr_back(saved);
    CHECK_EQ_INT(rc, 0);
    char *text = eb_file_read_all(log, 0, 0, NULL, e, sizeof e);
    CHECK_MSG(text && strstr(text, "short-embargo.json: warning: walkforward.split.embargo_bars 10 is below "
                                   "walkforward.labels.horizon 48"), "%s", text ? text : e);
    free(text);
}

/* Every bad input is refused with the key, the value and what is allowed, and *c is left alone. */
TEST(bad_config_is_refused)
{
    static const struct {
        const char *json, *expect;
    } cases[] = {
        {"{\"walkforward\": {\"grid\": {\"rsi\": {\"start\": 28, \"end\": 7, \"step\": 7}}}}", "walkforward.grid.rsi: empty range"},
        {"{\"walkforward\": {\"grid\": {\"tenkan\": {\"start\": 5, \"end\": 9, \"step\": 1}}}}", "tenkan 5 is not allowed (allowed: 8..10"},
        {"{\"walkforward\": {\"grid\": {\"kijun\": {\"start\": 24, \"end\": 28, \"step\": 0}}}}", "walkforward.grid.kijun.step: 0 is not allowed"},
        {"{\"walkforward\": {\"train_months\": 0}}", "walkforward.train_months: 0 is not allowed (allowed: integer 1..120)"},
        {"{\"walkforward\": {\"search\": {\"rounds\": {\"min\": 500, \"max\": 50}}}}", "walkforward.search.rounds: empty range"},
        {"{\"walkforward\": {\"search\": {\"learning_rate\": {\"min\": 0.3, \"max\": 0.01}}}}", "learning_rate: empty range"},
        {"{\"walkforward\": {\"labels\": {\"method\": \"triple\"}}}", "walkforward.labels.method: must be"},
        {"{\"walkforward\": {\"windows\": 3}}", "walkforward.windows: unknown key"},
        {"{\"walkforward\": {\"split\": {\"tune_fraction\": 0.9}}}", "walkforward.split.tune_fraction: 0.90000000000000002 is not allowed"},
        {"{\"walkforward\": [1]}", "walkforward: must be an object"},
        {"not json", "config:1: not valid JSON"},
        /* issue 13 item 7: an embargo below the label horizon is not silent */
        {"{\"walkforward\": {\"labels\": {\"horizon\": 500}, \"split\": {\"embargo_bars\": 0}}}",
         "walkforward.split.embargo_bars: 0 is below walkforward.labels.horizon 500"},
        {"{\"walkforward\": {\"split\": {\"embargo_bars\": 24}}}", "(allowed: >= 48, or set "
         "walkforward.split.allow_embargo_below_horizon: true)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_wf_config_t c;
        c.train_months = -7;
        char err[400] = "";
        CHECK_EQ_INT(parse(cases[i].json, &c, err), -1);
        CHECK_MSG(strstr(err, cases[i].expect) != NULL, "case %zu: '%s' lacks '%s'", i, err, cases[i].expect);
        CHECK_EQ_INT(c.train_months, -7);
    }
}

TEST(windows_follow_the_calendar)
{
    eb_wf_config_t c;
    char err[400];
    parse(small_json, &c, err);
    eb_wf_window_t w[EB_WF_MAX_WINDOWS];
    int n = eb_wf_plan_windows(&c, bars, nbars, w, EB_WF_MAX_WINDOWS, err, sizeof err);
    CHECK_EQ_INT(n, 5); /* validation May, Jun, Jul, Aug ... and Apr: Jan-Mar train first */
    CHECK_EQ_INT(w[0].train_start, JAN2021);
    CHECK_EQ_INT(w[0].valid_start, 1617235200000LL); /* 2021-04-01 */
    CHECK_EQ_INT(w[0].valid_end, 1619827200000LL);   /* 2021-05-01 */
    CHECK_EQ_INT(w[4].valid_end, 1630454400000LL);   /* 2021-09-01 = the end of the data */
    CHECK_EQ_INT(w[1].train_start, 1612137600000LL); /* step one month */
    CHECK_EQ_INT(w[0].i_valid, (size_t)(31 + 28 + 31) * 24);
    c.train_months = 12; /* windows longer than the data */
    CHECK_EQ_INT(eb_wf_plan_windows(&c, bars, nbars, w, EB_WF_MAX_WINDOWS, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "windows longer than the data") && strstr(err, "2021-09-01"), "%s", err);
}

TEST(sets_and_shards)
{
    eb_wf_config_t c;
    char err[400];
    parse("{}", &c, err);
    size_t total = eb_wf_set_count(&c), owned[3] = {0};
    int in_range = 1, again_same = 1;
    for (size_t s = 0; s < total; s++) {
        eb_wf_set_t a, b;
        eb_wf_set_get(&c, s, &a);
        eb_wf_set_get(&c, s, &b);
        again_same &= a.index == b.index && memcmp(&a.fp, &b.fp, sizeof a.fp) == 0 &&
                      a.learning_rate == b.learning_rate && a.max_leaves == b.max_leaves &&
                      a.min_child_weight == b.min_child_weight && a.rounds == b.rounds;
        in_range &= eb_feature_params_validate(&a.fp, NULL) == 0 && a.learning_rate >= 0.01 && a.learning_rate <= 0.3 &&
                    a.max_leaves >= 20 && a.max_leaves <= 100 && a.min_child_weight >= 10 &&
                    a.min_child_weight <= 50 && a.rounds >= 50 && a.rounds <= 500;
        for (int i = 1; i <= 3; i++)
            owned[i - 1] += eb_wf_shard_owns(s, i, 3);
    }
    CHECK(in_range && again_same);
    CHECK_EQ_INT(owned[0] + owned[1] + owned[2], total); /* every set in exactly one shard */
    eb_wf_set_t first, last;
    eb_wf_set_get(&c, 0, &first);
    eb_wf_set_get(&c, total - 1, &last);
    CHECK(first.fp.tenkan == 8 && first.fp.atr == 7 && last.fp.tenkan == 10 && last.fp.atr == 28);
    int i, n;
    CHECK_EQ_INT(eb_wf_shard_parse("2/4", &i, &n), 0);
    CHECK(i == 2 && n == 4);
    CHECK_EQ_INT(eb_wf_shard_parse("0/4", &i, &n), -1);
    CHECK_EQ_INT(eb_wf_shard_parse("5/4", &i, &n), -1);
    CHECK_EQ_INT(eb_wf_shard_parse("1/", &i, &n), -1);
    CHECK_EQ_INT(eb_wf_shard_parse("x", &i, &n), -1);
}

static eb_wf_ctx_t ctx;

static int prepare(const char *dir, char *err)
{
    eb_wf_config_t c;
    parse(small_json, &c, err);
    memset(&ctx, 0, sizeof ctx);
    eb_train_costs_default(&ctx.costs);
    eb_wf_sim_params_default(&ctx.sim);
    ctx.quiet = 1;
    return eb_wf_prepare(&ctx, &c, bars, nbars, dir, err, 400);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return eb_file_read_all(path, 0, 0, len, err, sizeof err);
}

static int same_file(const char *a, const char *b, const char *name)
{
    size_t la = 0, lb = 0;
    char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void dir_of(char *out, const char *name) { snprintf(out, 300, "%s/%s", root, name); }

/* results.json, report.html and model.summary.json say "robust" (and the walk-forward passed) only when
 * the selected set's lower confidence bound is above 0 (issue 13 item 8: an eligible set was "robust"). */
static void check_labels(const char *dir, const char *res)
{
    cJSON *doc = cJSON_Parse(res);
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(doc, "selected");
    double score = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sel, "score"));
    double e = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sel, "expectancy_r"));
    int eligible = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sel, "eligible"));
    int robust = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "robust"));
    CHECK_EQ_INT(robust, eligible && score > 0);
    CHECK_EQ_INT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "positive_oos")), eligible && e > 0);
    CHECK_EQ_INT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "walkforward_pass")), robust);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "eligible")) == eligible);
    cJSON_Delete(doc);
    size_t len;
    char *html = slurp(dir, "report.html", &len), *sum = slurp(dir, "model.summary.json", &len);
    CHECK(html && (strstr(html, "(robust:") != NULL) == robust);
    CHECK(sum && strstr(sum, robust ? "\"walkforward_pass\": true" : "\"walkforward_pass\": false"));
    CHECK(sum && strstr(sum, "\"train_start_ms\": ") && strstr(sum, "\"train_end_ms\": "));
    free(html);
    free(sum);
}

/* The case: eligible, expectancy -0.10 R, LCB -0.157: not a pass; LCB > 0 is. */
TEST(robust_needs_a_positive_lower_bound)
{
    eb_wf_result_t r = {.eligible = 1, .score = -0.157};
    r.sum.expectancy = -0.10;
    r.sum.trades = 300;
    CHECK_EQ_INT(eb_wf_passed(&r), 0);
    r.sum.expectancy = 0.05;
    r.score = -0.01;
    CHECK_EQ_INT(eb_wf_passed(&r), 0);
    r.score = 0.01;
    CHECK_EQ_INT(eb_wf_passed(&r), 1);
    r.eligible = 0;
    CHECK_EQ_INT(eb_wf_passed(&r), 0);
}

TEST(full_run_then_killed_and_resumed)
{
    char a[300], b[300], err[400] = "";
    dir_of(a, "full");
    dir_of(b, "killed");
    CHECK_EQ_INT(prepare(a, err), 0);
    CHECK_EQ_INT(eb_wf_run(&ctx, 1, 1, 2, err, sizeof err), 0);
    CHECK_MSG(eb_wf_merge(&ctx, NULL, 0, err, sizeof err) == 0, "%s", err);
    size_t len;
    char *res = slurp(a, "results.json", &len);
    CHECK(res && strstr(res, "\"shap_top10\"") && strstr(res, "\"selected\""));
    check_labels(a, res);
    free(res);
    /* Kill a run after 30, 60, 90 ... ms until one survives to the end, resuming each time. */
    int kills = 0, prep_failed = 0, child_failed = 0;
    for (int delay_ms = 30; delay_ms < 60000; delay_ms += 30) {
        prep_failed += prepare(b, err) != 0;
        pid_t p = fork();
        if (p == 0)
            _exit(eb_wf_run(&ctx, 1, 1, 1, err, sizeof err) ? 1 : 0);
        struct timespec ts = {0, (long)delay_ms * 1000000L};
        nanosleep(&ts, NULL);
        int status;
        if (waitpid(p, &status, WNOHANG) == p) {
            child_failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
            break;
        }
        kill(p, SIGKILL);
        waitpid(p, &status, 0);
        kills++;
    }
    CHECK(kills >= 2);
    CHECK_EQ_INT(prep_failed, 0);
    CHECK_EQ_INT(child_failed, 0);
    CHECK_EQ_INT(prepare(b, err), 0);
    CHECK_EQ_INT(eb_wf_run(&ctx, 1, 1, 1, err, sizeof err), 0);
    CHECK_MSG(eb_wf_merge(&ctx, NULL, 0, err, sizeof err) == 0, "%s", err);
    CHECK(same_file(a, b, "results.json"));
    CHECK(same_file(a, b, "model.ebm"));
    CHECK(same_file(a, b, "report.html"));
    CHECK(same_file(a, b, "sets/set-000000.ckpt"));
    CHECK(same_file(a, b, "sets/set-000001.ckpt"));
}

TEST(shards_merge_to_the_same_results)
{
    char a[300], s1[300], s2[300], m[300], err[400] = "";
    dir_of(a, "full");
    dir_of(s1, "shard1");
    dir_of(s2, "shard2");
    dir_of(m, "merged");
    CHECK_EQ_INT(prepare(s1, err), 0);
    CHECK_EQ_INT(eb_wf_run(&ctx, 1, 2, 1, err, sizeof err), 0);
    CHECK_EQ_INT(prepare(m, err), 0);
    char *only1[] = {s1};
    CHECK_EQ_INT(eb_wf_merge(&ctx, only1, 1, err, sizeof err), -1); /* shard 2 missing */
    CHECK_MSG(strstr(err, "1 of 2 parameter sets are unfinished (first: set 1)") != NULL, "%s", err);
    CHECK_EQ_INT(prepare(s2, err), 0);
    CHECK_EQ_INT(eb_wf_run(&ctx, 2, 2, 1, err, sizeof err), 0);
    CHECK_EQ_INT(prepare(m, err), 0);
    char *both[] = {s1, s2};
    CHECK_MSG(eb_wf_merge(&ctx, both, 2, err, sizeof err) == 0, "%s", err);
    CHECK(same_file(a, m, "results.json"));
    CHECK(same_file(a, m, "model.ebm"));
}

/* A directory from another config is refused before any work, and nothing in it changes. */
TEST(other_config_is_refused)
{
    char a[300], err[400] = "";
    dir_of(a, "full");
    size_t before_len;
    char *before = slurp(a, "plan.txt", &before_len);
    eb_wf_config_t c;
    parse(small_json, &c, err);
    c.horizon = 25;
    eb_wf_ctx_t x;
    memset(&x, 0, sizeof x);
    CHECK_EQ_INT(eb_wf_prepare(&x, &c, bars, nbars, a, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "another config or data") != NULL, "%s", err);
    size_t after_len;
    char *after = slurp(a, "plan.txt", &after_len);
    CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    free(after);
    /* the same config with the conservative stop fill is another run too (issue 13 item 9's costs) */
    parse(small_json, &c, err);
    memset(&x, 0, sizeof x);
    eb_train_costs_default(&x.costs);
    eb_wf_sim_params_default(&x.sim);
    x.sim.stop_extreme_fraction = 0.5;
    x.quiet = 1;
    CHECK_EQ_INT(eb_wf_prepare(&x, &c, bars, nbars, a, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "another config or data") != NULL, "%s", err);
    after = slurp(a, "plan.txt", &after_len);
    CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    free(before);
    free(after);
    /* windows longer than the data: refused before the directory is created */
    char fresh[300];
    dir_of(fresh, "never");
    c.train_months = 24;
    CHECK_EQ_INT(eb_wf_prepare(&x, &c, bars, nbars, fresh, err, sizeof err), -1);
    struct stat st;
    CHECK(stat(fresh, &st) != 0);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/eb-test-wf-%d", (int)getpid());
    mkdir(root, 0755);
    make_bars();
    RUN(defaults_and_parse);
    RUN(bad_config_is_refused);
    RUN(embargo_and_horizon);
    RUN(robust_needs_a_positive_lower_bound);
    RUN(windows_follow_the_calendar);
    RUN(sets_and_shards);
    RUN(full_run_then_killed_and_resumed);
    RUN(shards_merge_to_the_same_results);
    RUN(other_config_is_refused);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    free(bars);
    return eb_check_report();
}
