/* Monte Carlo gate: the >95% rule, the t-test and the model's own p-value among the runs decide together,
 * runs are reproducible from the seed, random signals follow the model's class frequencies; the window
 * lies after the model's training range; "validated" needs the walk-forward too; the commands refuse bad
 * input before any work. */
#include "tests/support/synth_hourly.h"
#include "tests/support/check.h"
#include "tests/support/stderr_to.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/validate/montecarlo.h"
#include "common/file_read.h"
#include "common/file_write.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void fill_runs(eb_mc_result_t *r, int n, int positive, double pos_value, double neg_value)
{
    r->run = calloc((size_t)n, sizeof *r->run);
    for (int i = 0; i < n; i++)
        r->run[i].expectancy = i < positive ? pos_value + 1e-4 * (i % 7) : neg_value;
    r->p_buy = r->p_sell = 0.05;
    r->baseline = (eb_wf_summary_t){.trades = 50, .expectancy = 1.0}; /* above every run */
}

TEST(pass_needs_both_rules)
{
    eb_mc_params_t p;
    eb_mc_params_default(&p);
    eb_mc_result_t r = {0};
    fill_runs(&r, 1000, 960, 0.2, -0.1); /* 96% positive, mean clearly > 0 */
    eb_mc_decide(&r, &p);
    CHECK(r.pass);
    CHECK_NEAR(r.positive_fraction, 0.96, 1e-12);
    CHECK(r.ttest.p_greater < 1e-10);
    eb_mc_result_free(&r);
    fill_runs(&r, 1000, 950, 0.2, -0.1); /* exactly 95%: the rule says more than 95% */
    eb_mc_decide(&r, &p);
    CHECK(!r.pass);
    CHECK(strstr(r.reason, "95.0% of runs") != NULL);
    eb_mc_result_free(&r);
    fill_runs(&r, 1000, 990, 0.001, -50); /* 99% positive but the mean is negative: the t-test fails */
    eb_mc_decide(&r, &p);
    CHECK(!r.pass);
    CHECK(r.ttest.p_greater > 0.5);
    CHECK(strstr(r.reason, "not significantly") != NULL);
    eb_mc_result_free(&r);
    fill_runs(&r, 1000, 960, 0.2, -0.1); /* the random-entry test passes but the model is inside the runs */
    r.baseline.expectancy = 0.2;
    eb_mc_decide(&r, &p);
    CHECK(r.random_pass && !r.model_beats && !r.pass);
    CHECK(strstr(r.reason, "does not beat random signals") != NULL);
    eb_mc_result_free(&r);
}

static eb_bar_t *bars;
static size_t nbars = 6000;

static void make(eb_dataset_t *ds)
{
    bars = eb_test_synth_hourly(nbars, 21, 0.006);
    eb_wf_config_t c;
    eb_wf_config_default(&c);
    eb_train_costs_t costs;
    eb_train_costs_default(&costs);
    eb_feature_params_t fp = eb_feature_params_default();
    char err[256];
    CHECK_EQ_INT(eb_dataset_build(bars, nbars, &fp, &c, &costs, ds, err, sizeof err), 0);
}

