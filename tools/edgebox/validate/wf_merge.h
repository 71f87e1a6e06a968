/* Finishing a walk-forward: gather every set's checkpoint (from this directory and, for shards run
 * elsewhere, from other directories), stitch each set's out-of-sample trades, select the most robust set,
 * train its model on the newest training window, rank features by SHAP on the first window, and write
 * DIR/results.json, DIR/report.html, DIR/model.ebm and DIR/model.summary.json.
 *
 * Selection criterion (docs/validation.md): among sets with every window trained and at least
 * min_trades stitched out-of-sample trades, the highest lower confidence bound of the expectancy,
 * LCB = mean R - 1.645 x sd R / sqrt(trades); ties go to more profitable windows, then the lower index. */
#ifndef EB_TOOLS_WF_MERGE_H
#define EB_TOOLS_WF_MERGE_H

#include "tools/edgebox/validate/wf_report.h"

/* Score of a stitched summary (the criterion above, without eligibility). */
double eb_wf_score(const eb_wf_summary_t *s);
/* Merges; src_dirs (may be empty) are copied into x->dir first. Returns 0 or -1 with err. */
int eb_wf_merge(const eb_wf_ctx_t *x, char *const *src_dirs, int nsrc, char *err, size_t errcap);

#endif
