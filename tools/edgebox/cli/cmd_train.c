/* edgebox train: one model on one period (SPEC section 10): features from the box's engine, labels,
 * purge/embargo, XGBoost multi:softprob, early stopping, Platt calibration and thresholds each on its own
 * tune slice, a compiled blob with the features' schema hash; optionally signed with the training summary
 * and SHAP top 10. */
#include "app/feature_config.h"
#include "common/errf.h"
#include "common/file_read.h"
#include "common/file_write.h"
#include "common/json_strict.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/cli/options.h"
#include "tools/edgebox/data/bars_load.h"
#include "tools/edgebox/validate/shap.h"
#include "tools/edgebox/validate/wf_oos.h"
#include "tools/edgebox/validate/wf_plan.h"
#include "tools/edgebox/validate/wf_run.h"
#include "tools/edgebox/validate/wf_sign.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EB_COMMAND(train, "train one model (XGBoost, calibrated thresholds) into a compiled blob; optionally sign it")

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edgebox train --config C --in BARS.csv --out M.ebm [--from T0] [--to T1] [--set K]\n"
            "                     [--key KEY --release N [--model-id ID]]\n"
            "  Trains on the bars in [T0, T1) (UTC ms or YYYY-MM-DD): the last walkforward.split.tune_fraction\n"
            "  of them, in three slices, tune early stopping, Platt calibration and thresholds (tune_ev_*_in_sample\n"
            "  is the thresholds' own in-sample figure). Indicator periods come from the\n"
            "  config's \"features\" section, hyperparameters are eta 0.1, 31 leaves, min child weight 20, up to\n"
            "  200 rounds -- or both from walk-forward parameter set K (results.json \"selected\".set).\n"
            "  Writes M.ebm, M.ebm.json (summary, SHAP top 10) and, with --key, M.ebm.signed.\n");
}