TEST(runs_are_seeded_and_follow_frequencies)
{
    eb_dataset_t ds;
    make(&ds);
    size_t lo = 4000, k = nbars - lo;
    int8_t *sig = calloc(k, 1);
    for (size_t i = 0; i < k; i += 10)
        sig[i] = 1; /* 10% buy, no sell */
    eb_wf_sim_params_t sim;
    eb_wf_sim_params_default(&sim);
    eb_mc_params_t p;
    eb_mc_params_default(&p);
    p.runs = 200;
    eb_mc_result_t a, b, c;
    char err[256];
    CHECK_EQ_INT(eb_mc_run(&ds, sig, lo, nbars, &sim, &p, &a, err, sizeof err), 0);
    CHECK_EQ_INT(eb_mc_run(&ds, sig, lo, nbars, &sim, &p, &b, err, sizeof err), 0);
    p.seed = 43;
    CHECK_EQ_INT(eb_mc_run(&ds, sig, lo, nbars, &sim, &p, &c, err, sizeof err), 0);
    CHECK_NEAR(a.p_buy, 0.1, 1e-12);
    CHECK_NEAR(a.p_sell, 0.0, 0);
    int same = 1, differs = 0;
    for (int i = 0; i < p.runs; i++) {
        same &= a.run[i].expectancy == b.run[i].expectancy && a.run[i].trades == b.run[i].trades;
        differs += a.run[i].expectancy != c.run[i].expectancy;
    }
    CHECK(same);
    CHECK(differs > p.runs / 2);
    CHECK(a.run[0].trades > 10);
    CHECK(a.baseline.trades > 10);
    eb_mc_result_free(&c);
    p.runs = 1;
    CHECK_EQ_INT(eb_mc_run(&ds, sig, lo, nbars, &sim, &p, &c, err, sizeof err), -1);
    CHECK(strstr(err, "runs must be 2..10000000") != NULL);
    CHECK(c.run == NULL && c.baseline_trades.v == NULL); /* a refusal holds nothing to free */
    eb_mc_result_free(&a);
    eb_mc_result_free(&b);
    free(sig);
    eb_dataset_free(&ds);
}

