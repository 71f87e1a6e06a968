/* AVX-512 evaluator of complete-tree models, 16 rows per register (layout in model_rows.h). Built for
 * x86-64 with GCC/Clang only; its functions carry their own target attribute and model_eval.c calls them
 * only when CPUID says AVX-512 is there.
 *
 * Per tree and per register of rows, the walk keeps each lane's heap number h (h = 2h + c from 1, the
 * lane walk's rule) and the decision masks k[l]. Compares are vcmpps NGE_UQ: c = !(v >= thr), NaN
 * included, which is the scalar walk's carry flag bit for bit. */
#include "core/model_rows.h"

#if defined(EB_ROWS_X86)
#include <immintrin.h>
#include <string.h>

#if defined(__clang__)
/* UBSan's checks in the unrolled walk take clang minutes to compile (make fuzz); ASan still covers it. */
#define RW_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"), no_sanitize("undefined")))
#else
#define RW_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
#endif
#define RW_INLINE static inline __attribute__((always_inline))
#define RW_UNROLL _Pragma("GCC unroll 16")
#define RW_R (EB_ROWS_BLOCK / 16u) /* registers per value */
#define RW_TOP 4u                  /* levels picked by blends */

_Static_assert(sizeof(eb_rows_tree_t) == 768, "row tree record is 12 cache lines");

size_t eb_rows_image_bytes(const eb_model_t *m)
{
    if (m->depth < 2 || m->depth > EB_ROWS_MAX_DEPTH || m->num_features > EB_ROWS_MAX_FEATURES)
        return 0;
    return (size_t)m->num_trees * sizeof(eb_rows_tree_t);
}

/* Node j of level l of a complete tree image of depth d (model.h): its threshold and virtual feature. */
static void image_node(const uint8_t *img, uint32_t d, uint32_t l, uint32_t j, float *thr, uint8_t *vf)
{
    const uint32_t ntop = (1u << (d - 2u)) - 1u;
    const eb_model_block_t *bk = (const eb_model_block_t *)(const void *)(img + eb_model_top_bytes(d));
    if (l + 2u < d) {
        uint32_t h = (1u << l) - 1u + j;
        memcpy(thr, img + 4u * h, 4);
        *vf = img[4u * ntop + h];
    } else if (l + 2u == d) {
        *thr = bk[j].thr[0];
        *vf = bk[j].feat[0];
    } else {
        *thr = bk[j >> 1].thr[1u + (j & 1u)];
        *vf = bk[j >> 1].feat[1u + (j & 1u)];
    }
}

/* Where leaf j of a depth-d tree sits (model_rows.h). */
static uint32_t leaf_slot(uint32_t d, uint32_t j)
{
    return ((1u << d) + j) & (d >= 6 ? 63u : d == 5 ? 31u : 15u);
}

void eb_rows_build(const eb_model_t *m, uint8_t *mem)
{
    const uint32_t d = m->depth;
    eb_rows_tree_t *rec = (eb_rows_tree_t *)(void *)mem;
    memset(mem, 0, eb_rows_image_bytes(m));
    for (uint32_t t = 0; t < m->num_trees; t++) {
        const uint8_t *img = m->images + (size_t)t * m->tree_bytes;
        const eb_model_block_t *bk = (const eb_model_block_t *)(const void *)(img + eb_model_top_bytes(d));
        eb_rows_tree_t *r = &rec[t];
        for (uint32_t l = 0; l < d; l++)
            for (uint32_t j = 0; j < (1u << l); j++) {
                float thr;
                uint8_t vf;
                image_node(img, d, l, j, &thr, &vf);
                if (l < RW_TOP) {
                    r->thr_top[(1u << l) + j] = thr;
                    r->vf_top[(1u << l) + j] = vf;
                } else if (l == 4) {
                    r->thr4[j] = thr;
                    r->off4[j] = (int32_t)(vf * EB_ROWS_BLOCK);
                } else {
                    r->thr5[j] = thr;
                    r->off5[j] = (int32_t)(vf * EB_ROWS_BLOCK);
                }
            }
        for (uint32_t j = 0; j < (1u << d); j++)
            r->leaf[leaf_slot(d, j)] = bk[j >> 2].leaf[j & 3u];
    }
}

