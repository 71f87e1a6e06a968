/* Gradient-boosted tree model: a flat, position-independent blob evaluated in place.
 *
 * The blob (layout in docs/model-format.md) is little-endian, versioned, 16-byte aligned sections, no
 * pointers. Two tree layouts: the node graph (any model: 16-byte nodes, children are node indices) and,
 * for XGBoost models that allow it, complete trees of one depth D (8-byte-class nodes in cache-line
 * blocks, walked in exactly D branch-free steps; see eb_model_block_t). eb_model_open() checks every
 * field and every index in one pass; after it succeeds, evaluation cannot leave the blob and cannot loop.
 * Nothing is copied or allocated: the view points into the caller's bytes, which must stay alive,
 * unchanged and 8-byte aligned.
 *
 * Numerics follow the source library exactly: XGBoost blobs (EB_MODEL_F_FLOAT32) round each feature to
 * float32, compare strictly (x < threshold) and accumulate margins in float32; LightGBM blobs compare in
 * double with x <= threshold (stored as the next double up, so the test is again x < stored) and
 * accumulate in double. Missing values are NaN. */
#ifndef EB_CORE_MODEL_H
#define EB_CORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define EB_MODEL_MAGIC "EBMODEL"      /* 8 bytes with the terminating NUL */
#define EB_MODEL_VERSION 2u
#define EB_MODEL_HEADER_SIZE 128u
#define EB_MODEL_MAX_CLASSES 64u      /* output groups */
#define EB_MODEL_MAX_FEATURES 65535u
#define EB_MODEL_MAX_BYTES (64u << 20) /* 64 MiB: larger blobs are refused */

/* Trading model class order (labels -1/0/+1 are mapped to label + 1). */
#define EB_MODEL_CLASS_SELL 0
#define EB_MODEL_CLASS_NEUTRAL 1
#define EB_MODEL_CLASS_BUY 2

typedef enum {
    EB_MODEL_OBJ_SOFTPROB = 1,   /* XGBoost multi:softprob, LightGBM multiclass: softmax probabilities */
    EB_MODEL_OBJ_SOFTMAX = 2,    /* XGBoost multi:softmax: the index of the largest margin */
    EB_MODEL_OBJ_LOGISTIC = 3,   /* XGBoost binary:logistic, LightGBM binary: 1/(1+exp(-s*margin)) */
    EB_MODEL_OBJ_REGRESSION = 4, /* reg:squarederror, LightGBM regression: the margin itself */
} eb_model_objective_t;

typedef enum {
    EB_MODEL_SRC_XGBOOST = 1,
    EB_MODEL_SRC_LIGHTGBM = 2,
} eb_model_source_t;

/* Header flags. */
#define EB_MODEL_F_FLOAT32 1u     /* XGBoost numerics: float32 features and accumulation */
#define EB_MODEL_F_CALIBRATED 2u  /* the decision section's Platt parameters are applied */

/* One node, 16 bytes. For a split: go to `left` when x < thr, to `left + 1` otherwise; a missing value
 * goes to the default child. For a leaf, `thr` is the leaf value and `left` its own index (a step from a
 * leaf stays there, so trees can be walked side by side without a branch per node). For a categorical split `cat_word` /
 * `cat_nwords` (in place of thr) select a bitset of categories in the blob's category words. */
typedef struct {
    union {
        double thr;
        struct {
            uint32_t cat_word;   /* first 32-bit word of the bitset */
            uint32_t cat_nwords; /* number of words (categories 0 .. 32*n-1) */
        } cat;
    } u;
    uint32_t left;  /* split: left child's index (> this node's); right = left + 1. leaf: its own index */
    uint32_t meta;  /* bits 0..15 feature index, bits 16..31 EB_MODEL_N_* flags */
} eb_model_node_t;

