/* AVX-512 evaluator of complete-tree models: 16 trees per zmm register, a few groups of 16 side by side
 * (layout and schedule in model_lanes.h). Only built for x86-64 with GCC/Clang; the functions carry their
 * own target attribute, so the rest of the build keeps its -march, and model_eval.c calls them only when
 * CPUID says AVX-512 is there (valgrind's CPUID does not, so `make check` runs the portable walk).
 *
 * One step of 16 lanes: p is lane-major (lane i's node j of level l at i * 2^l + j), so the next level's
 * index is 2p + c for every lane. Levels 0..2 come from registers (a load, then 2- and 4-way permutes of
 * the group's level arrays), deeper top levels from one 64-bit gather per 8 lanes (code | threshold),
 * and the last two levels from the blob's 32-byte blocks: two 64-bit gathers per 8 lanes read
 * (thr0, thr1) and (thr2, features), then one gather reads the leaf. The row's value of a code is a
 * permute from the row's 64 floats held in four registers, sign-flipped for codes that read -x.
 * Compares are vcmpps NGE_UQ: c = !(v >= thr), NaN included - the scalar walk's carry flag, bit for bit.
 * Leaves are added in tree order per class, in float32, as the portable walk does. */
#include "core/model_lanes.h"

#if defined(EB_LANES_X86)
#include <immintrin.h>
#include <string.h>

#define LN_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
#define LN_INLINE static inline __attribute__((always_inline))
#define LN_UNROLL _Pragma("GCC unroll 16")
#define LN_K 5           /* groups walked side by side (measured best of 3..8 on the bench model) */
#define LN_PERM_LEVELS 3u /* levels 0..2 from registers, deeper ones gathered */
#define LN_NEG 0x80000000u

/* Byte offset of level l in a group's image (every level is 128 * 2^l bytes). */
static inline uint32_t level_off(uint32_t l) { return 128u * ((1u << l) - 1u); }
static inline size_t sched_bytes(uint32_t groups)
{
    return ((size_t)groups * sizeof(eb_lane_group_t) + EB_LANES_ALIGN - 1u) & ~(size_t)(EB_LANES_ALIGN - 1u);
}

_Static_assert(sizeof(eb_lane_group_t) == 16, "lane group entry is 16 bytes");

/* Trees of class c are [start[c], start[c] + count[c]): the loader checked they are sorted by group. */
static void class_runs(const eb_model_t *m, uint32_t *start, uint32_t *count)
{
    for (uint32_t c = 0; c < m->num_groups; c++)
        start[c] = count[c] = 0;
    for (uint32_t t = m->num_trees; t-- > 0;) {
        start[m->trees[t].group] = t;
        count[m->trees[t].group]++;
    }
}

size_t eb_lanes_image_bytes(const eb_model_t *m, uint32_t *groups)
{
    *groups = 0;
    if (m->depth == 0 || m->num_features > EB_LANES_MAX_FEATURES)
        return 0;
    uint32_t start[EB_MODEL_MAX_CLASSES], count[EB_MODEL_MAX_CLASSES], ng = 0;
    class_runs(m, start, count);
    for (uint32_t c = 0; c < m->num_groups; c++)
        ng += (count[c] + 15u) / 16u;
    *groups = ng;
    return sched_bytes(ng) + (size_t)ng * level_off(m->depth - 2u);
}

/* Level of 0-based heap node h and its index in the level. */
static uint32_t heap_level(uint32_t h, uint32_t *j)
{
    uint32_t l = 0;
    while ((h + 1u) >> (l + 1u))
        l++;
    *j = h + 1u - (1u << l);
    return l;
}

