/* The complete-tree layout of XGBoost models (core/model.h, docs/model-format.md): every tree padded to
 * depth D in heap order, "missing goes right" splits turned into a split on -x with the children swapped,
 * so that the box walks D branch-free steps per tree with one comparison form (v >= threshold). */
#include "tools/edgebox/model/model_ir.h"

#include <math.h>
#include <string.h>

/* Depth of the subtree at source node s; trees were checked to be trees (tree_order) before. */
static uint32_t subtree_depth(const eb_ir_node_t *nd, int32_t s, uint32_t limit)
{
    if (nd[s].left < 0 || limit == 0)
        return 0;
    uint32_t l = subtree_depth(nd, nd[s].left, limit - 1), r = subtree_depth(nd, nd[s].right, limit - 1);
    return 1 + (l > r ? l : r);
}

uint32_t eb_ir_complete_depth(const eb_ir_t *ir)
{
    if (ir->source != EB_MODEL_SRC_XGBOOST || !(ir->flags & EB_MODEL_F_FLOAT32) || ir->num_cats != 0 ||
        ir->num_features > EB_MODEL_MAX_COMPLETE_FEATURES)
        return 0;
    for (size_t i = 0; i < ir->num_nodes; i++)
        if (ir->nodes[i].left >= 0 && (ir->nodes[i].flags & (EB_MODEL_N_CATEGORICAL | EB_MODEL_N_ZERO_MISSING)))
            return 0;
    uint32_t d = 2; /* the evaluator's last two levels are one block: shallower trees are padded */
    for (size_t t = 0; t < ir->num_trees; t++) {
        uint32_t td = subtree_depth(ir->nodes + ir->trees[t].first, 0, EB_MODEL_MAX_DEPTH + 1);
        if (td > EB_MODEL_MAX_DEPTH)
            return 0;
        d = td > d ? td : d;
    }
    return d;
}

typedef struct {
    uint8_t *img;
    const eb_ir_node_t *nd;
    uint32_t depth, ntop, nf;
} ct_t;

/* Heap node h (0-based; children 2h+1, 2h+2) at level lvl: in the top arrays above level D-2, else in
 * block ((h+1) >> (lvl-(D-2))) - 1 - ntop; the bits below that prefix are the path inside the block. */
static eb_model_block_t *block_of(const ct_t *c, uint32_t h, uint32_t lvl)
{
    uint32_t k = ((h + 1u) >> (lvl - (c->depth - 2u))) - 1u - c->ntop;
    return (eb_model_block_t *)(void *)(c->img + eb_model_top_bytes(c->depth)) + k;
}

static void put_split(const ct_t *c, uint32_t h, uint32_t lvl, uint32_t feat, float thr)
{
    if (lvl < c->depth - 2u) {
        memcpy(c->img + 4u * h, &thr, 4);
        c->img[4u * c->ntop + h] = (uint8_t)feat;
        return;
    }
    uint32_t slot = lvl == c->depth - 2u ? 0u : 1u + ((h + 1u) & 1u);
    eb_model_block_t *bk = block_of(c, h, lvl);
    bk->thr[slot] = thr;
    bk->feat[slot] = (uint8_t)feat;
}

static void fill(const ct_t *c, int32_t s, uint32_t h, uint32_t lvl)
{
    const eb_ir_node_t *n = &c->nd[s];
    if (n->left < 0 && lvl == c->depth) {
        block_of(c, h, lvl)->leaf[(h + 1u) & 3u] = (float)n->value;
        return;
    }
    if (n->left < 0) { /* a leaf above depth D: a dummy split over two copies of it */
        put_split(c, h, lvl, 0, 0.0f);
        fill(c, s, 2u * h + 1u, lvl + 1u);
        fill(c, s, 2u * h + 2u, lvl + 1u);
        return;
    }
    float t = n->xgb_thr;
    int dl = (n->flags & EB_MODEL_N_DEFAULT_LEFT) != 0;
    if (!dl && t == -INFINITY) { /* no value is below -inf and NaN goes right: the right subtree alone */
        fill(c, n->right, h, lvl);
        return;
    }
    /* The first child is taken when v >= thr, the second otherwise, NaN included: the second is the
     * default. Missing left: v = x, x >= t goes right. Missing right: v = -x and -x >= -pred(t) holds
     * exactly when x <= pred(t), i.e. x < t (no float lies between pred(t) and t): first = left. */
    if (dl)
        put_split(c, h, lvl, n->feature, t);
    else
        put_split(c, h, lvl, c->nf + n->feature, -nextafterf(t, -INFINITY));
    fill(c, dl ? n->right : n->left, 2u * h + 1u, lvl + 1u);
    fill(c, dl ? n->left : n->right, 2u * h + 2u, lvl + 1u);
}

/* Trees are written grouped by output group, each group in source order: a group's float32 sum sees
 * its leaves in the same order as XGBoost's, and the box keeps each group's sum in a register. */
void eb_ir_write_complete(const eb_ir_t *ir, uint32_t depth, uint8_t *trees, uint8_t *images)
{
    uint32_t tb = eb_model_tree_bytes(depth), per = (1u << depth) - 1u;
    size_t at = 0;
    for (uint32_t g = 0; g < ir->num_groups; g++)
        for (size_t t = 0; t < ir->num_trees; t++) {
            if (ir->trees[t].group != g)
                continue;
            eb_model_tree_t tr = {(uint32_t)at * per, g};
            memcpy(trees + 8 * at, &tr, sizeof tr);
            ct_t c = {images + at * tb, ir->nodes + ir->trees[t].first, depth, (1u << (depth - 2u)) - 1u,
                      ir->num_features};
            memset(c.img, 0, tb);
            fill(&c, 0, 0, 0);
            at++;
        }
}