#define EB_MODEL_N_FEATURE_MASK 0xFFFFu
#define EB_MODEL_N_LEAF (1u << 16)
#define EB_MODEL_N_DEFAULT_LEFT (1u << 17) /* missing goes left (NaN, and zero when N_ZERO_MISSING) */
#define EB_MODEL_N_CATEGORICAL (1u << 18)
#define EB_MODEL_N_ZERO_MISSING (1u << 19) /* LightGBM missing type Zero: |x| <= 1e-35 counts as missing */
#define EB_MODEL_N_CAT_IN_LEFT (1u << 20)  /* LightGBM: categories in the set go left (XGBoost: right) */
#define EB_MODEL_N_KNOWN_FLAGS 0x1Fu       /* bits 16..20 */

/* Complete-tree layout (header field layout = D, 2..EB_MODEL_MAX_DEPTH; XGBoost float32 models without
 * categorical splits and with at most EB_MODEL_MAX_COMPLETE_FEATURES features). Every tree is padded to a
 * complete tree of depth D (a leaf above depth D becomes dummy splits over copies of its value), so a
 * walk is D steps with no leaf test, no child pointers (children of node i are 2i+1 and 2i+2) and no
 * branch: i = 2i + 1 + (v[feature] >= threshold). v holds the row as float32 twice: v[f] = (float)x[f]
 * and v[nf + f] = -(float)x[f]; NaN fails >= and so takes the first child, which the compiler makes the
 * default child (a "missing goes right" split reads the negated copy with its children swapped).
 * A tree image is: the top D-2 levels (2^(D-2)-1 nodes) as f32 thresholds then u8 features, zero-padded
 * to a multiple of 32 bytes; then 2^(D-2) blocks of 32 bytes, one per node of level D-2, each holding
 * the last two levels and the four leaves, so a walk touches the (shared, hot) top and one block. */
#define EB_MODEL_MAX_DEPTH 8u
#define EB_MODEL_MAX_COMPLETE_FEATURES 128u /* virtual features 2 nf fit in a byte */
typedef struct {
    float thr[3];     /* node at level D-2, then its first and second child */
    uint8_t feat[3];  /* virtual feature indices (0 .. 2 nf - 1) */
    uint8_t zero;     /* must be 0 */
    float leaf[4];    /* leaf of path (b0, b1) at 2 b0 + b1 */
} eb_model_block_t;

/* Bytes of the top part and of one whole complete tree image of depth 2..EB_MODEL_MAX_DEPTH (inline:
 * the evaluator specialises on constant depths). */
static inline uint32_t eb_model_top_bytes(uint32_t depth) { return (5u * ((1u << (depth - 2u)) - 1u) + 31u) & ~31u; }
static inline uint32_t eb_model_tree_bytes(uint32_t depth)
{
    return eb_model_top_bytes(depth) + (uint32_t)sizeof(eb_model_block_t) * (1u << (depth - 2u));
}

/* A tree: its nodes are [first, next tree's first) (the last tree ends at the node count). In the
 * complete layout first(t) = t * (2^D - 1), the count of its internal nodes before it. */
typedef struct {
    uint32_t first;
    uint32_t group; /* output group (class) this tree adds to */
} eb_model_tree_t;

/* Decision section: what issue 5's signal needs, travelling inside the blob. */
typedef struct {
    double threshold_buy;  /* enter long when p(buy) >= this (and p(buy) > p(sell)); default 0.5 */
    double threshold_sell; /* enter short when p(sell) >= this (and p(sell) > p(buy)); default 0.5 */
    double min_confidence; /* max probability below this: no trade; default 0 */
    int32_t class_sell, class_neutral, class_buy; /* defaults 0, 1, 2 */
    int calibrated;        /* 1 when Platt parameters are present */
} eb_model_decision_t;

