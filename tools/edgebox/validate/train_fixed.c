/* Exactly `rounds` boosting rounds (the walk-forward trainer keeps only the best prefix on its tune slice,
 * which would make the model's size depend on the data): XGBoost's C API on the dataset the trainer builds
 * (the box's feature engine, triple-barrier labels), compiled with the feature schema hash. */
#include "tools/edgebox/validate/train_fixed.h"

#include "common/errf.h"
#include "core/labels.h"
#include "tools/edgebox/model/model_compile.h"
#include "tools/edgebox/validate/train.h"
#include "tools/edgebox/validate/wf_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <xgboost/c_api.h>

static int xgb_fail(char *err, size_t cap)
{
    return eb_errf(err, cap, "xgboost: %s", XGBGetLastError());
}

/* Rows with ready features and a defined label, label + 1 as the class (sell 0, neutral 1, buy 2). */
static size_t usable_rows(const eb_dataset_t *ds, float *x, float *y)
{
    size_t m = 0;
    for (size_t t = 0; t < ds->n; t++) {
        if (!ds->ready[t] || ds->label[t] == EB_LABEL_NONE)
            continue;
        for (int j = 0; j < EB_FEATURE_COUNT; j++)
            x[m * EB_FEATURE_COUNT + (size_t)j] = ds->x[t * EB_FEATURE_COUNT + (size_t)j];
        y[m++] = (float)(ds->label[t] + 1);
    }
    return m;
}

static int boost(const float *x, const float *y, size_t m, int rounds, int depth, BoosterHandle *bst, char *err,
                 size_t cap)
{
    DMatrixHandle d;
    char dep[16];
    snprintf(dep, sizeof dep, "%d", depth);
    if (XGDMatrixCreateFromMat(x, (bst_ulong)m, EB_FEATURE_COUNT, NAN, &d) != 0 ||
        XGDMatrixSetFloatInfo(d, "label", y, (bst_ulong)m) != 0 || XGBoosterCreate(&d, 1, bst) != 0)
        return xgb_fail(err, cap);
    const char *kv[][2] = {{"objective", "multi:softprob"}, {"num_class", "3"}, {"tree_method", "hist"},
                           {"max_depth", dep}, {"eta", "0.1"}, {"seed", "1"}, {"nthread", "2"}};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof kv / sizeof kv[0]; i++)
        rc = XGBoosterSetParam(*bst, kv[i][0], kv[i][1]);
    for (int i = 0; rc == 0 && i < rounds; i++)
        rc = XGBoosterUpdateOneIter(*bst, i, d);
    XGDMatrixFree(d);
    return rc == 0 ? 0 : xgb_fail(err, cap);
}

static int compile(BoosterHandle bst, uint64_t hash, uint8_t **blob, size_t *len, char *err, size_t cap)
{
    bst_ulong jlen;
    const char *json;
    if (XGBoosterSaveModelToBuffer(bst, "{\"format\": \"json\"}", &jlen, &json) != 0)
        return xgb_fail(err, cap);
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    o.schema_hash = hash;
    return eb_compile_xgboost_json(json, (size_t)jlen, &o, blob, len, err, cap);
}

int eb_train_fixed_model(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, int rounds, int depth,
                            uint8_t **blob, size_t *len, char *err, size_t cap)
{
    eb_wf_config_t wc;
    eb_wf_config_default(&wc);
    eb_train_costs_t costs;
    eb_train_costs_default(&costs);
    eb_dataset_t ds;
    if (eb_dataset_build(bars, n, fp, &wc, &costs, &ds, err, cap) != 0)
        return -1;
    float *x = malloc(n * EB_FEATURE_COUNT * sizeof *x), *y = malloc(n * sizeof *y);
    BoosterHandle bst = NULL;
    int rc = -1;
    size_t m = x && y ? usable_rows(&ds, x, y) : 0;
    if (m < 100)
        eb_errf(err, cap, "training: %zu usable rows (need >= 100)", m);
    else if (boost(x, y, m, rounds, depth, &bst, err, cap) == 0)
        rc = compile(bst, ds.schema_hash, blob, len, err, cap);
    if (bst)
        XGBoosterFree(bst);
    free(x);
    free(y);
    eb_dataset_free(&ds);
    return rc;
}
