/* Signing a trained model with its training summary in the manifest (SPEC section 6): window, rows,
 * metrics and the SHAP top 10, through the model-signing API (tools/edgebox/model_compile.h). */
#ifndef EB_TOOLS_WF_SIGN_H
#define EB_TOOLS_WF_SIGN_H

#include "app/model_verify.h"
#include "tools/edgebox/validate/shap.h"

#include <stddef.h>
#include <stdint.h>

/* Fills a summary: window in UTC ms (stored as seconds), rows, up to EB_MANIFEST_METRICS metrics, the
 * first 10 of `shap` (NULL for none). */
void eb_wf_summary_fill(eb_training_summary_t *s, int64_t start_ms, int64_t end_ms, uint64_t rows_train,
                        uint64_t rows_valid, const char *const *names, const double *values, int nmetrics,
                        const eb_shap_rank_t *shap);
/* Signs blob with the key file into out_path (board "any", created now, no expiry). */
int eb_wf_sign(const uint8_t *blob, size_t len, uint64_t schema_hash, const eb_training_summary_t *sum,
               const char *key_path, uint64_t release, const char *model_id, const char *out_path, char *err,
               size_t errcap);

#endif
