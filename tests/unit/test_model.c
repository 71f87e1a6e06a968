/* The blob loader and evaluator on hand-built blobs: predictions worked out by hand (numeric split, NaN
 * default, categorical set, LightGBM zero-as-missing, float32 accumulation, transforms, calibration),
 * and every kind of out-of-range field or index refused with its own code and a message. */
#include <math.h>
#include <string.h>

#include "core/model.h"
#include "tests/support/check.h"

#define NT 3
#define NN 9
#define NC 1
#define MAXB 1024

static _Alignas(16) uint8_t B[MAXB];
static size_t blen;
static uint32_t off_nodes, off_trees, off_cats, off_dec, off_base;

static void p32(size_t o, uint32_t v) { memcpy(B + o, &v, 4); }
static void pf64(size_t o, double v) { memcpy(B + o, &v, 8); }
static size_t al(size_t v) { return (v + 15u) & ~(size_t)15u; }

static void node(uint32_t i, double thr, uint32_t left, uint32_t meta)
{
    eb_model_node_t n;
    memset(&n, 0, sizeof n);
    n.u.thr = thr;
    n.left = left;
    n.meta = meta;
    memcpy(B + off_nodes + 16 * i, &n, 16);
}

/* Three trees over 2 features (LightGBM numerics unless float32):
 *   t0: x0 < 0.5 (NaN left) ? 1 : 2
 *   t1: x1 categorical, set {1,3} goes left ? 10 : 20 (NaN right)
 *   t2: x0 zero-as-missing (default right), x0 < 5 ? 100 : 200 */
static void build(uint32_t objective, uint32_t groups, const uint32_t tree_group[NT], uint32_t flags)
{
    memset(B, 0, sizeof B);
    off_base = EB_MODEL_HEADER_SIZE;
    off_trees = (uint32_t)al(off_base + 8 * groups);
    off_nodes = (uint32_t)al(off_trees + 8 * NT);
    off_cats = (uint32_t)al(off_nodes + 16 * NN);
    off_dec = (uint32_t)al(off_cats + 4 * NC);
    blen = al(off_dec + eb_model_decision_size(groups));
    memcpy(B, EB_MODEL_MAGIC, 8);
    p32(EB_MH_VERSION, EB_MODEL_VERSION);
    p32(EB_MH_HEADER_SIZE, EB_MODEL_HEADER_SIZE);
    p32(EB_MH_TOTAL, (uint32_t)blen);
    p32(EB_MH_OBJECTIVE, objective);
    p32(EB_MH_SOURCE, EB_MODEL_SRC_LIGHTGBM);
    p32(EB_MH_FLAGS, flags);
    p32(EB_MH_FEATURES, 2);
    p32(EB_MH_GROUPS, groups);
    p32(EB_MH_TREES, NT);
    p32(EB_MH_NODES, NN);
    p32(EB_MH_CAT_WORDS, NC);
    uint64_t h = 0x1122334455667788ull;
    memcpy(B + EB_MH_SCHEMA, &h, 8);
    pf64(EB_MH_SIGMOID, 1.0);
    p32(EB_MH_OFF_BASE, off_base);
    p32(EB_MH_OFF_TREES, off_trees);
    p32(EB_MH_OFF_NODES, off_nodes);
    p32(EB_MH_OFF_CATS, off_cats);
    p32(EB_MH_OFF_DECISION, off_dec);
    p32(EB_MH_DECISION_SIZE, eb_model_decision_size(groups));
    for (uint32_t t = 0; t < NT; t++) {
        p32(off_trees + 8 * t, 3 * t);
        p32(off_trees + 8 * t + 4, tree_group[t]);
    }
    node(0, 0.5, 1, 0 | EB_MODEL_N_DEFAULT_LEFT);
    node(1, 1, 1, EB_MODEL_N_LEAF);
    node(2, 2, 2, EB_MODEL_N_LEAF);
    eb_model_node_t c;
    memset(&c, 0, sizeof c);
    c.u.cat.cat_word = 0;
    c.u.cat.cat_nwords = 1;
    c.left = 4;
    c.meta = 1 | EB_MODEL_N_CATEGORICAL | EB_MODEL_N_CAT_IN_LEFT;
    memcpy(B + off_nodes + 16 * 3, &c, 16);
    node(4, 10, 4, EB_MODEL_N_LEAF);
    node(5, 20, 5, EB_MODEL_N_LEAF);
    node(6, 5, 7, 0 | EB_MODEL_N_ZERO_MISSING);
    node(7, 100, 7, EB_MODEL_N_LEAF);
    node(8, 200, 8, EB_MODEL_N_LEAF);
    p32(off_cats, (1u << 1) | (1u << 3));
    pf64(off_dec + 0, 0.5);
    pf64(off_dec + 8, 0.5);
    p32(off_dec + 28, 1);
    p32(off_dec + 32, 2);
    p32(off_dec + 36, (flags & EB_MODEL_F_CALIBRATED) ? 1 : 0);
    p32(off_dec + 40, groups);
    for (uint32_t g = 0; g < groups; g++)
        pf64(off_dec + 48 + 16 * g, 1.0);
}

