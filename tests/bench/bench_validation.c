/* Validation benchmarks (issue 6), each beside its goal:
 *   Monte Carlo: 1000 runs over a 3-month window of 1h bars            goal < 1 s
 *   walk-forward: the default grid (432 sets x 16 windows) on five years of 1h bars, 2 jobs, goal < 30 min
 * Five years of 1h bars are generated (seeded) unless EB_BENCH_BARS names a bar CSV. The walk-forward
 * figure is measured on shard 1/24 (18 sets spread over the grid) and scaled by 24 unless EB_BENCH_FULL=1,
 * which runs all 432 sets (about half an hour on a 2-core machine). */
#include "core/calendar.h"
#include "tests/support/synth_hourly.h"
#include "tests/support/check.h"
#include "tools/edgebox/validate/montecarlo.h"
#include "tools/edgebox/data/bars_load.h"
#include "tools/edgebox/validate/wf_run.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static eb_bar_t *five_years(size_t *n)
{
    const char *path = getenv("EB_BENCH_BARS");
    char err[512];
    eb_bar_t *bars = NULL;
    if (path) {
        if (eb_bars_load(path, INT64_MIN, INT64_MAX, &bars, n, err, sizeof err) != 0)
            fprintf(stderr, "%s\n", err);
        return bars;
    }
    *n = 43800;
    return eb_test_synth_hourly(*n, 3, 0.006);
}

/* A model trained on the 12 months before the window gives the signal frequencies (fixed 5%/5% when it
 * gives no signal, so the runs still trade). */
static void bench_montecarlo(const eb_bar_t *bars, size_t n)
{
    eb_wf_config_t c;
    eb_wf_config_default(&c);
    eb_train_costs_t costs;
    eb_wf_sim_params_t sim;
    eb_train_costs_default(&costs);
    eb_wf_sim_params_default(&sim);
    eb_feature_params_t fp = eb_feature_params_default();
    eb_dataset_t ds;
    eb_trained_t t;
    char err[512];
    int64_t end = bars[n - 1].open_time_ms + 3600000, start = eb_calendar_add_months(end, -3);
    size_t lo = 0;
    while (bars[lo].open_time_ms < start)
        lo++;
    eb_hparams_t hp = {.learning_rate = 0.1, .max_leaves = 31, .min_child_weight = 20, .rounds = 100,
                       .early_stopping = 20, .max_bin = 64, .seed = 1};
    CHECK_EQ_INT(eb_dataset_build(bars, n, &fp, &c, &costs, &ds, err, sizeof err), 0);
    CHECK_EQ_INT(eb_train_window(&ds, lo - 8760, lo, &c, &hp, &t, err, sizeof err), 0);
    int8_t *sig = malloc(n - lo);
    CHECK_EQ_INT(eb_train_signals(&ds, t.blob, t.blob_len, lo, n, sig, NULL, err, sizeof err), 0);
    size_t active = 0;
    for (size_t i = 0; i < n - lo; i++)
        active += sig[i] != 0;
    if (active == 0)
        for (size_t i = 0; i < n - lo; i++)
            sig[i] = (int8_t)(i % 20 == 0 ? 1 : i % 20 == 10 ? -1 : 0);
    eb_mc_params_t p;
    eb_mc_params_default(&p);
    eb_mc_result_t r;
    double t0 = now();
    CHECK_EQ_INT(eb_mc_run(&ds, sig, lo, n, &sim, &p, &r, err, sizeof err), 0);
    double dt = now() - t0;
    printf("montecarlo: 1000 runs over %zu bars (3 months of 1h), %zu model signals, mean %.1f trades/run: %.3f s"
           "   (goal < 1 s)\n", n - lo, active, r.run ? (double)r.run[0].trades : 0.0, dt);
    CHECK(dt < 1.0);
    eb_mc_result_free(&r);
    free(sig);
    eb_trained_free(&t);
    eb_dataset_free(&ds);
}

static void bench_walkforward(const eb_bar_t *bars, size_t n)
{
    int full = getenv("EB_BENCH_FULL") != NULL;
    static eb_wf_ctx_t x;
    eb_wf_config_t c;
    char err[512], dir[128];
    eb_wf_config_default(&c);
    snprintf(dir, sizeof dir, "/tmp/eb-bench-wf-%d", (int)getpid());
    eb_train_costs_default(&x.costs);
    eb_wf_sim_params_default(&x.sim);
    x.quiet = 1;
    CHECK_EQ_INT(eb_wf_prepare(&x, &c, bars, n, dir, err, sizeof err), 0);
    double t0 = now();
    CHECK_EQ_INT(eb_wf_run(&x, 1, full ? 1 : 24, 2, err, sizeof err), 0);
    double dt = now() - t0, total = full ? dt : dt * 24;
    printf("walkforward: default grid (%zu sets x %d windows, %zu bars of 1h), --jobs 2: %s%.0f s = %.1f min"
           "   (goal < 30 min)\n", eb_wf_set_count(&c), x.nwin, n, full ? "" : "shard 1/24 x 24 = ", total,
           total / 60);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    size_t n = 0;
    eb_bar_t *bars = five_years(&n);
    if (!bars || n < 30000) {
        CHECK_SKIP("no five years of bars");
        return eb_check_report();
    }
    eb_check_test = "montecarlo";
    bench_montecarlo(bars, n);
    eb_check_test = "walkforward";
    bench_walkforward(bars, n);
    free(bars);
    return eb_check_report();
}
