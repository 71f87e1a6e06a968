/* edgebox montecarlo: the Monte Carlo gate of SPEC section 10 (random-entry + permutation test). */
#include "core/calendar.h"
#include "core/model.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/validate/montecarlo.h"
#include "tools/edgebox/cli/options.h"
#include "tools/edgebox/data/bars_load.h"
#include "tools/edgebox/validate/model_meta.h"
#include "tools/edgebox/validate/wf_plan.h"
#include "common/errf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

EB_COMMAND(montecarlo, "Monte Carlo gate of a model (1000 seeded random-signal runs: >95% rule, t-test, model p-value)")

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox montecarlo --config C --in BARS.csv --model M.ebm --out DIR [--runs N] [--seed S]\n"
                 "                          [--from T0] [--to T1] [--alpha A]\n"
                 "  The window is [T0, T1) (UTC ms or YYYY-MM-DD), by default every bar after the model's training\n"
                 "  range (recorded in M.ebm.json by train, model.summary.json by walkforward); a window that\n"
                 "  overlaps the training range is refused. Defaults: 1000 runs, seed 42, alpha 0.05. Exit status 0\n"
                 "  when the test ran (pass or fail is in DIR/montecarlo.json), 1 on errors.\n");
}

typedef struct {
    const char *config, *in, *model, *out;
    eb_mc_params_t mc;
    int64_t from, to;
} opts_t;

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option lo[] = {{"config", 1, 0, 'c'}, {"in", 1, 0, 'i'},   {"model", 1, 0, 'm'},
                                       {"out", 1, 0, 'o'},    {"runs", 1, 0, 'r'},  {"seed", 1, 0, 's'},
                                       {"from", 1, 0, 'f'},   {"to", 1, 0, 't'},    {"alpha", 1, 0, 'a'},
                                       {"help", 0, 0, 'h'},  {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    eb_mc_params_default(&o->mc);
    o->from = INT64_MIN;
    o->to = INT64_MAX;
    optind = 1;
    int c;
    int64_t n;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'i': o->in = optarg; break;
        case 'm': o->model = optarg; break;
        case 'o': o->out = optarg; break;
        case 'r':
            if (eb_cli_int("montecarlo", "runs", optarg, 2, 10000000, "2..10000000", &n) != 0)
                return 2;
            o->mc.runs = (int)n;
            break;
        case 's':
            if (eb_cli_uint("montecarlo", "seed", optarg, 0, UINT64_MAX, "0..2^64-1", &o->mc.seed) != 0)
                return 2;
            break;
        case 'a':
            if (eb_cli_double("montecarlo", "alpha", optarg, 0, 1, 1, "a number in (0, 1)", &o->mc.alpha) != 0)
                return 2;
            break;
        case 'f':
        case 't':
            if (eb_cli_time_option("montecarlo", c, optarg, &o->from, &o->to) != 0)
                return 2;
            break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (!o->config || !o->in || !o->model || !o->out || optind < argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static size_t lower_bound(const eb_bar_t *b, size_t n, int64_t t)
{
    size_t i = 0;
    while (i < n && b[i].open_time_ms < t)
        i++;
    return i;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void iso(int64_t ms, char *out, size_t cap)
{
    eb_civil_t c = eb_calendar_from_ms(ms);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, (int)(c.ms_of_day / 3600000),
             (int)(c.ms_of_day / 60000 % 60));
}

/* The window: the options', or every bar after the training range; never one that overlaps it. */
static int window(const opts_t *o, const eb_model_meta_t *meta, const eb_bar_t *bars, size_t n, eb_mc_window_t *w,
                  char *err, size_t cap)
{
    int64_t data_end = bars[n - 1].open_time_ms + eb_wf_bar_interval(bars, n);
    *w = (eb_mc_window_t){.from_ms = o->from != INT64_MIN ? o->from : meta->train_end_ms,
                          .to_ms = o->to != INT64_MAX ? o->to : data_end, .train_start_ms = meta->train_start_ms,
                          .train_end_ms = meta->train_end_ms, .walkforward_pass = meta->walkforward_pass};
    char a[32], b[32], c[32], d[32];
    iso(w->from_ms, a, sizeof a);
    iso(w->to_ms, b, sizeof b);
    iso(meta->train_start_ms, c, sizeof c);
    iso(meta->train_end_ms, d, sizeof d);
    if (eb_model_meta_overlaps(meta, w->from_ms, w->to_ms))
        return eb_errf(err, cap, "the window [%s, %s) overlaps the model's training range [%s, %s) (from %s): "
                       "the gate must run on bars the model never saw; choose --from at or after %s (or hold "
                       "out data: walkforward --to)", a, b, c, d, meta->path, d);
    if (w->from_ms >= data_end)
        return eb_errf(err, cap, "no bars after the model's training range [%s, %s) (from %s): the data ends at "
                       "%s; hold out data for the gate (walkforward --to)", c, d, meta->path, b);
    return 0;
}

/* Everything after the inputs are loaded: features for the model's schema, its signals, the runs. */
static int run(const opts_t *o, const eb_wf_config_t *cfg, const eb_bar_t *bars, size_t n, const uint8_t *blob,
               size_t len, const eb_model_meta_t *meta, char *err, size_t cap)
{
    eb_model_t m;
    eb_feature_params_t fp;
    eb_model_open(&m, blob, len, NULL);
    if (eb_wf_params_for_hash(cfg, eb_model_schema_hash(&m), &fp) != 0)
        return eb_errf(err, cap, "%s: schema hash %016llx matches no indicator parameters of %s's grid", o->model,
                       (unsigned long long)eb_model_schema_hash(&m), o->config);
    eb_mc_window_t w;
    if (window(o, meta, bars, n, &w, err, cap) != 0)
        return -1;
    size_t lo = lower_bound(bars, n, w.from_ms), hi = lower_bound(bars, n, w.to_ms);
    if (hi <= lo + 1)
        return eb_errf(err, cap, "the window [%lld, %lld) holds %zu bars; need at least 2", (long long)w.from_ms,
                       (long long)w.to_ms, hi > lo ? hi - lo : 0);
    eb_train_costs_t costs;
    eb_wf_sim_params_t sim;
    eb_dataset_t ds;
    if (eb_wf_costs_load(o->config, &costs, &sim, err, cap) != 0 || eb_dataset_build(bars, n, &fp, cfg, &costs, &ds, err, cap) != 0)
        return -1;
    int8_t *sig = malloc(hi - lo);
    eb_mc_result_t r = {0};
    int rc = !sig || eb_train_signals(&ds, blob, len, lo, hi, sig, NULL, err, cap);
    double t0 = seconds();
    if (!rc)
        rc = eb_mc_run(&ds, sig, lo, hi, &sim, &o->mc, &r, err, cap);
    double t1 = seconds();
    w.from_ms = bars[lo].open_time_ms;
    if (!rc)
        rc = eb_mc_write(o->out, &o->mc, &r, &w, err, cap);
    if (!rc)
        printf("%s\n%d runs over %zu bars in %.3f s; results in %s/montecarlo.json\n", r.reason, o->mc.runs, hi - lo,
               t1 - t0, o->out);
    eb_mc_result_free(&r);
    free(sig);
    eb_dataset_free(&ds);
    return rc ? -1 : 0;
}

int cmd_montecarlo(int argc, char **argv)
{
    opts_t o;
    int prc = parse(argc, argv, &o);
    if (prc)
        return prc == 1 ? 0 : 2;
    eb_wf_config_t cfg;
    eb_bar_t *bars = NULL;
    uint8_t *blob = NULL;
    size_t n = 0, len = 0;
    char err[1024];
    eb_model_meta_t meta;
    int rc = eb_wf_config_load(o.config, &cfg, err, sizeof err) ||
             eb_train_read_model(o.model, &blob, &len, err, sizeof err) ||
             eb_model_meta_read(o.model, &meta, err, sizeof err) ||
             eb_bars_load(o.in, INT64_MIN, INT64_MAX, &bars, &n, err, sizeof err) ||
             run(&o, &cfg, bars, n, blob, len, &meta, err, sizeof err);
    if (rc)
        fprintf(stderr, "edgebox montecarlo: %s\n", err);
    free(bars);
    free(blob);
    return rc ? 1 : 0;
}