/* Header byte offsets (all fields little-endian; docs/model-format.md). */
enum {
    EB_MH_VERSION = 8, EB_MH_HEADER_SIZE = 12, EB_MH_TOTAL = 16, EB_MH_OBJECTIVE = 20, EB_MH_SOURCE = 24,
    EB_MH_FLAGS = 28, EB_MH_FEATURES = 32, EB_MH_GROUPS = 36, EB_MH_TREES = 40, EB_MH_NODES = 44,
    EB_MH_CAT_WORDS = 48, EB_MH_LAYOUT = 52, EB_MH_SCHEMA = 56, EB_MH_SIGMOID = 64, EB_MH_OFF_BASE = 72,
    EB_MH_OFF_TREES = 76, EB_MH_OFF_NODES = 80, EB_MH_OFF_CATS = 84, EB_MH_OFF_DECISION = 88,
    EB_MH_DECISION_SIZE = 92, EB_MH_RESERVED = 96
};
/* Decision section: f64 buy, sell, min_confidence; i32 class sell, neutral, buy; u32 calibrated;
 * u32 groups; u32 0; then per group f64 a, f64 b. */
uint32_t eb_model_decision_size(uint32_t groups);

typedef enum {
    EB_MODEL_OK = 0,
    EB_MODEL_E_ARG,        /* NULL pointer or misaligned bytes */
    EB_MODEL_E_TRUNCATED,  /* shorter than the header or the header's total size */
    EB_MODEL_E_OVERSIZED,  /* longer than the header's total size or EB_MODEL_MAX_BYTES */
    EB_MODEL_E_MAGIC,
    EB_MODEL_E_VERSION,
    EB_MODEL_E_HEADER,     /* a header field out of range (objective, counts, flags, layout, reserved bytes) */
    EB_MODEL_E_SECTION,    /* a section offset/size out of order, misaligned or outside the blob */
    EB_MODEL_E_TREE,       /* tree table: first node / group out of range or not increasing */
    EB_MODEL_E_NODE,       /* node: feature, child, flags or category range out of range */
    EB_MODEL_E_VALUE,      /* a non-finite threshold, leaf, base score or decision value */
} eb_model_status_t;

typedef struct {
    eb_model_status_t code;
    char msg[160]; /* names the field, the index and the allowed range */
} eb_model_error_t;

/* The in-place view. Fields are read-only for users; use the accessors. */
typedef struct {
    const uint8_t *bytes;
    size_t len;
    const eb_model_tree_t *trees;
    const eb_model_node_t *nodes; /* node-graph layout */
    const uint8_t *images;        /* complete layout: num_trees images of tree_bytes each */
    const uint32_t *cat_words;
    const double *base;   /* per group margin before the first tree */
    const uint8_t *decision;
    uint32_t num_trees, num_nodes, num_cat_words, num_features, num_groups, objective, source, flags;
    uint32_t depth;       /* complete layout's D, 0 for the node graph */
    uint32_t top_bytes, tree_bytes;
    double sigmoid;       /* logistic scale (1 for XGBoost) */
    uint64_t schema_hash;
    const uint8_t *lanes; /* lane image (eb_model_attach_lanes) or NULL */
    uint32_t lane_groups;
    const uint8_t *rows;  /* row image (eb_model_attach_rows) or NULL */
} eb_model_t;

/* Validates `len` bytes (8-byte aligned) in one pass and fills *m. On failure *m is zeroed and
 * err (may be NULL) says what is wrong. */
int eb_model_open(eb_model_t *m, const void *bytes, size_t len, eb_model_error_t *err);

uint32_t eb_model_num_features(const eb_model_t *m);
uint32_t eb_model_num_classes(const eb_model_t *m);  /* output groups: 1 for binary and regression */
uint32_t eb_model_num_outputs(const eb_model_t *m);  /* values eb_model_predict writes */
uint32_t eb_model_num_trees(const eb_model_t *m);
eb_model_objective_t eb_model_objective(const eb_model_t *m);
eb_model_source_t eb_model_source(const eb_model_t *m);
uint64_t eb_model_schema_hash(const eb_model_t *m);
const char *eb_model_objective_name(eb_model_objective_t o);