/* The value of each lane's node at level l (< RW_TOP): the candidates' rows of register r, narrowed by
 * the decisions k[l-1], then k[l-2], ... (pairs 2j, 2j + 1 differ in the latest one). */
RW_TARGET RW_INLINE __m512 pick(const float *xt, const uint8_t *vf, const uint32_t l, const __mmask16 *k)
{
    __m512 c[8];
    uint32_t n = 1u << l;
    RW_UNROLL
    for (uint32_t j = 0; j < n; j++)
        c[j] = _mm512_load_ps(xt + (size_t)vf[j] * EB_ROWS_BLOCK);
    RW_UNROLL
    for (uint32_t s = l; s-- > 0;) {
        n >>= 1;
        RW_UNROLL
        for (uint32_t j = 0; j < n; j++)
            c[j] = _mm512_mask_blend_ps(k[s], c[2u * j], c[2u * j + 1u]);
    }
    return c[0];
}

/* The gathered value at xt offsets O (a node's row) for register r's lanes: xt[O + 16 r + lane]. */
RW_TARGET RW_INLINE __m512 gathered(const float *xt, __m512i O, __m512i laneoff)
{
    return _mm512_i32gather_ps(_mm512_add_epi32(O, laneoff), xt, 4);
}

/* The next heap number: h = 2h + c. */
RW_TARGET RW_INLINE __m512i step(__m512i h, __mmask16 c)
{
    return _mm512_mask_sub_epi32(_mm512_add_epi32(h, h), c, _mm512_add_epi32(h, h), _mm512_set1_epi32(-1));
}

/* One tree of depth d over the block: acc[r] += its leaf for every row. */
RW_TARGET RW_INLINE void tree(const eb_rows_tree_t *t, const float *xt, __m512 *acc, const uint32_t d)
{
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512 thr_top = _mm512_load_ps(t->thr_top);
    __m512i h[RW_R];
    __mmask16 k[RW_R][RW_TOP];
    const uint32_t top = d < RW_TOP ? d : RW_TOP;
    RW_UNROLL
    for (uint32_t r = 0; r < RW_R; r++)
        h[r] = _mm512_set1_epi32(1);
    RW_UNROLL
    for (uint32_t l = 0; l < top; l++) {
        RW_UNROLL
        for (uint32_t r = 0; r < RW_R; r++) {
            __m512 v = pick(xt + 16u * r, t->vf_top + (1u << l), l, k[r]);
            __m512 thr = l == 0 ? _mm512_set1_ps(t->thr_top[1]) : _mm512_permutexvar_ps(h[r], thr_top);
            k[r][l] = _mm512_cmp_ps_mask(v, thr, _CMP_NGE_UQ);
            h[r] = step(h[r], k[r][l]);
        }
    }
    if (d > 4) {
        const __m512i O4 = _mm512_load_si512(t->off4);
        const __m512 T4 = _mm512_load_ps(t->thr4);
        RW_UNROLL
        for (uint32_t r = 0; r < RW_R; r++) {
            __m512 v = gathered(xt, _mm512_permutexvar_epi32(h[r], O4),
                                _mm512_add_epi32(lane, _mm512_set1_epi32((int)(16u * r))));
            h[r] = step(h[r], _mm512_cmp_ps_mask(v, _mm512_permutexvar_ps(h[r], T4), _CMP_NGE_UQ));
        }
    }
    if (d > 5) {
        const __m512i O5a = _mm512_load_si512(t->off5), O5b = _mm512_load_si512(t->off5 + 16);
        const __m512 T5a = _mm512_load_ps(t->thr5), T5b = _mm512_load_ps(t->thr5 + 16);
        RW_UNROLL
        for (uint32_t r = 0; r < RW_R; r++) {
            __m512 v = gathered(xt, _mm512_permutex2var_epi32(O5a, h[r], O5b),
                                _mm512_add_epi32(lane, _mm512_set1_epi32((int)(16u * r))));
            h[r] = step(h[r], _mm512_cmp_ps_mask(v, _mm512_permutex2var_ps(T5a, h[r], T5b), _CMP_NGE_UQ));
        }
    }
    RW_UNROLL
    for (uint32_t r = 0; r < RW_R; r++) {
        __m512 leaf;
        if (d <= 4) {
            leaf = _mm512_permutexvar_ps(h[r], _mm512_load_ps(t->leaf));
        } else if (d == 5) {
            leaf = _mm512_permutex2var_ps(_mm512_load_ps(t->leaf), h[r], _mm512_load_ps(t->leaf + 16));
        } else {
            __m512 lo = _mm512_permutex2var_ps(_mm512_load_ps(t->leaf), h[r], _mm512_load_ps(t->leaf + 16));
            __m512 hi = _mm512_permutex2var_ps(_mm512_load_ps(t->leaf + 32), h[r], _mm512_load_ps(t->leaf + 48));
            leaf = _mm512_mask_blend_ps(_mm512_test_epi32_mask(h[r], _mm512_set1_epi32(32)), lo, hi);
        }
        acc[r] = _mm512_add_ps(acc[r], leaf);
    }
}

