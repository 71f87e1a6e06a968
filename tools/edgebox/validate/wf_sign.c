#include "tools/edgebox/validate/wf_sign.h"

#include "tools/edgebox/model/model_compile.h"
#include "common/file_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void eb_wf_summary_fill(eb_training_summary_t *s, int64_t start_ms, int64_t end_ms, uint64_t rows_train,
                        uint64_t rows_valid, const char *const *names, const double *values, int nmetrics,
                        const eb_shap_rank_t *shap)
{
    memset(s, 0, sizeof *s);
    s->window_start = start_ms / 1000;
    s->window_end = end_ms / 1000;
    s->rows_train = rows_train;
    s->rows_valid = rows_valid;
    for (int i = 0; i < nmetrics && i < EB_MANIFEST_METRICS; i++) {
        snprintf(s->metrics[i].name, EB_MANIFEST_NAME, "%s", names[i]);
        s->metrics[i].value = values[i];
    }
    for (int i = 0; shap && i < EB_MANIFEST_IMPORTANCES; i++) {
        snprintf(s->importances[i].name, EB_MANIFEST_NAME, "%s", eb_feature_names[shap[i].feature]);
        s->importances[i].value = shap[i].mean_abs;
    }
}

int eb_wf_sign(const uint8_t *blob, size_t len, uint64_t schema_hash, const eb_training_summary_t *sum,
               const char *key_path, uint64_t release, const char *model_id, const char *out_path, char *err,
               size_t cap)
{
    eb_manifest_t man;
    memset(&man, 0, sizeof man);
    man.format_version = EB_MANIFEST_VERSION;
    snprintf(man.model_id, sizeof man.model_id, "%s", model_id);
    man.schema_hash = schema_hash;
    snprintf(man.board, sizeof man.board, "any");
    man.release = release;
    man.created = (int64_t)time(NULL);
    man.summary = *sum;
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (eb_sign_blob_file(blob, len, &man, key_path, &out, &out_len, err, cap) != 0)
        return -1;
    int rc = eb_write_file_atomic(out_path, out, out_len, 0644, err, cap);
    free(out);
    return rc;
}