void eb_lanes_build(const eb_model_t *m, uint8_t *mem)
{
    uint32_t ng, start[EB_MODEL_MAX_CLASSES], count[EB_MODEL_MAX_CLASSES];
    memset(mem, 0, eb_lanes_image_bytes(m, &ng));
    class_runs(m, start, count);
    const uint32_t nt = m->depth - 2u, ntop = (1u << nt) - 1u, nf = m->num_features, gbytes = level_off(nt);
    eb_lane_group_t *sched = (eb_lane_group_t *)(void *)mem;
    uint8_t *images = mem + sched_bytes(ng);
    uint32_t rounds = 0, k = 0;
    for (uint32_t c = 0; c < m->num_groups; c++)
        rounds = (count[c] + 15u) / 16u > rounds ? (count[c] + 15u) / 16u : rounds;
    for (uint32_t q = 0; q < rounds; q++)
        for (uint32_t c = 0; c < m->num_groups; c++) {
            if (16u * q >= count[c])
                continue;
            uint32_t n = count[c] - 16u * q < 16u ? count[c] - 16u * q : 16u;
            eb_lane_group_t *s = &sched[k];
            s->first = start[c] + 16u * q;
            s->image = k * gbytes;
            s->group = (uint16_t)c;
            s->n = (uint8_t)n;
            uint32_t mask = (1u << n) - 1u, even = 0, odd = 0;
            for (uint32_t i = 0; i < 8; i++) {
                even |= ((mask >> (2u * i)) & 1u) << i;
                odd |= ((mask >> (2u * i + 1u)) & 1u) << i;
            }
            s->mask = (uint16_t)mask;
            s->mask_even = (uint8_t)even;
            s->mask_odd = (uint8_t)odd;
            uint8_t *gi = images + s->image;
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *img = m->images + (size_t)(s->first + i) * m->tree_bytes;
                for (uint32_t h = 0; h < ntop; h++) {
                    uint32_t j, l = heap_level(h, &j), p = (i << l) + j, vf = img[4u * ntop + h];
                    uint32_t code = vf < nf ? vf : (vf - nf) | LN_NEG;
                    uint8_t *lv = gi + level_off(l);
                    if (l < LN_PERM_LEVELS) {
                        memcpy(lv + 4u * p, img + 4u * h, 4);
                        memcpy(lv + (64u << l) + 4u * p, &code, 4);
                    } else {
                        memcpy(lv + 8u * p, &code, 4);
                        memcpy(lv + 8u * p + 4u, img + 4u * h, 4);
                    }
                }
            }
            k++;
        }
}

int eb_lanes_cpu_ok(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

/* The row's value for codes F (f in bits 0..5; the sign bit of NEG, or of ~NEG when negnot, flips it). */
LN_TARGET LN_INLINE __m512 row_value(__m512i F, __m512i NEG, const __m512 *T, const int negnot)
{
    __m512 lo = _mm512_permutex2var_ps(T[0], F, T[1]);
    __m512 hi = _mm512_permutex2var_ps(T[2], F, T[3]);
    __m512 v = _mm512_mask_mov_ps(lo, _mm512_test_epi32_mask(F, _mm512_set1_epi32(32)), hi);
    /* v ^ (NEG & sign) is ternary-logic table 0x78, v ^ (~NEG & sign) is 0xD2 (the table must be a literal
     * for clang, hence two calls) */
    __m512i x = _mm512_castps_si512(v), sign = _mm512_set1_epi32((int)LN_NEG);
    return _mm512_castsi512_ps(negnot ? _mm512_ternarylogic_epi32(x, NEG, sign, 0xD2)
                                      : _mm512_ternarylogic_epi32(x, NEG, sign, 0x78));
}

/* A block's byte holds a virtual feature vf (model.h: f, or nf + f for -x): f = min(vf, vf - nf)
 * unsigned, and vf - nf >= 0 exactly when it reads -x. */
LN_TARGET LN_INLINE __m512 block_value(__m512i bytes, __m512i nfv, const __m512 *T)
{
    __m512i vf = _mm512_and_si512(bytes, _mm512_set1_epi32(0xFF));
    __m512i d = _mm512_sub_epi32(vf, nfv);
    return row_value(_mm512_min_epu32(vf, d), d, T, 1);
}

/* 64-bit gathers at byte offsets O (one per lane; even lanes in one gather, odd in the other): the low
 * and high halves of each lane's 8 bytes, in lane order. */
LN_TARGET LN_INLINE void gather64(__m512i O, const uint8_t *base, __mmask8 even, __mmask8 odd, __m512i *lo,
                                  __m512i *hi)
{
    const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFll), z = _mm512_setzero_si512();
    __m512i a = _mm512_mask_i64gather_epi64(z, even, _mm512_and_si512(O, low32), base, 1);
    __m512i b = _mm512_mask_i64gather_epi64(z, odd, _mm512_srli_epi64(O, 32), base, 1);
    *lo = _mm512_mask_mov_epi32(a, 0xAAAA, _mm512_slli_epi64(b, 32));
    *hi = _mm512_mask_mov_epi32(_mm512_srli_epi64(a, 32), 0xAAAA, b);
}