/* Raw margins: eb_model_num_classes() values (base score + sum of the group's leaves). */
void eb_model_predict_margin(const eb_model_t *m, const double *features, double *margins);
/* Transformed output: softmax probabilities (num_classes values), the class index (softmax), the
 * logistic probability or the regression value (1 value). Not calibrated. */
void eb_model_predict(const eb_model_t *m, const double *features, double *out);

/* Evaluators. Complete-tree models have a second one for x86-64 CPUs with AVX-512 (16 trees per
 * register; model_eval_x86.c), which needs a "lane image" derived from the blob into caller memory:
 * eb_model_lanes_size() bytes (0 when the model cannot use it: node graph, more than 64 features, or a
 * build for another architecture), filled by eb_model_attach_lanes() after eb_model_open(). The memory
 * must stay alive and unchanged with the blob; any alignment. Once attached, eb_model_predict* take the
 * AVX-512 path when CPUID reports AVX-512 F/BW/DQ/VL (valgrind's does not) and the portable path
 * otherwise; both give bit-identical results. Attaching is optional: without it nothing changes. */
typedef enum {
    EB_MODEL_PATH_PORTABLE = 0, /* the C walk every build has */
    EB_MODEL_PATH_AVX512 = 1,
} eb_model_path_t;
size_t eb_model_lanes_size(const eb_model_t *m);
/* Returns 0 when attached, -1 when the model has no use for a lane image or len is too small. */
int eb_model_attach_lanes(eb_model_t *m, void *mem, size_t len);
/* Many rows at once (backtests, training tools): a second image, eb_model_rows_size() bytes (0 when
 * the model cannot use it: node graph, depth above 6, more than 64 features, or another architecture),
 * filled by eb_model_attach_rows(), lets eb_model_predict_rows walk 64 rows per tree together on
 * AVX-512 CPUs (model_rows.h; about 48 KB of stack per call). Without it, on other CPUs, or for strides
 * above INT32_MAX / 8 doubles, eb_model_predict_rows predicts row by row. Either way every row's output
 * is bit-identical to eb_model_predict's. */
size_t eb_model_rows_size(const eb_model_t *m);
int eb_model_attach_rows(eb_model_t *m, void *mem, size_t len); /* 0, or -1 as eb_model_attach_lanes */
/* eb_model_predict on n rows of num_features doubles, `stride` doubles apart: out receives n groups of
 * eb_model_num_outputs() values. */
void eb_model_predict_rows(const eb_model_t *m, const double *x, size_t stride, size_t n, double *out);
/* 1 when eb_model_predict_rows walks rows together for m on this CPU. */
int eb_model_rows_ready(const eb_model_t *m);

/* The path eb_model_predict* take for m on this CPU. */
eb_model_path_t eb_model_path(const eb_model_t *m);
const char *eb_model_path_name(eb_model_path_t p);
/* eb_model_predict_margin through a chosen path (tests, benchmarks): 0, or -1 (margins untouched) when
 * that path is not available for m on this CPU. */
int eb_model_predict_margin_path(const eb_model_t *m, eb_model_path_t path, const double *features,
                                 double *margins);

/* Decision section: thresholds, class order, calibration flag. */
void eb_model_decision(const eb_model_t *m, eb_model_decision_t *d);
/* Platt parameters of class c (a = 1, b = 0 when uncalibrated or c out of range). */
void eb_model_platt(const eb_model_t *m, uint32_t c, double *a, double *b);
/* Calibrated probabilities: q_c = sigmoid(a_c * logit(p_c) + b_c), renormalised to sum 1 when there are
 * several classes; a copy of probs when the blob is uncalibrated. probs and out may alias. */
void eb_model_calibrate(const eb_model_t *m, const double *probs, double *out);

const char *eb_model_status_name(eb_model_status_t s);

#endif
