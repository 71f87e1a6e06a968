/* The complete-tree layout (core/model.h) on hand-built blobs: predictions worked out by hand (the
 * float32 rounding of the row, NaN to the second child, the negated copy of a feature for "missing goes
 * right" splits, padding splits), the lane walks against single trees, and every bad field refused. */
#include <math.h>
#include <string.h>

#include "core/model.h"
#include "tests/support/check.h"

#define D 3
#define TB 96 /* eb_model_tree_bytes(3): 32 bytes of top (one node), two 32-byte blocks */
#define MAXT 40
#define MAXB (1024 + MAXT * (TB + 8))

static _Alignas(16) uint8_t B[MAXB];
static size_t blen;
static uint32_t off_base, off_trees, off_nodes, off_dec;

static void p32(size_t o, uint32_t v) { memcpy(B + o, &v, 4); }
static void pf32(size_t o, float v) { memcpy(B + o, &v, 4); }
static void pf64(size_t o, double v) { memcpy(B + o, &v, 8); }
static size_t al(size_t v) { return (v + 15u) & ~(size_t)15u; }

static void block(size_t o, const uint8_t feat[3], const float thr[3], const float leaf[4])
{
    eb_model_block_t b;
    memset(&b, 0, sizeof b);
    memcpy(b.feat, feat, 3);
    memcpy(b.thr, thr, sizeof b.thr);
    memcpy(b.leaf, leaf, sizeof b.leaf);
    memcpy(B + o, &b, sizeof b);
}

/* Tree k (2 features, v = x0, x1, -x0, -x1): root x1 >= 0 ? block 0 : block 1 (NaN: block 1).
 * Block 0: x0 >= 0.5 ? (x1 >= 2 ? 1 : 2) : (-x0 >= 1, i.e. x0 <= -1 ? 4 : 8).  Block 1: -1 everywhere.
 * Trees [0, split) add to group 0, the rest to group 1 (sorted by group, as the compiler writes them). */
static void build(uint32_t nt, uint32_t split)
{
    memset(B, 0, sizeof B);
    off_base = EB_MODEL_HEADER_SIZE;
    off_trees = (uint32_t)al(off_base + 16);
    off_nodes = (uint32_t)al(off_trees + 8 * nt);
    off_dec = (uint32_t)al(off_nodes + TB * nt);
    blen = al(off_dec + eb_model_decision_size(2));
    memcpy(B, EB_MODEL_MAGIC, 8);
    p32(EB_MH_VERSION, EB_MODEL_VERSION);
    p32(EB_MH_HEADER_SIZE, EB_MODEL_HEADER_SIZE);
    p32(EB_MH_TOTAL, (uint32_t)blen);
    p32(EB_MH_OBJECTIVE, EB_MODEL_OBJ_SOFTPROB);
    p32(EB_MH_SOURCE, EB_MODEL_SRC_XGBOOST);
    p32(EB_MH_FLAGS, EB_MODEL_F_FLOAT32);
    p32(EB_MH_FEATURES, 2);
    p32(EB_MH_GROUPS, 2);
    p32(EB_MH_TREES, nt);
    p32(EB_MH_NODES, nt * 7);
    p32(EB_MH_LAYOUT, D);
    pf64(EB_MH_SIGMOID, 1.0);
    p32(EB_MH_OFF_BASE, off_base);
    p32(EB_MH_OFF_TREES, off_trees);
    p32(EB_MH_OFF_NODES, off_nodes);
    p32(EB_MH_OFF_CATS, off_dec);
    p32(EB_MH_OFF_DECISION, off_dec);
    p32(EB_MH_DECISION_SIZE, eb_model_decision_size(2));
    pf64(off_base, 0.25);
    pf64(off_base + 8, 0.1);
    for (uint32_t t = 0; t < nt; t++) {
        p32(off_trees + 8 * t, 7 * t);
        p32(off_trees + 8 * t + 4, t < split ? 0 : 1);
        size_t o = off_nodes + (size_t)TB * t;
        pf32(o, 0.0f);
        B[o + 4] = 1; /* top node: feature x1 */
        const uint8_t f0[3] = {0, 1, 2}, fz[3] = {0, 0, 0};
        const float t0[3] = {0.5f, 2.0f, 1.0f}, tz[3] = {0, 0, 0};
        const float l0[4] = {1, 2, 4, 8}, l1[4] = {-1, -1, -1, -1};
        block(o + 32, f0, t0, l0);
        block(o + 64, fz, tz, l1);
    }
    p32(off_dec + 28, 1);
    p32(off_dec + 32, 2);
    p32(off_dec + 40, 2);
    pf64(off_dec + 48, 1.0);
    pf64(off_dec + 64, 1.0);
}