/* LN_K groups g[k] of depth d: leaf[k][i] = leaf of tree g[k]->first + i (lanes >= n left 0). */
LN_TARGET LN_INLINE void walk(const eb_lane_group_t *const *g, const uint8_t *lane_images, const eb_model_t *m,
                              float (*leaf)[16], const uint32_t d, const __m512 *T, __m512i nfv)
{
    const uint32_t nt = d - 2u, tb = eb_model_tree_bytes(d);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i m1 = _mm512_set1_epi32(-1);
    __m512i p[LN_K];
    LN_UNROLL
    for (int k = 0; k < LN_K; k++)
        p[k] = lane;
    LN_UNROLL
    for (uint32_t l = 0; l < nt; l++) {
        LN_UNROLL
        for (int k = 0; k < LN_K; k++) {
            const uint8_t *b = lane_images + g[k]->image + level_off(l);
            __m512i F;
            __m512 thr;
            if (l == 0) {
                thr = _mm512_load_ps(b);
                F = _mm512_load_si512(b + 64);
            } else if (l == 1) {
                thr = _mm512_permutex2var_ps(_mm512_load_ps(b), p[k], _mm512_load_ps(b + 64));
                F = _mm512_permutex2var_epi32(_mm512_load_si512(b + 128), p[k], _mm512_load_si512(b + 192));
            } else if (l == 2) {
                __mmask16 hi = _mm512_test_epi32_mask(p[k], _mm512_set1_epi32(32));
                thr = _mm512_mask_mov_ps(_mm512_permutex2var_ps(_mm512_load_ps(b), p[k], _mm512_load_ps(b + 64)), hi,
                                         _mm512_permutex2var_ps(_mm512_load_ps(b + 128), p[k], _mm512_load_ps(b + 192)));
                F = _mm512_mask_mov_epi32(
                    _mm512_permutex2var_epi32(_mm512_load_si512(b + 256), p[k], _mm512_load_si512(b + 320)), hi,
                    _mm512_permutex2var_epi32(_mm512_load_si512(b + 384), p[k], _mm512_load_si512(b + 448)));
            } else {
                __m512i t;
                gather64(_mm512_slli_epi32(p[k], 3), b, 0xFF, 0xFF, &F, &t);
                thr = _mm512_castsi512_ps(t);
            }
            __mmask16 c = _mm512_cmp_ps_mask(row_value(F, F, T, 0), thr, _CMP_NGE_UQ);
            p[k] = _mm512_mask_sub_epi32(_mm512_add_epi32(p[k], p[k]), c, _mm512_add_epi32(p[k], p[k]), m1);
        }
    }
    /* Lane i's block p - i * 2^nt sits at byte i * tb + top + 32 (p - i * 2^nt) of its group's images. */
    const __m512i laneoff = _mm512_add_epi32(_mm512_mullo_epi32(lane, _mm512_set1_epi32((int)(tb - (32u << nt)))),
                                             _mm512_set1_epi32((int)eb_model_top_bytes(d)));
    LN_UNROLL
    for (int k = 0; k < LN_K; k++) {
        const uint8_t *im = m->images + (size_t)g[k]->first * tb;
        __m512i O = _mm512_add_epi32(_mm512_slli_epi32(p[k], 5), laneoff);
        __m512i t0, t1, t2, feats;
        gather64(O, im, g[k]->mask_even, g[k]->mask_odd, &t0, &t1);
        gather64(O, im + 8, g[k]->mask_even, g[k]->mask_odd, &t2, &feats);
        __mmask16 c0 = _mm512_cmp_ps_mask(block_value(feats, nfv, T), _mm512_castsi512_ps(t0), _CMP_NGE_UQ);
        /* second step: node 1 + c0, its feature byte 1 + c0 and threshold t1 or t2 */
        __m512i f1 = _mm512_mask_srli_epi32(_mm512_srli_epi32(feats, 8), c0, feats, 16);
        __m512 th1 = _mm512_castsi512_ps(_mm512_mask_mov_epi32(t1, c0, t2));
        __mmask16 c1 = _mm512_cmp_ps_mask(block_value(f1, nfv, T), th1, _CMP_NGE_UQ);
        __m512i at = _mm512_mask_add_epi32(O, c0, O, _mm512_set1_epi32(8));
        at = _mm512_mask_add_epi32(at, c1, at, _mm512_set1_epi32(4));
        _mm512_store_ps(leaf[k], _mm512_mask_i32gather_ps(_mm512_setzero_ps(), g[k]->mask, at, im + 16, 1));
    }
}

