/* Feature importance (SPEC section 10): SHAP values from XGBoost's own contribution prediction
 * (XGBoosterPredictFromDMatrix with type 2, TreeSHAP), averaged as mean |SHAP| per feature over rows and
 * classes; the top 10 go into the walk-forward report and the blob manifest. */
#ifndef EB_TOOLS_SHAP_H
#define EB_TOOLS_SHAP_H

#include "core/features.h"
#include "tools/edgebox/validate/train.h"

#include <stddef.h>

typedef struct {
    int feature;       /* index into eb_feature_names */
    double mean_abs;   /* mean |SHAP| over rows and classes (margin units) */
} eb_shap_rank_t;

/* Mean |SHAP| of every feature over the ready rows [lo, hi) of ds, ranked descending (ties by index).
 * Returns the number of rows used, or -1 with err. */
int eb_shap_rank(void *booster, const eb_dataset_t *ds, size_t lo, size_t hi, eb_shap_rank_t out[EB_FEATURE_COUNT],
                 char *err, size_t errcap);

#endif
