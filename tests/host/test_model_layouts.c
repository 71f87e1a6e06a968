/* The two layouts of an XGBoost model must agree bit for bit: the same trees are compiled once with one
 * feature (complete trees) and once with 200 (node graph: too many features for the complete layout),
 * and evaluated on the edges of float32 - thresholds -inf, +inf, +-0, the smallest subnormal, +-FLT_MAX
 * with both default directions; rows at, next to and beyond them, NaN, infinities and doubles that round
 * onto a threshold. Tree i adds 2^i when it goes right, so a margin shows every tree's direction. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "tests/support/check.h"
#include "tools/edgebox/model_ir.h"

static const float THR[] = {-INFINITY, INFINITY, -0.0f, 0.0f, 1e-45f, -1e-45f, FLT_MAX, -FLT_MAX, 0.5f, -3.0f};
#define NTHR (sizeof THR / sizeof THR[0])
#define NF_GRAPH 200

static void split(eb_ir_node_t *n, float t, int dl, int32_t left, int32_t right)
{
    n->left = left;
    n->right = right;
    n->feature = 0;
    n->flags = dl ? EB_MODEL_N_DEFAULT_LEFT : 0u;
    n->value = eb_ir_xgb_threshold(t);
    n->xgb_thr = t;
}

/* 2 x NTHR one-split trees, a deeper unbalanced tree (padding) and a single leaf. */
static void build_ir(eb_ir_t *ir, uint32_t nf)
{
    eb_ir_init(ir);
    ir->objective = EB_MODEL_OBJ_REGRESSION;
    ir->source = EB_MODEL_SRC_XGBOOST;
    ir->flags = EB_MODEL_F_FLOAT32;
    ir->num_features = nf;
    ir->num_groups = 1;
    ir->base[0] = 0.5;
    int i = 0;
    for (size_t k = 0; k < NTHR; k++)
        for (int dl = 0; dl < 2; dl++, i++) {
            eb_ir_node_t *n = eb_ir_add_tree(ir, 0, 3);
            split(&n[0], THR[k], dl, 1, 2);
            n[1].value = 0;
            n[2].value = ldexp(1, i);
        }
    eb_ir_node_t *n = eb_ir_add_tree(ir, 0, 7); /* x < 0.5 ? (x < -3 ? a : (x < 0 ? b : c)) : d */
    split(&n[0], 0.5f, 0, 1, 2);
    split(&n[1], -3.0f, 1, 3, 4);
    split(&n[4], 0.0f, 0, 5, 6);
    n[2].value = ldexp(1, i);
    n[3].value = ldexp(1, i + 1);
    n[5].value = ldexp(1, i + 2);
    n[6].value = ldexp(1, i + 3);
    n = eb_ir_add_tree(ir, 0, 1);
    n[0].value = 0.25;
}

static int compile(uint32_t nf, uint8_t **blob, eb_model_t *m)
{
    eb_ir_t ir;
    build_ir(&ir, nf);
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    size_t len;
    char err[256];
    int rc = eb_ir_build(&ir, &o, blob, &len, err, sizeof err);
    eb_ir_free(&ir);
    CHECK_MSG(rc == 0, "%u features: %s", nf, err);
    return rc ? rc : eb_model_open(m, *blob, len, NULL);
}

TEST(complete_and_graph_agree_on_float32_edges)
{
    uint8_t *b1 = NULL, *b2 = NULL;
    eb_model_t complete, graph;
    if (compile(1, &b1, &complete) || compile(NF_GRAPH, &b2, &graph)) {
        CHECK_MSG(0, "compile failed");
        free(b1), free(b2);
        return;
    }
    CHECK_EQ_INT(complete.depth, 3);
    CHECK_EQ_INT(graph.depth, 0);
    double big = (double)FLT_MAX + ldexp(1, 103); /* the double that rounds (tie, to even) to inf */
    double rows[64];
    int n = 0;
    const double extra[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300, big, -big, nextafter(big, 0),
                            nextafter(-big, 0), 0.0, -0.0, 1e-46, -1e-46, 7.006e-46, -7.006e-46, 0.25, -3.0000001};
    for (size_t k = 0; k < NTHR; k++) {
        double t = (double)THR[k];
        rows[n++] = t;
        rows[n++] = (double)nextafterf(THR[k], -INFINITY);
        rows[n++] = (double)nextafterf(THR[k], INFINITY);
        if (isfinite(t) && t != 0) {
            rows[n++] = nextafter(t, 0); /* rounds onto t */
            rows[n++] = nextafter(t, INFINITY * t);
        }
    }
    for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++)
        rows[n++] = extra[k];
    double x[NF_GRAPH];
    for (int j = 0; j < NF_GRAPH; j++)
        x[j] = NAN;
    for (int r = 0; r < n; r++) {
        double zc, zg;
        x[0] = rows[r];
        eb_model_predict_margin(&complete, x, &zc);
        eb_model_predict_margin(&graph, x, &zg);
        CHECK_MSG(zc == zg || (isnan(zc) && isnan(zg)), "x = %.17g: complete %.9g, graph %.9g", rows[r], zc, zg);
    }
    /* Two hand-checked margins: NaN takes every default (right for the dl = 0 trees: bits 0, 2, 4...),
     * the deep tree's NaN path is right (d), and the single leaf adds 0.25. */
    x[0] = NAN;
    double z;
    eb_model_predict_margin(&complete, x, &z);
    float want = 0.5f;
    for (int i = 0; i < 2 * (int)NTHR; i += 2)
        want += (float)ldexp(1, i);
    want += (float)ldexp(1, 2 * (int)NTHR);
    want += 0.25f;
    CHECK_MSG(z == (double)want, "NaN row: %.9g, want %.9g", z, (double)want);
    free(b1), free(b2);
}

int main(void)
{
    RUN(complete_and_graph_agree_on_float32_edges);
    return eb_check_report();
}