/* Float32 sum of a group's leaves in tree order onto its class. */
LN_TARGET LN_INLINE void add_group(float *acc, const eb_lane_group_t *g, const float *leaf)
{
    float s = acc[g->group];
    if (g->n == 16) {
        LN_UNROLL
        for (int i = 0; i < 16; i++)
            s += leaf[i];
    } else {
        for (uint32_t i = 0; i < g->n; i++)
            s += leaf[i];
    }
    acc[g->group] = s;
}

LN_TARGET LN_INLINE void lanes_sum(const eb_model_t *m, const double *features, float *acc, const uint32_t d)
{
    /* The row as float32 in four registers (features beyond nf: 0, never read). */
    const uint32_t nf = m->num_features;
    __m512 T[4];
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t r = nf > 16u * i ? (nf - 16u * i < 16u ? nf - 16u * i : 16u) : 0u;
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
        if (r > 0)
            lo = _mm512_cvtpd_ps(_mm512_maskz_loadu_pd((__mmask8)((1u << (r < 8u ? r : 8u)) - 1u), features + 16u * i));
        if (r > 8)
            hi = _mm512_cvtpd_ps(_mm512_maskz_loadu_pd((__mmask8)((1u << (r - 8u)) - 1u), features + 16u * i + 8u));
        T[i] = _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
    }
    const __m512i nfv = _mm512_set1_epi32((int)nf);
    const uint32_t ng = m->lane_groups;
    const eb_lane_group_t *sched = (const eb_lane_group_t *)(const void *)m->lanes;
    const uint8_t *lane_images = m->lanes + sched_bytes(ng);
    float leaf[LN_K][16] __attribute__((aligned(64)));
    for (uint32_t s = 0; s < ng; s += LN_K) {
        const eb_lane_group_t *g[LN_K];
        LN_UNROLL
        for (uint32_t k = 0; k < LN_K; k++) /* a short last batch walks its last group again */
            g[k] = &sched[s + k < ng ? s + k : ng - 1u];
        walk(g, lane_images, m, leaf, d, T, nfv);
        LN_UNROLL
        for (uint32_t k = 0; k < LN_K; k++)
            if (s + k < ng)
                add_group(acc, g[k], leaf[k]);
    }
}

LN_TARGET void eb_lanes_margins(const eb_model_t *m, const double *features, float *acc)
{
    switch (m->depth) { /* 2..EB_MODEL_MAX_DEPTH (eb_model_open), specialised like the portable walk */
    case 2: lanes_sum(m, features, acc, 2); break;
    case 3: lanes_sum(m, features, acc, 3); break;
    case 4: lanes_sum(m, features, acc, 4); break;
    case 5: lanes_sum(m, features, acc, 5); break;
    case 6: lanes_sum(m, features, acc, 6); break;
    case 7: lanes_sum(m, features, acc, 7); break;
    default: lanes_sum(m, features, acc, 8); break;
    }
}
#endif
