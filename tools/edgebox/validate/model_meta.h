/* What the host tool recorded about a model when it wrote it: the bars it was trained on and whether a
 * walk-forward passed for it. `train` writes M.ebm.json beside M.ebm, `walkforward` writes
 * model.summary.json beside model.ebm / model.signed. montecarlo reads it to run only on bars the model
 * never saw (issue 13 item 5) and to call a model "validated" only after walk-forward + Monte Carlo. */
#ifndef EB_TOOLS_MODEL_META_H
#define EB_TOOLS_MODEL_META_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char path[4096];                /* the metadata file read */
    int64_t train_start_ms, train_end_ms; /* the training range [start, end) */
    int walkforward_pass;           /* 1 / 0; 0 for a model `train` wrote (no walk-forward) */
} eb_model_meta_t;

/* Reads the metadata of the model file at model_path: MODEL.json, then (a .signed model) the .json of the
 * blob it was signed from, then model.summary.json in the model's directory when the model is model.ebm
 * or model.signed. 0; -1 with err when none exists or one is malformed (naming the file and key). */
int eb_model_meta_read(const char *model_path, eb_model_meta_t *out, char *err, size_t errcap);

/* 1 when [from, to) and the training range share a moment. */
int eb_model_meta_overlaps(const eb_model_meta_t *m, int64_t from_ms, int64_t to_ms);

#endif
