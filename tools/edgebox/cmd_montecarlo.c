/* edgebox montecarlo: the random-signal test of SPEC section 10 on a model's validation window. */
#include "core/calendar.h"
#include "core/model.h"
#include "tools/edgebox/commands.h"
#include "tools/edgebox/montecarlo.h"
#include "tools/edgebox/wf_io.h"
#include "tools/edgebox/wf_plan.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

EB_COMMAND(montecarlo, "Monte Carlo random-signal test of a model (1000 seeded runs, >95% rule, t-test)")

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox montecarlo --config C --in BARS.csv --model M.ebm --out DIR [--runs N] [--seed S]\n"
                 "                          [--from T0] [--to T1]\n"
                 "  The window is [T0, T1) (UTC ms or YYYY-MM-DD), by default the last validation period\n"
                 "  (walkforward.valid_months) of the data. Defaults: 1000 runs, seed 42. Exit status 0 when the\n"
                 "  test ran (pass or fail is in DIR/montecarlo.json), 1 on errors.\n");
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
                                       {"from", 1, 0, 'f'},   {"to", 1, 0, 't'},    {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    eb_mc_params_default(&o->mc);
    o->from = INT64_MIN;
    o->to = INT64_MAX;
    optind = 1;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        errno = 0;
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'i': o->in = optarg; break;
        case 'm': o->model = optarg; break;
        case 'o': o->out = optarg; break;
        case 'r': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 2 || v > 10000000) {
                fprintf(stderr, "edgebox montecarlo: --runs: '%s' is not allowed (allowed: 2..10000000)\n", optarg);
                return 2;
            }
            o->mc.runs = (int)v;
            break;
        }
        case 's':
            o->mc.seed = strtoull(optarg, &end, 10);
            if (*end || errno || *optarg == '-' || !*optarg) {
                fprintf(stderr, "edgebox montecarlo: --seed: '%s' is not allowed (allowed: 0..2^64-1)\n", optarg);
                return 2;
            }
            break;
        case 'f':
        case 't':
            if (eb_wf_time_option("montecarlo", c, optarg, &o->from, &o->to) != 0)
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

/* Everything after the inputs are loaded: features for the model's schema, its signals, the runs. */
static int run(const opts_t *o, const eb_wf_config_t *cfg, const eb_bar_t *bars, size_t n, const uint8_t *blob,
               size_t len, char *err, size_t cap)
{
    eb_model_t m;
    eb_feature_params_t fp;
    eb_model_open(&m, blob, len, NULL);
    if (eb_wf_params_for_hash(cfg, eb_model_schema_hash(&m), &fp) != 0) {
        snprintf(err, cap, "%s: schema hash %016llx matches no indicator parameters of %s's grid", o->model,
                 (unsigned long long)eb_model_schema_hash(&m), o->config);
        return -1;
    }
    int64_t end = o->to != INT64_MAX ? o->to : bars[n - 1].open_time_ms + eb_wf_bar_interval(bars, n);
    int64_t start = o->from != INT64_MIN ? o->from : eb_calendar_add_months(end, -cfg->valid_months);
    size_t lo = lower_bound(bars, n, start), hi = lower_bound(bars, n, end);
    if (hi <= lo + 1) {
        snprintf(err, cap, "the window [%lld, %lld) holds %zu bars; need at least 2", (long long)start, (long long)end,
                 hi > lo ? hi - lo : 0);
        return -1;
    }
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
    if (!rc)
        rc = eb_mc_write(o->out, &o->mc, &r, bars[lo].open_time_ms, end, err, cap);
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
    int rc = eb_wf_config_load(o.config, &cfg, err, sizeof err) ||
             eb_train_read_model(o.model, &blob, &len, err, sizeof err) ||
             eb_wf_load_bars(o.in, INT64_MIN, INT64_MAX, &bars, &n, err, sizeof err) ||
             run(&o, &cfg, bars, n, blob, len, err, sizeof err);
    if (rc)
        fprintf(stderr, "edgebox montecarlo: %s\n", err);
    free(bars);
    free(blob);
    return rc ? 1 : 0;
}
