/* Internal: the row-parallel evaluator of complete-tree models (model_rows_x86.c), used by model_eval.c
 * for eb_model_predict_rows.
 *
 * The lane evaluator (model_lanes.h) puts 16 trees of one row side by side; here the 16 lanes of a
 * register are 16 rows at the same tree, so every lane reads the same tree and its nodes come from
 * registers: one record per tree, walked by all rows of a block (EB_ROWS_BLOCK rows, four registers).
 *   levels 0..3: each lane's value is picked from the candidate nodes' feature rows by a tree of masked
 *                blends keyed on the decisions so far (no gather); thresholds by one permute;
 *   levels 4, 5: one 16-lane gather from the block's transposed rows; node data by permutes;
 *   leaves:      permutes of the tree's (up to 64) leaves.
 * The block is held transposed, xt[vf][row], with the negated copy at vf = nf + f (model.h's virtual
 * features). Each row's float32 sum still runs over the trees in order, so results are bit-identical
 * to the portable walk. Only depths 2..6 and at most 64 features use it (the record holds 64 leaves). */
#ifndef EB_CORE_MODEL_ROWS_H
#define EB_CORE_MODEL_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define EB_ROWS_X86 1

#define EB_ROWS_MAX_DEPTH 6u
#define EB_ROWS_MAX_FEATURES 64u
#define EB_ROWS_BLOCK 64u /* rows walked together: four registers per value (32 measured as fast) */
#define EB_ROWS_ALIGN 64u

/* One tree, 768 bytes (12 cache lines). Nodes are found by their 1-based heap number h (level l's node
 * j is 2^l + j), which is what the walk carries: permutes read only an index's low bits, so h itself
 * indexes every table below (level 4's h = 16 + j reads entry j of a 16-entry table, and so on), with no
 * per-level offset to add. Unused entries are zero. */
typedef struct {
    float thr_top[16];  /* levels 0..3, by h (entry 0 unused) */
    float thr4[16];     /* level 4, node j */
    float thr5[32];     /* level 5, node j */
    float leaf[64];     /* leaf j at (2^D + j) & (D == 6 ? 63 : D == 5 ? 31 : 15), what the permutes read */
    int32_t off4[16];   /* levels 4 and 5: the node's row in xt (virtual feature * EB_ROWS_BLOCK) */
    int32_t off5[32];
    uint8_t vf_top[16]; /* levels 0..3: virtual feature, by h */
    uint8_t pad[48];    /* to whole cache lines: records are read with aligned loads */
} eb_rows_tree_t;

/* Bytes of the row image for m (without alignment slack); 0 when m cannot use it. */
size_t eb_rows_image_bytes(const eb_model_t *m);
/* Writes it at mem (EB_ROWS_ALIGN-aligned, eb_rows_image_bytes bytes). */
void eb_rows_build(const eb_model_t *m, uint8_t *mem);
/* acc[g * EB_ROWS_BLOCK + r] += every tree of group g on row r, in tree order (float32). x holds n <=
 * EB_ROWS_BLOCK rows of num_features doubles, stride apart; acc (64-byte aligned) starts at the base
 * scores. */
void eb_rows_margins(const eb_model_t *m, const double *x, size_t stride, uint32_t n, float *acc);
#endif

#endif