static int call(int (*fn)(int, char **), const char *const *args)
{
    char *argv[32];
    int argc = 0;
    while (args[argc]) {
        argv[argc] = (char *)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    return fn(argc, argv);
}

/* call() with stderr in the file at path. */
static int call_to(int (*fn)(int, char **), const char *const *args, const char *path)
{
    int saved = eb_test_stderr_to(path), rc = call(fn, args);
    eb_test_stderr_back(saved);
    return rc;
}

/* DIR/bars.csv with the test's bars. */
static void write_csv(const char *csv)
{
    FILE *f = fopen(csv, "w");
    fprintf(f, "open_time_ms,open,high,low,close,volume\n");
    for (size_t i = 0; i < nbars; i++)
        fprintf(f, "%lld,%.17g,%.17g,%.17g,%.17g,%.17g\n", (long long)bars[i].open_time_ms, bars[i].open,
                bars[i].high, bars[i].low, bars[i].close, bars[i].volume);
    fclose(f);
}

static char *slurp(const char *path)
{
    char err[256];
    return eb_file_read_all(path, 0, 0, NULL, err, sizeof err);
}

/* The gate runs on bars the model never saw (issue 13 item 5): a window overlapping the training range
 * that train recorded is refused naming both ranges, nothing is written; the default window starts where
 * training ended; a model without a recorded range is refused; a Monte Carlo pass alone never makes the
 * lifecycle's "validated" (item 8). */
TEST(window_outside_the_training_range)
{
    char dir[128], csv[160], cfg[160], out[200], model[200], meta[220];
    snprintf(dir, sizeof dir, "/tmp/eb-test-mcw-%d", (int)getpid());
    mkdir(dir, 0755);
    snprintf(csv, sizeof csv, "%s/bars.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/cfg.json", dir);
    snprintf(out, sizeof out, "%s/mc", dir);
    snprintf(model, sizeof model, "%s/m.ebm", dir);
    snprintf(meta, sizeof meta, "%s/m.ebm.json", dir);
    write_csv(csv);
    const char *json = "{}";
    char e[128];
    CHECK_EQ_INT(eb_write_file_atomic(cfg, json, strlen(json), 0644, e, sizeof e), 0);
    const char *tr[] = {"train", "--config", cfg, "--in", csv, "--out", model, "--from", "2021-01-01", "--to",
                        "2021-06-01", NULL};
    CHECK_EQ_INT(call(cmd_train, tr), 0);
    char *m = slurp(meta);
    CHECK(m && strstr(m, "\"train_start_ms\": 1609459200000") && strstr(m, "\"train_end_ms\": 1622505600000"));
    free(m);
    struct stat st;
    const char *overlap[] = {"montecarlo", "--config", cfg, "--in", csv, "--model", model, "--out", out, "--runs",
                             "50", "--from", "2021-05-01", NULL};
    char log[220];
    snprintf(log, sizeof log, "%s/err.txt", dir);
    CHECK_EQ_INT(call_to(cmd_montecarlo, overlap, log), 1);
    char *text = slurp(log);
    CHECK_MSG(text && strstr(text, "the window [2021-05-01 00:00, 2021-09-08 00:00) overlaps the model's "
                                   "training range [2021-01-01 00:00, 2021-06-01 00:00)"), "%s", text ? text : "");
    free(text);
    CHECK(stat(out, &st) != 0);
    const char *after[] = {"montecarlo", "--config", cfg, "--in", csv, "--model", model, "--out", out, "--runs",
                           "50", NULL};
    CHECK_EQ_INT(call(cmd_montecarlo, after), 0);
    char res[240];
    snprintf(res, sizeof res, "%s/montecarlo.json", out);
    char *r = slurp(res);
    CHECK(r && strstr(r, "\"window\": [1622505600000, ") && strstr(r, "\"model_training_range\": [1609459200000, "
                                                                    "1622505600000]"));
    /* train's model has no walk-forward: never validated, whatever the Monte Carlo said */
    CHECK(r && strstr(r, "\"walkforward_pass\": false") && strstr(r, "\"validated\": false"));
    CHECK(r && strstr(r, "\"action\": \"hold\""));
    free(r);
    CHECK_EQ_INT(unlink(meta), 0);
    const char *none[] = {"montecarlo", "--config", cfg, "--in", csv, "--model", model, "--out", out, NULL};
    CHECK_EQ_INT(call(cmd_montecarlo, none), 1); /* no recorded range */
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

/* The lifecycle block: a Monte Carlo pass alone is not "validated"; with the walk-forward's pass it is
 * (issue 13 item 8: the old block promoted on the Monte Carlo pass alone). */
TEST(validated_needs_both_gates)
{
    eb_mc_params_t p;
    eb_mc_params_default(&p);
    p.runs = 20;
    eb_mc_result_t r = {0};
    r.run = calloc(20, sizeof *r.run);
    for (int i = 0; i < 20; i++)
        r.run[i] = (eb_wf_summary_t){.trades = 30, .expectancy = 0.1 + 0.01 * i};
    r.p_buy = r.p_sell = 0.1;
    r.baseline = (eb_wf_summary_t){.trades = 30, .expectancy = 0.5};
    for (int i = 0; i < 30; i++) {
        eb_wf_trade_t t = {1614556800000LL + i * 86400000LL, 1614556800000LL + i * 86400000LL + 3600000, 1, 0.5,
                           0.005};
        CHECK_EQ_INT(eb_wf_trades_push(&r.baseline_trades, &t), 0);
    }
    eb_mc_decide(&r, &p);
    CHECK_MSG(r.pass, "%s", r.reason);
    char dir[128], path[200], err[256];
    snprintf(dir, sizeof dir, "/tmp/eb-test-mcl-%d", (int)getpid());
    snprintf(path, sizeof path, "%s/montecarlo.json", dir);
    eb_mc_window_t w = {1614556800000LL, 1617235200000LL, 1606780800000LL, 1614556800000LL, 0};
    CHECK_MSG(eb_mc_write(dir, &p, &r, &w, err, sizeof err) == 0, "%s", err);
    char *j = slurp(path);
    CHECK(j && strstr(j, "\"walkforward_pass\": false, \"montecarlo_pass\": true, \"validated\": false"));
    CHECK(j && strstr(j, "\"action\": \"hold\"") && !strstr(j, "\"promote\""));
    free(j);
    w.walkforward_pass = 1;
    CHECK_MSG(eb_mc_write(dir, &p, &r, &w, err, sizeof err) == 0, "%s", err);
    j = slurp(path);
    CHECK(j && strstr(j, "\"walkforward_pass\": true, \"montecarlo_pass\": true, \"validated\": true"));
    CHECK(j && strstr(j, "\"action\": \"promote\""));
    free(j);
    eb_mc_result_free(&r);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

/* The commands refuse bad input before any work: nothing is written. */
TEST(commands_refuse_bad_input)
{
    char dir[128], csv[160], cfg[160], out[200], model[200];
    snprintf(dir, sizeof dir, "/tmp/eb-test-mc-%d", (int)getpid());
    mkdir(dir, 0755);
    snprintf(csv, sizeof csv, "%s/bars.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/cfg.json", dir);
    write_csv(csv);
    const char *json = "{\"walkforward\": {\"train_months\": 12}, \"costs\": {\"slippage_bps\": 10}}"; /* 6000 bars of 1h: about 8 months */
    char e[128];
    CHECK_EQ_INT(eb_write_file_atomic(cfg, json, strlen(json), 0644, e, sizeof e), 0);
    snprintf(out, sizeof out, "%s/wf", dir);
    const char *wf[] = {"walkforward", "--config", cfg, "--in", csv, "--out", out, "--quiet", NULL};
    CHECK_EQ_INT(call(cmd_walkforward, wf), 1);
    struct stat st;
    CHECK(stat(out, &st) != 0); /* windows longer than the data: nothing created */
    const char *badcost = "{\"costs\": {\"slippage_bps\": -1}}"; /* the strategy loader's range check */
    char cfg2[200];
    snprintf(cfg2, sizeof cfg2, "%s/cfg2.json", dir);
    CHECK_EQ_INT(eb_write_file_atomic(cfg2, badcost, strlen(badcost), 0644, e, sizeof e), 0);
    const char *wf2[] = {"walkforward", "--config", cfg2, "--in", csv, "--out", out, "--quiet", NULL};
    CHECK_EQ_INT(call(cmd_walkforward, wf2), 1);
    CHECK(stat(out, &st) != 0);
    const char *shard[] = {"walkforward", "--config", cfg, "--in", csv, "--out", out, "--shard", "3/2", NULL};
    CHECK_EQ_INT(call(cmd_walkforward, shard), 2);
    const char *empty[] = {"walkforward", "--config", cfg, "--in", csv, "--out", out, "--from", "2021-05-01",
                           "--to", "2021-02-01", NULL};
    CHECK_EQ_INT(call(cmd_walkforward, empty), 2);
    snprintf(model, sizeof model, "%s/none.ebm", dir);
    const char *mc[] = {"montecarlo", "--config", cfg, "--in", csv, "--model", model, "--out", out, NULL};
    CHECK_EQ_INT(call(cmd_montecarlo, mc), 1); /* no such model */
    const char *runs[] = {"montecarlo", "--config", cfg, "--in", csv, "--model", model, "--out", out, "--runs", "1", NULL};
    CHECK_EQ_INT(call(cmd_montecarlo, runs), 2);
    const char *alpha[] = {"montecarlo", "--config", cfg, "--in", csv, "--model", model, "--out", out, "--alpha", "1.5",
                           NULL};
    CHECK_EQ_INT(call(cmd_montecarlo, alpha), 2);
    const char *tr[] = {"train", "--config", cfg, "--in", csv, "--out", model, "--set", "999", NULL};
    CHECK_EQ_INT(call(cmd_train, tr), 1); /* the default grid has 432 sets */
    CHECK(stat(out, &st) != 0 && stat(model, &st) != 0);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

int main(void)
{
    RUN(pass_needs_both_rules);
    RUN(runs_are_seeded_and_follow_frequencies);
    RUN(window_outside_the_training_range);
    RUN(validated_needs_both_gates);
    RUN(commands_refuse_bad_input);
    free(bars);
    return eb_check_report();
}