static double margin0(const eb_model_t *m, double x0, double x1)
{
    double x[2] = {x0, x1}, z[2];
    eb_model_predict_margin(m, x, z);
    return z[0];
}

TEST(hand_checked_rows)
{
    build(1, 1);
    eb_model_t m;
    eb_model_error_t e;
    CHECK_MSG(eb_model_open(&m, B, blen, &e) == 0, "%s", e.msg);
    CHECK_EQ_INT(m.depth, D);
    const float b = 0.25f;
    CHECK_NEAR(margin0(&m, 0.7, 3), (double)(b + 1.0f), 0);
    CHECK_NEAR(margin0(&m, 0.7, 1), (double)(b + 2.0f), 0);
    CHECK_NEAR(margin0(&m, -2, 3), (double)(b + 4.0f), 0);    /* -x0 = 2 >= 1 */
    CHECK_NEAR(margin0(&m, -1, 0), (double)(b + 4.0f), 0);    /* -x0 = 1 >= 1: x0 <= -1 */
    CHECK_NEAR(margin0(&m, -0.9, 0), (double)(b + 8.0f), 0);
    CHECK_NEAR(margin0(&m, NAN, 3), (double)(b + 8.0f), 0);   /* NaN: second child twice (-NaN too) */
    CHECK_NEAR(margin0(&m, 0.7, NAN), (double)(b - 1.0f), 0); /* NaN at the root: block 1 */
    CHECK_NEAR(margin0(&m, 0.7, -1e-30), (double)(b - 1.0f), 0);
    CHECK_NEAR(margin0(&m, 0.5, -0.0), (double)(b + 2.0f), 0); /* -0 >= 0, 0.5 >= 0.5 */
    CHECK_NEAR(margin0(&m, 0.5 - 1e-12, 3), (double)(b + 1.0f), 0); /* rounds to 0.5f first, as XGBoost */
    CHECK_NEAR(margin0(&m, 0.5 - 1e-7, 3), (double)(b + 8.0f), 0);  /* a float below 0.5 */
    CHECK_NEAR(margin0(&m, 1e300, 1e300), (double)(b + 1.0f), 0);  /* +inf in float32 */
    double x[2] = {0.7, 3}, z[2];
    eb_model_predict_margin(&m, x, z);
    CHECK_NEAR(z[1], (double)0.1f, 0); /* no tree in group 1: the base score, float32 */
}

/* The interleaved walks (runs of 16/12, 8, 4 lanes, then single trees, runs across a group change)
 * give each group's float32 sum in tree order, whatever the tree count. */
TEST(lanes_match_tree_order_sums)
{
    const double rows[][2] = {{0.7, 3}, {0.7, 1}, {-2, 3}, {NAN, 3}, {0.7, NAN}, {-0.9, 0}};
    for (uint32_t nt = 1; nt <= MAXT; nt++) {
        uint32_t split = nt / 3;
        build(nt, split);
        eb_model_t m;
        if (eb_model_open(&m, B, blen, NULL) != 0) {
            CHECK_MSG(0, "%u trees: blob refused", nt);
            continue;
        }
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            build(1, 1);
            eb_model_t one;
            eb_model_open(&one, B, blen, NULL);
            float leaf = (float)(margin0(&one, rows[r][0], rows[r][1]) - 0.25);
            build(nt, split);
            eb_model_open(&m, B, blen, NULL);
            float g0 = 0.25f, g1 = 0.1f;
            for (uint32_t t = 0; t < nt; t++) {
                if (t < split)
                    g0 += leaf;
                else
                    g1 += leaf;
            }
            double z[2];
            eb_model_predict_margin(&m, rows[r], z);
            CHECK_MSG(z[0] == (double)g0 && z[1] == (double)g1, "%u trees row %zu: %g %g, want %g %g", nt, r, z[0],
                      z[1], (double)g0, (double)g1);
        }
    }
}

