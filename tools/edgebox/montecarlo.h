/* Monte Carlo random-signal test (SPEC section 10, seed 001): keep the exits and risk, replace the model's
 * signal by random signals drawn bar by bar with the backtest's class frequencies (buy, sell, none), run
 * `runs` seeded simulations over the same window and measure each run's expectancy (R), win rate, profit
 * factor and maximum drawdown. Pass only if more than 95% of runs have a positive expectancy AND a
 * one-sample t-test of the runs' expectancies against 0 gives a one-sided p-value < 0.05. */
#ifndef EB_TOOLS_MONTECARLO_H
#define EB_TOOLS_MONTECARLO_H

#include "core/stats.h"
#include "tools/edgebox/wf_oos.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int runs;             /* 1000 */
    uint64_t seed;
    double pass_fraction; /* 0.95: strictly more than this share of runs must be positive */
    double alpha;         /* 0.05 */
} eb_mc_params_t;

typedef struct {
    double p_buy, p_sell;        /* class frequencies of the model's signals in the window */
    size_t bars;
    eb_wf_summary_t baseline;    /* the model's own backtest of the window */
    eb_wf_trades_t baseline_trades;
    eb_wf_summary_t *run;        /* [runs] */
    double positive_fraction;
    double mean_expectancy;
    eb_ttest_t ttest;
    int ttest_ok;                /* 0 when the t-test is undefined (fewer than 2 runs) */
    int pass;
    char reason[160];
} eb_mc_result_t;

void eb_mc_params_default(eb_mc_params_t *p);
/* sig: the model's signals over bars [lo, hi) of ds. Returns 0 or -1 (out of memory / bad params). */
int eb_mc_run(const eb_dataset_t *ds, const int8_t *sig, size_t lo, size_t hi, const eb_wf_sim_params_t *sim,
              const eb_mc_params_t *p, eb_mc_result_t *out, char *err, size_t errcap);
void eb_mc_result_free(eb_mc_result_t *r);
/* Decides pass/fail from per-run expectancies (also used on its own by tests). */
void eb_mc_decide(eb_mc_result_t *r, const eb_mc_params_t *p);

/* Writes DIR/montecarlo.json (parameters, frequencies, baseline, every run, the verdict, and the lifecycle
 * decision for the model as a candidate: core/lifecycle.h with validated = the verdict and the window's
 * own trades) and
 * DIR/montecarlo.html (histogram of run expectancies, self-contained SVG). `window` describes the period. */
int eb_mc_write(const char *dir, const eb_mc_params_t *p, const eb_mc_result_t *r, int64_t from_ms, int64_t to_ms,
                char *err, size_t errcap);

#endif