static const uint32_t ONE_GROUP[NT] = {0, 0, 0};

static double predict1(const eb_model_t *m, double x0, double x1)
{
    double x[2] = {x0, x1}, out[EB_MODEL_MAX_CLASSES];
    eb_model_predict(m, x, out);
    return out[0];
}

TEST(evaluates_hand_checked_rows)
{
    build(EB_MODEL_OBJ_REGRESSION, 1, ONE_GROUP, 0);
    eb_model_t m;
    eb_model_error_t e;
    CHECK_EQ_INT(eb_model_open(&m, B, blen, &e), 0);
    CHECK_EQ_INT(eb_model_num_features(&m), 2);
    CHECK_EQ_INT(eb_model_num_trees(&m), 3);
    CHECK(eb_model_schema_hash(&m) == 0x1122334455667788ull);
    CHECK_NEAR(predict1(&m, 0.2, 1), 111, 0);    /* left, in set, below 5 */
    CHECK_NEAR(predict1(&m, NAN, 2), 221, 0);    /* NaN default left, not in set, NaN default right */
    CHECK_NEAR(predict1(&m, 0.0, NAN), 221, 0);  /* 0 < 0.5, NaN categorical right, zero is missing */
    CHECK_NEAR(predict1(&m, 0.7, 3.9), 112, 0);  /* category 3 (truncated) in set */
    CHECK_NEAR(predict1(&m, 1, -1), 122, 0);     /* negative category: not in set */
    CHECK_NEAR(predict1(&m, 1, 40), 122, 0);     /* category beyond the bitset: not in set */
    CHECK_NEAR(predict1(&m, 0.5, 0), 122, 0);    /* 0.5 is not < 0.5: right */
    CHECK_NEAR(predict1(&m, 1e-36, 1), 211, 0);  /* |x| <= 1e-35 counts as zero: missing */
}

TEST(groups_softmax_and_float32)
{
    const uint32_t g2[NT] = {0, 1, 0};
    build(EB_MODEL_OBJ_SOFTPROB, 2, g2, EB_MODEL_F_FLOAT32);
    pf64(off_base, 0.1);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, B, blen, NULL), 0);
    double x[2] = {0.2, 1}, z[2], p[2];
    eb_model_predict_margin(&m, x, z);
    CHECK_NEAR(z[0], (double)(0.1f + 1.0f + 100.0f), 0); /* float32 accumulation */
    CHECK_NEAR(z[1], 10, 0);
    eb_model_predict(&m, x, p);
    CHECK_NEAR(p[1], 1 / (1 + exp(z[0] - z[1])), 1e-15);
    CHECK_NEAR(p[0] + p[1], 1, 1e-15);
    p32(EB_MH_OBJECTIVE, EB_MODEL_OBJ_SOFTMAX);
    CHECK_EQ_INT(eb_model_open(&m, B, blen, NULL), 0);
    eb_model_predict(&m, x, p);
    CHECK_NEAR(p[0], 0, 0);
    CHECK_EQ_INT(eb_model_num_outputs(&m), 1);
}

TEST(logistic_and_decision_section)
{
    build(EB_MODEL_OBJ_LOGISTIC, 1, ONE_GROUP, EB_MODEL_F_CALIBRATED);
    pf64(EB_MH_SIGMOID, 0.01);
    pf64(off_dec + 48, 2.0); /* Platt a */
    pf64(off_dec + 56, 0.0); /* Platt b */
    pf64(off_dec + 16, 0.4);
    eb_model_t m;
    CHECK_EQ_INT(eb_model_open(&m, B, blen, NULL), 0);
    CHECK_NEAR(predict1(&m, 0.2, 1), 1 / (1 + exp(-1.11)), 1e-15);
    eb_model_decision_t d;
    eb_model_decision(&m, &d);
    CHECK_NEAR(d.threshold_buy, 0.5, 0);
    CHECK_NEAR(d.min_confidence, 0.4, 0);
    CHECK_EQ_INT(d.class_sell, 0);
    CHECK_EQ_INT(d.class_buy, 2);
    CHECK_EQ_INT(d.calibrated, 1);
    double p = 0.8, q;
    eb_model_calibrate(&m, &p, &q);
    CHECK_NEAR(q, 16.0 / 17.0, 1e-12); /* sigmoid(2 * logit(0.8)) */
}

