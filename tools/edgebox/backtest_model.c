#include "tools/edgebox/backtest_model.h"

#include "tools/edgebox/train.h"
#include "tools/edgebox/wf_config.h"

#include <stdio.h>
#include <stdlib.h>

int eb_backtest_train_model(const eb_bar_t *bars, size_t n, const eb_feature_params_t *fp, int rounds,
                            int max_leaves, uint8_t **blob, size_t *len, char *err, size_t cap)
{
    eb_wf_config_t wc;
    eb_wf_config_default(&wc);
    wc.early_stopping = 0; /* exactly `rounds` rounds: benchmarks need a known model size */
    eb_train_costs_t costs;
    eb_train_costs_default(&costs);
    eb_dataset_t ds;
    if (eb_dataset_build(bars, n, fp, &wc, &costs, &ds, err, cap) != 0)
        return -1;
    eb_hparams_t hp = {.learning_rate = 0.1, .max_leaves = max_leaves, .min_child_weight = 10, .rounds = rounds,
                       .early_stopping = 0, .max_bin = 64, .seed = 1};
    eb_trained_t tr;
    int rc = eb_train_window(&ds, 0, n, &wc, &hp, &tr, err, cap);
    if (rc == 0) {
        *blob = tr.blob;
        *len = tr.blob_len;
        tr.blob = NULL;
        eb_trained_free(&tr);
    }
    eb_dataset_free(&ds);
    return rc;
}
