#include "tools/edgebox/validate/shap.h"

#include "common/errf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

static int by_importance(const void *a, const void *b)
{
    const eb_shap_rank_t *x = a, *y = b;
    if (x->mean_abs != y->mean_abs)
        return x->mean_abs > y->mean_abs ? -1 : 1;
    return x->feature - y->feature;
}

int eb_shap_rank(void *booster, const eb_dataset_t *ds, size_t lo, size_t hi, eb_shap_rank_t out[EB_FEATURE_COUNT],
                 char *err, size_t cap)
{
    size_t k = 0;
    float *x = malloc((hi - lo + 1) * EB_FEATURE_COUNT * sizeof *x);
    if (!x) {
        return eb_errf(err, cap, "shap: out of memory");
    }
    for (size_t t = lo; t < hi; t++)
        if (ds->ready[t])
            memcpy(x + EB_FEATURE_COUNT * k++, ds->x + t * EB_FEATURE_COUNT, EB_FEATURE_COUNT * sizeof *x);
    DMatrixHandle d = NULL;
    const bst_ulong *shape;
    bst_ulong dim;
    const float *v;
    int rc = k == 0 || XGDMatrixCreateFromMat(x, (bst_ulong)k, EB_FEATURE_COUNT, NAN, &d) != 0 ||
             XGBoosterPredictFromDMatrix(booster, d, "{\"type\": 2, \"training\": false, \"iteration_begin\": 0, "
                                         "\"iteration_end\": 0, \"strict_shape\": true}", &shape, &dim, &v) != 0;
    /* strict shape for multiclass contributions: rows x groups x (features + bias) */
    if (!rc && (dim != 3 || shape[0] != k || shape[2] != EB_FEATURE_COUNT + 1))
        rc = 1;
    if (rc) {
        eb_errf(err, cap, "shap: %s", k == 0 ? "no ready rows" : XGBGetLastError());
    } else {
        size_t groups = (size_t)shape[1], stride = EB_FEATURE_COUNT + 1;
        for (int f = 0; f < EB_FEATURE_COUNT; f++) {
            double s = 0;
            for (size_t r = 0; r < k * groups; r++)
                s += fabs(v[r * stride + (size_t)f]);
            out[f].feature = f;
            out[f].mean_abs = s / (double)(k * groups);
        }
        qsort(out, EB_FEATURE_COUNT, sizeof *out, by_importance);
    }
    if (d)
        XGDMatrixFree(d);
    free(x);
    return rc ? -1 : (int)k;
}