typedef struct {
    const char *what;
    size_t off;
    int kind; /* 0: u32, 1: f32, 2: byte */
    double value;
    eb_model_status_t want;
} mutation_t;

TEST(bad_complete_blobs_are_refused)
{
    build(3, 1);
    const size_t t1 = off_nodes + TB; /* tree 1's image */
    const mutation_t mus[] = {
        {"layout 1", EB_MH_LAYOUT, 0, 1, EB_MODEL_E_HEADER},
        {"layout above max", EB_MH_LAYOUT, 0, EB_MODEL_MAX_DEPTH + 1.0, EB_MODEL_E_HEADER},
        {"LightGBM source", EB_MH_SOURCE, 0, EB_MODEL_SRC_LIGHTGBM, EB_MODEL_E_HEADER},
        {"double numerics", EB_MH_FLAGS, 0, 0, EB_MODEL_E_HEADER},
        {"category words", EB_MH_CAT_WORDS, 0, 1, EB_MODEL_E_HEADER},
        {"too many features", EB_MH_FEATURES, 0, EB_MODEL_MAX_COMPLETE_FEATURES + 1.0, EB_MODEL_E_HEADER},
        {"node count", EB_MH_NODES, 0, 20, EB_MODEL_E_HEADER},
        {"tree first", off_trees + 8, 0, 6, EB_MODEL_E_TREE},
        {"group out of range", off_trees + 20, 0, 2, EB_MODEL_E_TREE},
        {"groups not sorted", off_trees + 20, 0, 0, EB_MODEL_E_TREE},
        {"top feature", t1 + 4, 2, 4, EB_MODEL_E_NODE},
        {"top threshold NaN", t1, 1, NAN, EB_MODEL_E_VALUE},
        {"top padding", t1 + 5, 2, 1, EB_MODEL_E_NODE},
        {"block feature", t1 + 32 + 13, 2, 4, EB_MODEL_E_NODE},
        {"block zero byte", t1 + 64 + 15, 2, 1, EB_MODEL_E_NODE},
        {"block threshold NaN", t1 + 64 + 8, 1, NAN, EB_MODEL_E_VALUE},
        {"leaf infinite", t1 + 32 + 28, 1, INFINITY, EB_MODEL_E_VALUE},
        {"leaf NaN", t1 + 64 + 16, 1, NAN, EB_MODEL_E_VALUE},
    };
    for (size_t i = 0; i < sizeof mus / sizeof mus[0]; i++) {
        const mutation_t *mu = &mus[i];
        build(3, 1);
        if (mu->kind == 0)
            p32(mu->off, (uint32_t)mu->value);
        else if (mu->kind == 1)
            pf32(mu->off, (float)mu->value);
        else
            B[mu->off] = (uint8_t)mu->value;
        eb_model_t m;
        eb_model_error_t e;
        int rc = eb_model_open(&m, B, blen, &e);
        CHECK_MSG(rc == (int)mu->want && e.code == mu->want, "%s: got %s (%s), want %s", mu->what,
                  eb_model_status_name((eb_model_status_t)rc), e.msg, eb_model_status_name(mu->want));
        CHECK_MSG(e.msg[0] != '\0' && m.bytes == NULL && m.depth == 0, "%s: no message or view not cleared",
                  mu->what);
    }
    build(3, 1);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, B, blen, NULL), 0); /* the builder itself is valid */
}

int main(void)
{
    RUN(hand_checked_rows);
    RUN(lanes_match_tree_order_sums);
    RUN(bad_complete_blobs_are_refused);
    return eb_check_report();
}
