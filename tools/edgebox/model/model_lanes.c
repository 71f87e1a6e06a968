#include "tools/edgebox/model/model_lanes.h"

#include "core/features.h"

#include <stdlib.h>

void *eb_tool_model_lanes(eb_model_t *m)
{
    size_t nl = eb_model_lanes_size(m), nr = eb_model_rows_size(m);
    char *mem = nl + nr ? malloc(nl + nr) : NULL;
    if (!mem)
        return NULL;
    int lanes = nl && eb_model_attach_lanes(m, mem, nl) == 0, rows = nr && eb_model_attach_rows(m, mem + nl, nr) == 0;
    if (!lanes && !rows) {
        free(mem);
        return NULL;
    }
    return mem;
}

int eb_tool_predict_rows(const eb_model_t *m, const float *x, const size_t *idx, size_t n, double *probs)
{
    enum { BATCH = 64 };
    double rows[BATCH * EB_FEATURE_COUNT];
    if (eb_model_num_features(m) != EB_FEATURE_COUNT || eb_model_num_outputs(m) != 3)
        return -1;
    for (size_t i = 0; i < n; i += BATCH) {
        size_t k = n - i < BATCH ? n - i : BATCH;
        for (size_t r = 0; r < k; r++)
            for (size_t j = 0; j < EB_FEATURE_COUNT; j++)
                rows[r * EB_FEATURE_COUNT + j] = x[idx[i + r] * EB_FEATURE_COUNT + j];
        eb_model_predict_rows(m, rows, EB_FEATURE_COUNT, k, probs + 3 * i);
        for (size_t r = 0; r < k; r++)
            eb_model_calibrate(m, probs + 3 * (i + r), probs + 3 * (i + r));
    }
    return 0;
}
