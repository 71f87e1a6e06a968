/* edgebox walkforward: walk-forward validation over the indicator grid and a seeded hyperparameter search,
 * checkpointed after every window, shardable across processes and machines (docs/validation.md). */
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/cli/options.h"
#include "tools/edgebox/data/bars_load.h"
#include "tools/edgebox/validate/wf_merge.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EB_COMMAND(walkforward, "walk-forward validation: grid x hyperparameter search, checkpoints, shards, merge")

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edgebox walkforward --config C --in BARS.csv --out DIR [--jobs N] [--shard i/N]\n"
            "                           [--from T0] [--to T1] [--key KEY --release N] [--quiet]\n"
            "       edgebox walkforward --merge --config C --in BARS.csv --out DIR [SHARD_DIR ...]\n"
            "  Runs (or resumes: same command, same DIR) every parameter set of the config's \"walkforward\"\n"
            "  section; --shard i/N runs only sets with index %% N == i-1 (then --merge, after all shards, selects\n"
            "  the set with the highest lower confidence bound and writes results.json, report.html, model.ebm,\n"
            "  model.summary.json; \"robust\" only when that bound is > 0).\n"
            "  T0/T1: UTC milliseconds or YYYY-MM-DD. --jobs: worker processes (default 1). --key: also sign\n"
            "  model.ebm into DIR/model.signed (manifest: window, out-of-sample metrics, SHAP top 10).\n");
}

typedef struct {
    const char *config, *in, *out, *key;
    uint64_t release;
    int64_t from, to;
    int jobs, shard_i, shard_n, merge, quiet;
} opts_t;

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option lo[] = {{"config", 1, 0, 'c'}, {"in", 1, 0, 'i'},   {"out", 1, 0, 'o'},
                                       {"jobs", 1, 0, 'j'},   {"shard", 1, 0, 's'}, {"merge", 0, 0, 'm'},
                                       {"from", 1, 0, 'f'},   {"to", 1, 0, 't'},    {"quiet", 0, 0, 'q'},
                                       {"key", 1, 0, 'k'},    {"release", 1, 0, 'r'}, {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
    *o = (opts_t){.from = INT64_MIN, .to = INT64_MAX, .jobs = 1, .shard_i = 1, .shard_n = 1};
    int c;
    int64_t n;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'i': o->in = optarg; break;
        case 'o': o->out = optarg; break;
        case 'm': o->merge = 1; break;
        case 'q': o->quiet = 1; break;
        case 'k': o->key = optarg; break;
        case 'r':
            if (eb_cli_uint("walkforward", "release", optarg, 1, UINT64_MAX, "1..2^64-1", &o->release) != 0)
                return 2;
            break;
        case 'j':
            if (eb_cli_int("walkforward", "jobs", optarg, 1, 256, "1..256", &n) != 0)
                return 2;
            o->jobs = (int)n;
            break;
        case 's':
            if (eb_wf_shard_parse(optarg, &o->shard_i, &o->shard_n) != 0) {
                fprintf(stderr, "edgebox walkforward: --shard: '%s' is not allowed (allowed: i/N, 1 <= i <= N)\n",
                        optarg);
                return 2;
            }
            break;
        case 'f':
        case 't':
            if (eb_cli_time_option("walkforward", c, optarg, &o->from, &o->to) != 0)
                return 2;
            break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (!o->config || !o->in || !o->out || (!o->merge && optind < argc) || (o->key && !o->release)) {
        usage(stderr);
        return 2;
    }
    if (o->from >= o->to) {
        fprintf(stderr, "edgebox walkforward: --from must be before --to\n");
        return 2;
    }
    return 0;
}

int cmd_walkforward(int argc, char **argv)
{
    opts_t o;
    int prc = parse(argc, argv, &o);
    if (prc)
        return prc == 1 ? 0 : 2;
    static eb_wf_ctx_t x;
    eb_wf_config_t cfg;
    eb_bar_t *bars = NULL;
    size_t n = 0;
    char err[1024];
    memset(&x, 0, sizeof x);
    eb_train_costs_default(&x.costs);
    eb_wf_sim_params_default(&x.sim);
    x.quiet = o.quiet;
    x.sign_key = o.key;
    x.release = o.release;
    int rc = eb_wf_config_load(o.config, &cfg, err, sizeof err) ||
             eb_wf_costs_load(o.config, &x.costs, &x.sim, err, sizeof err) || eb_bars_load(o.in, o.from, o.to, &bars, &n, err, sizeof err) ||
             eb_wf_prepare(&x, &cfg, bars, n, o.out, err, sizeof err);
    if (!rc && !o.merge)
        rc = eb_wf_run(&x, o.shard_i, o.shard_n, o.jobs, err, sizeof err);
    if (!rc && (o.merge || o.shard_n == 1))
        rc = eb_wf_merge(&x, argv + optind, argc - optind, err, sizeof err);
    if (rc)
        fprintf(stderr, "edgebox walkforward: %s\n", err);
    else if (!o.quiet)
        fprintf(stderr, "<6>walkforward: %s in %s\n", o.merge || o.shard_n == 1 ? "results" : "shard checkpoints", o.out);
    free(bars);
    return rc ? 1 : 0;
}
