/* Running the walk-forward: for each parameter set of this shard, window after window, train on the
 * training period, decide on the validation period with the compiled blob and simulate it out of sample;
 * checkpoint after every window. --jobs N forks N worker processes over the shard's sets. */
#ifndef EB_TOOLS_WF_RUN_H
#define EB_TOOLS_WF_RUN_H

#include "tools/edgebox/validate/train.h"
#include "tools/edgebox/validate/wf_ckpt.h"
#include "tools/edgebox/validate/wf_oos.h"
#include "tools/edgebox/validate/wf_plan.h"

typedef struct {
    eb_wf_config_t cfg;
    eb_train_costs_t costs;
    eb_wf_sim_params_t sim;
    const eb_bar_t *bars;
    size_t n;
    eb_wf_window_t windows[EB_WF_MAX_WINDOWS];
    int nwin;
    uint64_t config_hash, data_hash;
    const char *dir;
    int quiet;
    const char *sign_key; /* when set, the merge also writes DIR/model.signed with this release */
    uint64_t release;
} eb_wf_ctx_t;

/* Every check that can fail before any work: windows fit the data, the grid is not empty, the output
 * directory is usable and, when it holds a plan, the plan is this one. Writes DIR/plan.txt. */
int eb_wf_prepare(eb_wf_ctx_t *x, const eb_wf_config_t *c, const eb_bar_t *bars, size_t n, const char *dir,
                  char *err, size_t errcap);
uint64_t eb_wf_data_hash(const eb_bar_t *bars, size_t n);
eb_hparams_t eb_wf_hparams(const eb_wf_config_t *c, const eb_wf_set_t *s);
/* Runs (or resumes) one set to the end. */
int eb_wf_run_set(const eb_wf_ctx_t *x, size_t set, char *err, size_t errcap);
/* Runs the sets of shard i/n (1/1 for all) with `jobs` processes. */
int eb_wf_run(const eb_wf_ctx_t *x, int shard_i, int shard_n, int jobs, char *err, size_t errcap);

#endif
