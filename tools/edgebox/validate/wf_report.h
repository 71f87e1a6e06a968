/* Walk-forward outputs: results.json (every set, the criterion, the selection, SHAP top 10),
 * report.html (self-contained), model.ebm and model.summary.json (the manifest's training summary). All
 * numbers are printed in round-trip form from the checkpoints, so reruns and resumes are byte-identical. */
#ifndef EB_TOOLS_WF_REPORT_H
#define EB_TOOLS_WF_REPORT_H

#include "tools/edgebox/validate/shap.h"
#include "tools/edgebox/validate/wf_run.h"

/* One parameter set's stitched result and its score (the criterion of wf_merge.h). */
typedef struct {
    size_t set;
    eb_wf_summary_t sum;
    int windows_ok, windows_profitable;
    double score; /* LCB; -inf when not eligible */
    int eligible;
} eb_wf_result_t;

typedef struct {
    eb_wf_set_t set;
    eb_trained_t model;      /* trained on [train_start, train_end) */
    int64_t train_start, train_end;
    uint64_t schema_hash;
    eb_shap_rank_t shap[EB_FEATURE_COUNT];
} eb_wf_final_t;

/* The walk-forward's pass for the selected set: eligible and the lower confidence bound of its stitched
 * out-of-sample expectancy above 0 (results.json "robust"). */
int eb_wf_passed(const eb_wf_result_t *best);

int eb_wf_write_outputs(const eb_wf_ctx_t *x, const eb_wf_result_t *results, size_t total, size_t best,
                        const eb_wf_final_t *fin, char *err, size_t errcap);

#endif