/* Each mutation of a valid blob is refused with the expected code. */
typedef struct {
    const char *what;
    size_t off;
    int kind; /* 0: u32 at off, 1: f64 at off, 2: byte at off */
    double value;
    eb_model_status_t want;
} mutation_t;

static void expect_refused(const mutation_t *mu, size_t len)
{
    build(EB_MODEL_OBJ_REGRESSION, 1, ONE_GROUP, 0);
    if (mu->kind == 0)
        p32(mu->off, (uint32_t)mu->value);
    else if (mu->kind == 1)
        pf64(mu->off, mu->value);
    else
        B[mu->off] = (uint8_t)mu->value;
    eb_model_t m;
    eb_model_error_t e;
    memset(&m, 0x5a, sizeof m);
    int rc = eb_model_open(&m, B, len ? len : blen, &e);
    CHECK_MSG(rc == (int)mu->want && e.code == mu->want, "%s: got %s (%s), want %s", mu->what,
              eb_model_status_name((eb_model_status_t)rc), e.msg, eb_model_status_name(mu->want));
    CHECK_MSG(e.msg[0] != '\0' && m.bytes == NULL && m.num_trees == 0, "%s: no message or view not cleared", mu->what);
}

#define NODE(i, field) (off_nodes + 16u * (i) + (field))
TEST(every_bad_field_and_index_is_refused)
{
    build(EB_MODEL_OBJ_REGRESSION, 1, ONE_GROUP, 0); /* offsets for the table below */
    const mutation_t mus[] = {
        {"magic", 0, 2, 'X', EB_MODEL_E_MAGIC},
        {"version 1 (16-byte nodes only)", EB_MH_VERSION, 0, 1, EB_MODEL_E_VERSION},
        {"version 3", EB_MH_VERSION, 0, 3, EB_MODEL_E_VERSION},
        {"header size", EB_MH_HEADER_SIZE, 0, 64, EB_MODEL_E_HEADER},
        {"total above limit", EB_MH_TOTAL, 0, EB_MODEL_MAX_BYTES + 16.0, EB_MODEL_E_OVERSIZED},
        {"total above length", EB_MH_TOTAL, 0, (double)blen + 16, EB_MODEL_E_TRUNCATED},
        {"total below length", EB_MH_TOTAL, 0, (double)blen - 16, EB_MODEL_E_OVERSIZED},
        {"layout on a LightGBM blob", EB_MH_LAYOUT, 0, 1, EB_MODEL_E_HEADER},
        {"reserved tail", EB_MODEL_HEADER_SIZE - 1, 2, 1, EB_MODEL_E_HEADER},
        {"objective 0", EB_MH_OBJECTIVE, 0, 0, EB_MODEL_E_HEADER},
        {"objective 5", EB_MH_OBJECTIVE, 0, 5, EB_MODEL_E_HEADER},
        {"objective needs groups", EB_MH_OBJECTIVE, 0, EB_MODEL_OBJ_SOFTPROB, EB_MODEL_E_HEADER},
        {"source", EB_MH_SOURCE, 0, 3, EB_MODEL_E_HEADER},
        {"flags", EB_MH_FLAGS, 0, 4, EB_MODEL_E_HEADER},
        {"features 0", EB_MH_FEATURES, 0, 0, EB_MODEL_E_HEADER},
        {"features above max", EB_MH_FEATURES, 0, EB_MODEL_MAX_FEATURES + 1.0, EB_MODEL_E_HEADER},
        {"groups 0", EB_MH_GROUPS, 0, 0, EB_MODEL_E_HEADER},
        {"groups above max", EB_MH_GROUPS, 0, EB_MODEL_MAX_CLASSES + 1.0, EB_MODEL_E_HEADER},
        {"trees 0", EB_MH_TREES, 0, 0, EB_MODEL_E_HEADER},
        {"nodes below trees", EB_MH_NODES, 0, 2, EB_MODEL_E_HEADER},
        {"nodes huge", EB_MH_NODES, 0, 4e9, EB_MODEL_E_SECTION},
        {"cat words huge", EB_MH_CAT_WORDS, 0, 4e9, EB_MODEL_E_SECTION},
        {"sigmoid 0", EB_MH_SIGMOID, 1, 0, EB_MODEL_E_VALUE},
        {"sigmoid NaN", EB_MH_SIGMOID, 1, NAN, EB_MODEL_E_VALUE},
        {"base offset", EB_MH_OFF_BASE, 0, EB_MODEL_HEADER_SIZE + 16.0, EB_MODEL_E_SECTION},
        {"trees offset", EB_MH_OFF_TREES, 0, off_trees - 16.0, EB_MODEL_E_SECTION},
        {"nodes offset", EB_MH_OFF_NODES, 0, off_nodes + 16.0, EB_MODEL_E_SECTION},
        {"cats offset", EB_MH_OFF_CATS, 0, 8, EB_MODEL_E_SECTION},
        {"decision offset", EB_MH_OFF_DECISION, 0, 0, EB_MODEL_E_SECTION},
        {"decision size", EB_MH_DECISION_SIZE, 0, 8, EB_MODEL_E_SECTION},
        {"base NaN", off_base, 1, NAN, EB_MODEL_E_VALUE},
        {"tree 0 first", off_trees, 0, 1, EB_MODEL_E_TREE},
        {"tree first not increasing", off_trees + 8, 0, 0, EB_MODEL_E_TREE},
        {"tree first beyond nodes", off_trees + 16, 0, NN, EB_MODEL_E_TREE},
        {"tree group", off_trees + 4, 0, 1, EB_MODEL_E_TREE},
        {"node feature", NODE(0, 12), 0, 2, EB_MODEL_E_NODE},
        {"node child backwards", NODE(0, 8), 0, 0, EB_MODEL_E_NODE},
        {"node child into next tree", NODE(0, 8), 0, 2, EB_MODEL_E_NODE},
        {"node child beyond nodes", NODE(6, 8), 0, 8, EB_MODEL_E_NODE},
        {"node child huge", NODE(3, 8), 0, 4294967295.0, EB_MODEL_E_NODE},
        {"unknown node flag", NODE(0, 12), 0, 1u << 24, EB_MODEL_E_NODE},
        {"leaf not pointing at itself", NODE(1, 8), 0, 2, EB_MODEL_E_NODE},
        {"leaf with a feature", NODE(1, 12), 0, EB_MODEL_N_LEAF | 1, EB_MODEL_E_NODE},
        {"leaf with flags", NODE(1, 12), 0, EB_MODEL_N_LEAF | EB_MODEL_N_DEFAULT_LEFT, EB_MODEL_E_NODE},
        {"last node of a tree is a split", NODE(2, 12), 0, 0, EB_MODEL_E_NODE},
        {"category words beyond", NODE(3, 0), 0, 1, EB_MODEL_E_NODE},
        {"category word count 0", NODE(3, 4), 0, 0, EB_MODEL_E_NODE},
        {"category word count huge", NODE(3, 4), 0, 4294967295.0, EB_MODEL_E_NODE},
        {"threshold NaN", NODE(0, 0), 1, NAN, EB_MODEL_E_VALUE},
        {"leaf infinite", NODE(1, 0), 1, INFINITY, EB_MODEL_E_VALUE},
        {"threshold_buy above 1", off_dec, 1, 1.5, EB_MODEL_E_VALUE},
        {"threshold_sell NaN", off_dec + 8, 1, NAN, EB_MODEL_E_VALUE},
        {"min_confidence negative", off_dec + 16, 1, -0.1, EB_MODEL_E_VALUE},
        {"class_buy out of range", off_dec + 32, 0, EB_MODEL_MAX_CLASSES, EB_MODEL_E_VALUE},
        {"calibrated without flag", off_dec + 36, 0, 1, EB_MODEL_E_VALUE},
        {"decision groups", off_dec + 40, 0, 2, EB_MODEL_E_SECTION},
        {"Platt NaN", off_dec + 48, 1, NAN, EB_MODEL_E_VALUE},
    };
    for (size_t i = 0; i < sizeof mus / sizeof mus[0]; i++)
        expect_refused(&mus[i], 0);
    const mutation_t none = {"length", 0, 2, 'E', EB_MODEL_E_TRUNCATED};
    expect_refused(&none, blen - 16);
    expect_refused(&none, 100);
    const mutation_t longer = {"length", 0, 2, 'E', EB_MODEL_E_OVERSIZED};
    expect_refused(&longer, blen + 16);
    eb_model_t m;
    eb_model_error_t e;
    build(EB_MODEL_OBJ_REGRESSION, 1, ONE_GROUP, 0);
    CHECK_EQ_INT(eb_model_open(&m, B + 4, blen, &e), EB_MODEL_E_ARG);
    CHECK_EQ_INT(eb_model_open(&m, NULL, blen, &e), EB_MODEL_E_ARG);
    CHECK_EQ_INT(eb_model_open(&m, B, 0, &e), EB_MODEL_E_TRUNCATED);
    CHECK_EQ_INT(eb_model_open(&m, B, blen, &e), 0); /* the builder itself is valid */
}

int main(void)
{
    RUN(evaluates_hand_checked_rows);
    RUN(groups_softmax_and_float32);
    RUN(logistic_and_decision_section);
    RUN(every_bad_field_and_index_is_refused);
    return eb_check_report();
}
