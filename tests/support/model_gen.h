/* Random complete-tree blobs (XGBoost float32 numerics, model.h's complete layout) and rows on float32
 * edges, for the tests that hold the evaluators to each other bit for bit (test_model_dispatch.c,
 * test_model_rows.c). Thresholds come from a mix of edges (+-inf, +-0, subnormals, +-FLT_MAX), a coarse
 * grid that rows land on and random values; leaves span 2^-30..2^30 so any change in the float32
 * summation order shows. The generator state is the caller's: the same seed gives the same models. */
#ifndef EB_TESTS_MODEL_GEN_H
#define EB_TESTS_MODEL_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#define EB_MGEN_SEED 0x9E3779B97F4A7C15ull
#define EB_MGEN_MAX_GROUPS 8u

typedef struct {
    uint64_t s; /* xorshift64 state, never 0 */
} eb_mgen_t;

uint32_t eb_mgen_rnd(eb_mgen_t *g, uint32_t n); /* 0 .. n-1 */
float eb_mgen_unitf(eb_mgen_t *g);              /* [0, 1) in steps of 2^-24 */

typedef struct {
    uint32_t depth, nf, groups, count[EB_MGEN_MAX_GROUPS], trees; /* count[g] trees add to group g */
    uint32_t objective; /* eb_model_objective_t; 0: softprob for several groups, regression for one */
} eb_mgen_spec_t;

/* depth and nf as given; groups as given (0: random 1..6) with 0..80 trees each (partial 16-tree
 * groups, groups without trees), at least one tree in all; objective 0. */
void eb_mgen_spec(eb_mgen_t *g, eb_mgen_spec_t *s, uint32_t depth, uint32_t nf, uint32_t groups);

/* A valid complete-layout blob for s (depth 2..8, nf 1..128), random content; aligned_alloc'd (16),
 * free() it. */
uint8_t *eb_mgen_blob(eb_mgen_t *g, const eb_mgen_spec_t *s, size_t *len);

/* A valid node-graph blob (layout 0, XGBoost float32) of `trees` one-split trees over nf features, one
 * group, regression: models no complete-tree evaluator takes. aligned_alloc'd (16). */
uint8_t *eb_mgen_graph_blob(eb_mgen_t *g, uint32_t nf, uint32_t trees, size_t *len);

/* Split i of tree t of the complete-tree model m (i in 0 .. 2^depth - 2: the top nodes in heap order,
 * then each block's three nodes): its feature (f, for a split on x or on -x) and the x whose float32
 * value, or its negation, equals the threshold exactly. */
float eb_mgen_split_x(const eb_model_t *m, uint32_t t, uint32_t i, uint32_t *f);

/* A row value for feature f of the complete-tree model m: an edge (NaN, +-inf, +-0, double and float
 * subnormals, +-FLT_MAX, a double that rounds to inf, +-1e300), a random value, or a value on, next to
 * or rounding onto a threshold that a split of m compares f (or -f) with. */
double eb_mgen_row_value(eb_mgen_t *g, const eb_model_t *m, uint32_t f);

#endif
