/* Internal: the 16-lane evaluator of complete-tree models (model_eval_x86.c), used by model_eval.c.
 *
 * Its top levels are walked from a "lane image" that eb_model_attach_lanes() derives from the blob into
 * caller memory (model.h). Trees are taken in groups of 16 consecutive trees of one output group (class);
 * a group's image holds levels 0 .. D-3 of its 16 trees side by side, lane-major per level (lane i's
 * 2^l nodes of level l at i * 2^l + j), so that one step is p = 2p + c whatever the lane:
 *   levels 0..2: f32 thresholds [16 * 2^l], then u32 feature codes [16 * 2^l] (read with permutes);
 *   levels 3..D-3: u64 per node, code | threshold << 32 (read with gathers).
 * A code is f | 0x80000000 when the split reads -x (model.h's virtual feature nf + f), so the row is held
 * once, as 64 floats in four zmm registers. The last two levels and the leaves are read from the blob's
 * own 32-byte blocks. Groups are scheduled round-robin across classes (each class's float32 sum stays in
 * tree order; the classes' sums are independent chains). The image is a function of the blob alone. */
#ifndef EB_CORE_MODEL_LANES_H
#define EB_CORE_MODEL_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define EB_LANES_X86 1

#define EB_LANES_MAX_FEATURES 64u /* the row in four zmm registers */
#define EB_LANES_ALIGN 64u

/* One scheduled group: 16 B. */
typedef struct {
    uint32_t first;  /* first tree (index into the tree table and the blob's images) */
    uint32_t image;  /* byte offset of its level image from the start of the lane images */
    uint16_t group;  /* output group (class) */
    uint16_t mask;   /* lanes in use: (1 << n) - 1 */
    uint8_t n;       /* trees in the group, 1..16 */
    uint8_t mask_even, mask_odd; /* mask's even / odd lanes, one bit each (for 8-lane qword gathers) */
    uint8_t zero;
} eb_lane_group_t;

/* Bytes the lane image needs for m (without alignment slack), 0 when m has none (node graph, or more
 * than EB_LANES_MAX_FEATURES features). *groups receives the number of groups. */
size_t eb_lanes_image_bytes(const eb_model_t *m, uint32_t *groups);
/* Writes it at mem (EB_LANES_ALIGN-aligned, eb_lanes_image_bytes bytes). */
void eb_lanes_build(const eb_model_t *m, uint8_t *mem);
/* 1 when this CPU (and OS) runs AVX-512 F/BW/DQ/VL code. */
int eb_lanes_cpu_ok(void);
/* Adds every tree's leaf to acc[group] in tree order per group (float32), like the portable walk. */
void eb_lanes_margins(const eb_model_t *m, const double *features, float *acc);
#endif

#endif
