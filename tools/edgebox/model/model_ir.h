/* The importers' common form: trees as the source library numbers them, with each split already in the
 * blob's rule (go left when x < value; flags as in core/model.h). model_build.c turns it into a blob. */
#ifndef EB_TOOLS_MODEL_IR_H
#define EB_TOOLS_MODEL_IR_H

#include <stddef.h>
#include <stdint.h>

#include "common/errf.h" /* eb_errf, the tool's formatted-error helper */
#include "tools/edgebox/model/model_compile.h"

typedef struct {
    int32_t left, right; /* source node indices; -1 for a leaf */
    uint32_t feature;
    uint32_t flags;      /* EB_MODEL_N_DEFAULT_LEFT | _CATEGORICAL | _ZERO_MISSING | _CAT_IN_LEFT */
    double value;        /* threshold (x < value goes left) or leaf value */
    float xgb_thr;       /* XGBoost numeric split: the float32 threshold itself (value is its double form) */
    uint32_t cat_word, cat_nwords; /* categorical: bitset in ir->cats */
} eb_ir_node_t;

typedef struct {
    uint32_t group, first, count; /* nodes [first, first + count) of ir->nodes; root = first */
} eb_ir_tree_t;

typedef struct {
    uint32_t objective, source, flags, num_features, num_groups;
    double sigmoid;
    double base[EB_MODEL_MAX_CLASSES];
    eb_ir_node_t *nodes;
    size_t num_nodes, cap_nodes;
    eb_ir_tree_t *trees;
    size_t num_trees, cap_trees;
    uint32_t *cats;
    size_t num_cats, cap_cats;
} eb_ir_t;

void eb_ir_init(eb_ir_t *ir);
void eb_ir_free(eb_ir_t *ir);
/* Appends a tree of n nodes (zeroed, left/right -1) and returns a pointer to them, or NULL (no memory). */
eb_ir_node_t *eb_ir_add_tree(eb_ir_t *ir, uint32_t group, uint32_t n);
/* Appends n zeroed category words; returns the index of the first, or -1. */
long eb_ir_add_cats(eb_ir_t *ir, uint32_t n);
/* Writes the blob and checks it with eb_model_open. XGBoost float32 models with numeric splits only, at
 * most EB_MODEL_MAX_COMPLETE_FEATURES features and depth <= EB_MODEL_MAX_DEPTH get the complete-tree
 * layout (core/model.h); every other model the node graph, trees laid out breadth-first. */
int eb_ir_build(const eb_ir_t *ir, const eb_compile_opts_t *o, uint8_t **out, size_t *out_len, char *err,
                size_t errcap);

/* The complete layout's depth D for this model (2..EB_MODEL_MAX_DEPTH), or 0 when it needs the node
 * graph. The trees must have been checked to be trees. */
uint32_t eb_ir_complete_depth(const eb_ir_t *ir);
/* Writes the tree table (8 bytes a tree) and the T tree images (eb_model_tree_bytes(depth) each). */
void eb_ir_write_complete(const eb_ir_t *ir, uint32_t depth, uint8_t *trees, uint8_t *images);

/* snprintf into err (if not NULL) and return -1: the compiler's one way to fail. */

/* XGBoost's split rule on float32 (x rounded to float, then x < t) as a rule on the unrounded double:
 * the double d such that (double)x < d exactly when (float)x < t. */
double eb_ir_xgb_threshold(float t);
/* LightGBM's x <= t on doubles as x < d. */
double eb_ir_lgb_threshold(double t);

#endif
