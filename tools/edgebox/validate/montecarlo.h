/* Monte Carlo gate (SPEC section 10, seed 001, and issue 13 item 4): keep the exits and risk, replace the
 * model's signal by random signals drawn bar by bar with the model's class frequencies (buy, sell, none),
 * run `runs` seeded simulations over the same window and measure each run's expectancy (R), win rate,
 * profit factor and maximum drawdown. Two questions, both must say yes:
 *   random-entry test (the seed's): more than 95% of runs have a positive expectancy AND a one-sample
 *     t-test of the runs' expectancies against 0 gives a one-sided p < alpha -- the exits and risk have an
 *     edge under random entries (this alone measures the window's drift times the class frequencies);
 *   permutation test (the model's): the model's own expectancy in the same window beats the runs: p-value
 *     (1 + #runs with expectancy >= the model's) / (1 + runs) < alpha -- the model's timing is better than
 *     random timing with the same frequencies.
 * Degenerate frequencies are refused (fail): when one class has frequency 1 (always buy, always sell, never
 * a signal) every run repeats the model and nothing is tested; likewise when all runs came out identical. */
#ifndef EB_TOOLS_MONTECARLO_H
#define EB_TOOLS_MONTECARLO_H

#include "core/stats.h"
#include "tools/edgebox/validate/wf_oos.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int runs;             /* 1000 */
    uint64_t seed;
    double pass_fraction; /* 0.95: strictly more than this share of runs must be positive */
    double alpha;         /* 0.05: the t-test's and the permutation test's significance level */
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
    int random_pass;             /* the random-entry test alone (the seed's rule) */
    double model_percentile;     /* share of runs whose expectancy is below the model's, 0..1 */
    double model_p;              /* (1 + #runs with expectancy >= the model's) / (1 + runs) */
    int model_beats;             /* model_p < alpha */
    int degenerate;              /* refused: a class frequency of 1 or all runs identical */
    int pass;                    /* random_pass && model_beats && !degenerate */
    char reason[256];
} eb_mc_result_t;

void eb_mc_params_default(eb_mc_params_t *p);
/* sig: the model's signals over bars [lo, hi) of ds. Returns 0 or -1 (out of memory / bad params). */
int eb_mc_run(const eb_dataset_t *ds, const int8_t *sig, size_t lo, size_t hi, const eb_wf_sim_params_t *sim,
              const eb_mc_params_t *p, eb_mc_result_t *out, char *err, size_t errcap);
void eb_mc_result_free(eb_mc_result_t *r);
/* Decides pass/fail from per-run expectancies, the class frequencies and the baseline (also used on its
 * own by tests). */
void eb_mc_decide(eb_mc_result_t *r, const eb_mc_params_t *p);

/* What the gate knows about the model besides its signals: the window [from_ms, to_ms), the model's
 * training range (recorded by the tool that wrote it) and whether a walk-forward passed for it. */
typedef struct {
    int64_t from_ms, to_ms;
    int64_t train_start_ms, train_end_ms;
    int walkforward_pass;
} eb_mc_window_t;

/* Writes DIR/montecarlo.json (parameters, window and training range, frequencies, the model's result,
 * every run, the verdict, and the lifecycle decision for the model as a candidate: core/lifecycle.h with
 * validated = walk-forward pass AND Monte Carlo pass, on the window's own trades) and DIR/montecarlo.html
 * (histogram of run expectancies, self-contained SVG). */
int eb_mc_write(const char *dir, const eb_mc_params_t *p, const eb_mc_result_t *r, const eb_mc_window_t *w,
                char *err, size_t errcap);

#endif
