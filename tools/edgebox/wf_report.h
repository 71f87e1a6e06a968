/* Walk-forward outputs: results.json (every set, the criterion, the selection, SHAP top 10),
 * report.html (self-contained), model.ebm and model.summary.json (the manifest's training summary). All
 * numbers are printed in round-trip form from the checkpoints, so reruns and resumes are byte-identical. */
#ifndef EB_TOOLS_WF_REPORT_H
#define EB_TOOLS_WF_REPORT_H

#include "tools/edgebox/shap.h"
#include "tools/edgebox/wf_run.h"


typedef struct {
    eb_wf_set_t set;
    eb_trained_t model;      /* trained on [train_start, train_end) */
    int64_t train_start, train_end;
    uint64_t schema_hash;
    eb_shap_rank_t shap[EB_FEATURE_COUNT];
} eb_wf_final_t;

int eb_wf_write_outputs(const eb_wf_ctx_t *x, const void *results, size_t total, size_t best,
                        const eb_wf_final_t *fin, char *err, size_t errcap);

#endif