RW_TARGET RW_INLINE void rows_sum(const eb_model_t *m, const float *xt, float *acc, const uint32_t d)
{
    const eb_rows_tree_t *rec = (const eb_rows_tree_t *)(const void *)m->rows;
    const uint32_t nt = m->num_trees;
    for (uint32_t t = 0; t < nt; t++) {
        float *a = acc + (size_t)m->trees[t].group * EB_ROWS_BLOCK;
        __m512 s[RW_R];
        RW_UNROLL
        for (uint32_t r = 0; r < RW_R; r++)
            s[r] = _mm512_load_ps(a + 16u * r);
        tree(&rec[t], xt, s, d);
        RW_UNROLL
        for (uint32_t r = 0; r < RW_R; r++)
            _mm512_store_ps(a + 16u * r, s[r]);
    }
}

/* xt[f][r] = (float)x[r][f] and xt[nf + f][r] = -xt[f][r], 16 rows at a time by two 8-double gathers
 * per feature; rows past n are zeros (walked, never reported). */
RW_TARGET RW_INLINE void transpose(const double *x, size_t stride, uint32_t n, uint32_t nf, float *xt)
{
    const __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride));
    const __m512 sign = _mm512_set1_ps(-0.0f);
    for (uint32_t r0 = 0; r0 < EB_ROWS_BLOCK; r0 += 16) {
        uint32_t left = n > r0 ? n - r0 : 0;
        __mmask8 lo = (__mmask8)(left >= 8 ? 0xFF : (1u << left) - 1u);
        __mmask8 hi = (__mmask8)(left >= 16 ? 0xFF : left > 8 ? (1u << (left - 8)) - 1u : 0);
        const double *a = x + (size_t)r0 * stride, *b = a + 8 * stride;
        for (uint32_t f = 0; f < nf; f++) {
            __m256 l = _mm512_cvtpd_ps(_mm512_mask_i32gather_pd(_mm512_setzero_pd(), lo, idx, a + f, 8));
            __m256 h = hi ? _mm512_cvtpd_ps(_mm512_mask_i32gather_pd(_mm512_setzero_pd(), hi, idx, b + f, 8))
                          : _mm256_setzero_ps();
            __m512 v = _mm512_insertf32x8(_mm512_castps256_ps512(l), h, 1);
            _mm512_store_ps(xt + (size_t)f * EB_ROWS_BLOCK + r0, v);
            _mm512_store_ps(xt + (size_t)(nf + f) * EB_ROWS_BLOCK + r0, _mm512_xor_ps(v, sign));
        }
    }
}

RW_TARGET void eb_rows_margins(const eb_model_t *m, const double *x, size_t stride, uint32_t n, float *acc)
{
    const uint32_t nf = m->num_features;
    float xt[2u * EB_ROWS_MAX_FEATURES * EB_ROWS_BLOCK] __attribute__((aligned(64)));
    transpose(x, stride, n, nf, xt);
    switch (m->depth) { /* 2..EB_ROWS_MAX_DEPTH (eb_rows_image_bytes) */
    case 2: rows_sum(m, xt, acc, 2); break;
    case 3: rows_sum(m, xt, acc, 3); break;
    case 4: rows_sum(m, xt, acc, 4); break;
    case 5: rows_sum(m, xt, acc, 5); break;
    default: rows_sum(m, xt, acc, 6); break;
    }
}
#endif