typedef struct {
    const char *config, *in, *out, *key, *model_id;
    int64_t from, to;
    long set;
    uint64_t release;
} opts_t;

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option lo[] = {{"config", 1, 0, 'c'}, {"in", 1, 0, 'i'},      {"out", 1, 0, 'o'},
                                       {"from", 1, 0, 'f'},   {"to", 1, 0, 't'},      {"set", 1, 0, 's'},
                                       {"key", 1, 0, 'k'},    {"release", 1, 0, 'r'}, {"model-id", 1, 0, 'd'},
                                       {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
    *o = (opts_t){.from = INT64_MIN, .to = INT64_MAX, .set = -1, .model_id = "edgebox"};
    optind = 1;
    int c;
    int64_t n;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'i': o->in = optarg; break;
        case 'o': o->out = optarg; break;
        case 'k': o->key = optarg; break;
        case 'd': o->model_id = optarg; break;
        case 's':
            if (eb_cli_int("train", "set", optarg, 0, INT32_MAX, "a set index >= 0", &n) != 0)
                return 2;
            o->set = (long)n;
            break;
        case 'r':
            if (eb_cli_uint("train", "release", optarg, 1, UINT64_MAX, "1..2^64-1", &o->release) != 0)
                return 2;
            break;
        case 'f':
        case 't':
            if (eb_cli_time_option("train", c, optarg, &o->from, &o->to) != 0)
                return 2;
            break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    /* signing options without --key were silently ignored: the user believed the model signed */
    int unsigned_opts = !o->key && o->release;
    if (!o->config || !o->in || !o->out || optind < argc || (o->key && !o->release) || unsigned_opts) {
        if (o->key && !o->release)
            fprintf(stderr, "edgebox train: --key needs --release N\n");
        if (unsigned_opts)
            fprintf(stderr, "edgebox train: --release signs the model and needs --key KEY\n");
        usage(stderr);
        return 2;
    }
    if (strlen(o->model_id) > 31) { /* the manifest's field (app/model_verify.h): refused, not cut */
        fprintf(stderr, "edgebox train: --model-id '%s': longer than 31 characters\n", o->model_id);
        return 2;
    }
    if (o->from >= o->to) {
        fprintf(stderr, "edgebox train: --from must be before --to\n");
        return 2;
    }
    return 0;
}

/* Indicator periods and hyperparameters: the config's "features" section, or walk-forward set K. */
static int choose(const opts_t *o, const eb_wf_config_t *cfg, eb_feature_params_t *fp, eb_hparams_t *hp, char *err,
                  size_t cap)
{
    if (o->set >= 0) {
        if ((size_t)o->set >= eb_wf_set_count(cfg)) {
            return eb_errf(err, cap, "--set %ld: the config has %zu parameter sets "
                           "(0..%zu)", o->set, eb_wf_set_count(cfg),
                           eb_wf_set_count(cfg) - 1);
        }
        eb_wf_set_t s;
        eb_wf_set_get(cfg, (size_t)o->set, &s);
        *fp = s.fp;
        *hp = eb_wf_hparams(cfg, &s);
        return 0;
    }
    *hp = (eb_hparams_t){.learning_rate = 0.1, .max_leaves = 31, .min_child_weight = 20, .rounds = 200,
                         .early_stopping = cfg->early_stopping, .max_bin = cfg->max_bin, .seed = cfg->seed};
    size_t len = 0;
    char *text = eb_file_read_all(o->config, 0, 0, &len, err, cap);
    cJSON *doc = text ? eb_json_strict_parse(text, len, o->config, err, cap) : NULL;
    free(text);
    if (!doc)
        return -1;
    int rc = eb_feature_config_read(cJSON_GetObjectItemCaseSensitive(doc, "features"), fp, err, cap);
    cJSON_Delete(doc);
    return rc;
}

static int write_outputs(const opts_t *o, const eb_dataset_t *ds, const eb_trained_t *t, char *err, size_t cap)
{
    eb_shap_rank_t shap[EB_FEATURE_COUNT];
    if (eb_shap_rank(t->booster, ds, t->fit_lo, t->fit_hi, shap, err, cap) < 0 ||
        eb_write_file_atomic(o->out, t->blob, t->blob_len, 0644, err, cap) != 0)
        return -1;
    const char *names[] = {"tune_logloss", "threshold_buy", "threshold_sell", "tune_ev_buy_in_sample",
                           "tune_ev_sell_in_sample", "rounds"};
    double values[] = {t->tune_logloss, t->threshold_buy, t->threshold_sell, t->tune_ev_buy, t->tune_ev_sell,
                       t->rounds_used};
    eb_training_summary_t sum;
    int64_t end = ds->bars[ds->n - 1].open_time_ms + eb_wf_bar_interval(ds->bars, ds->n);
    eb_wf_summary_fill(&sum, ds->bars[0].open_time_ms, end, t->rows_fit, t->rows_tune, names, values, 6, shap);
    char path[4096], *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    fprintf(f, "{\"schema_hash\": \"%016" PRIx64 "\", \"window_start\": %" PRId64 ", \"window_end\": %" PRId64
            ", \"train_start_ms\": %" PRId64 ", \"train_end_ms\": %" PRId64 ", \"walkforward_pass\": false, "
            "\"rows_fit\": %zu, \"rows_tune\": %zu, \"metrics\": {", ds->schema_hash, sum.window_start,
            sum.window_end, ds->bars[0].open_time_ms, end, t->rows_fit, t->rows_tune);
    for (int i = 0; i < 6; i++)
        fprintf(f, "%s\"%s\": %.17g", i ? ", " : "", names[i], values[i]);
    fprintf(f, "}, \"importances\": [");
    for (int i = 0; i < 10; i++)
        fprintf(f, "%s[\"%s\", %.17g]", i ? ", " : "", eb_feature_names[shap[i].feature], shap[i].mean_abs);
    fprintf(f, "]}\n");
    fclose(f);
    snprintf(path, sizeof path, "%s.json", o->out);
    int rc = eb_write_file_atomic(path, json, len, 0644, err, cap);
    free(json);
    snprintf(path, sizeof path, "%s.signed", o->out);
    if (!rc && o->key)
        rc = eb_wf_sign(t->blob, t->blob_len, ds->schema_hash, &sum, o->key, o->release, o->model_id, path, err, cap);
    if (!rc)
        printf("model %s: schema %016" PRIx64 ", %zu fit + %zu tune rows, %d rounds, thresholds buy %.2f sell %.2f%s%s\n",
               o->out, ds->schema_hash, t->rows_fit, t->rows_tune, t->rounds_used, t->threshold_buy,
               t->threshold_sell, o->key ? ", signed: " : "", o->key ? path : "");
    return rc;
}

int cmd_train(int argc, char **argv)
{
    opts_t o;
    int prc = parse(argc, argv, &o);
    if (prc)
        return prc == 1 ? 0 : 2;
    eb_wf_config_t cfg;
    eb_feature_params_t fp;
    eb_hparams_t hp;
    eb_train_costs_t costs;
    eb_bar_t *bars = NULL;
    size_t n = 0;
    char err[1024];
    eb_dataset_t ds = {0};
    eb_trained_t t = {0};
    eb_train_costs_default(&costs);
    eb_wf_sim_params_t sim;
    int rc = eb_wf_config_load(o.config, &cfg, err, sizeof err) ||
             eb_wf_costs_load(o.config, &costs, &sim, err, sizeof err) || choose(&o, &cfg, &fp, &hp, err, sizeof err) ||
             eb_bars_load(o.in, o.from, o.to, &bars, &n, err, sizeof err) ||
             eb_dataset_build(bars, n, &fp, &cfg, &costs, &ds, err, sizeof err) ||
             eb_train_window(&ds, 0, n, &cfg, &hp, &t, err, sizeof err) || write_outputs(&o, &ds, &t, err, sizeof err);
    if (rc)
        fprintf(stderr, "edgebox train: %s\n", err);
    eb_trained_free(&t);
    if (ds.x)
        eb_dataset_free(&ds);
    free(bars);
    return rc ? 1 : 0;
}
