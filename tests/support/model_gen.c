#include "tests/support/model_gen.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t eb_mgen_rnd(eb_mgen_t *g, uint32_t n)
{
    g->s ^= g->s << 13, g->s ^= g->s >> 7, g->s ^= g->s << 17;
    return (uint32_t)((g->s >> 32) % n);
}

float eb_mgen_unitf(eb_mgen_t *g) { return (float)eb_mgen_rnd(g, 1u << 24) / (float)(1u << 24); }

void eb_mgen_spec(eb_mgen_t *g, eb_mgen_spec_t *s, uint32_t depth, uint32_t nf, uint32_t groups)
{
    static const uint32_t counts[] = {0, 1, 5, 15, 16, 17, 31, 32, 33, 47, 80};
    memset(s, 0, sizeof *s);
    s->depth = depth;
    s->nf = nf;
    s->groups = groups ? groups : 1 + eb_mgen_rnd(g, 6);
    for (uint32_t k = 0; k < s->groups; k++) {
        s->count[k] = eb_mgen_rnd(g, 3) ? counts[eb_mgen_rnd(g, sizeof counts / sizeof counts[0])] : eb_mgen_rnd(g, 81);
        s->trees += s->count[k];
    }
    if (s->trees == 0) {
        s->count[eb_mgen_rnd(g, s->groups)] = 1;
        s->trees = 1;
    }
}

/* Float32 edges for thresholds (and, through them, rows). */
static float edge_thr(eb_mgen_t *g)
{
    static const float e[] = {-INFINITY, INFINITY, -0.0f, 0.0f, 1e-45f, -1e-45f, FLT_MIN, -FLT_MIN, FLT_MAX,
                              -FLT_MAX, 0.5f, -0.5f, 1.0f, 3e-39f, -3e-39f};
    switch (eb_mgen_rnd(g, 4)) {
    case 0: return e[eb_mgen_rnd(g, sizeof e / sizeof e[0])];
    case 1: return (float)((int)eb_mgen_rnd(g, 33) - 16) / 8.0f; /* a coarse grid: rows land on it */
    default: return (eb_mgen_unitf(g) * 4.0f - 2.0f);
    }
}

static float leaf_value(eb_mgen_t *g)
{
    switch (eb_mgen_rnd(g, 6)) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    default: return (eb_mgen_rnd(g, 2) ? 1.0f : -1.0f) * eb_mgen_unitf(g) * ldexpf(1.0f, (int)eb_mgen_rnd(g, 61) - 30);
    }
}

static void p32(uint8_t *b, size_t o, uint32_t v) { memcpy(b + o, &v, 4); }
static void pf64(uint8_t *b, size_t o, double v) { memcpy(b + o, &v, 8); }
static size_t al16(size_t v) { return (v + 15u) & ~(size_t)15u; }

/* Section offsets of a blob with G groups, T trees and node_bytes of nodes (model.c's fixed order). */
typedef struct {
    size_t trees, nodes, dec, len;
} layout_t;

static layout_t sections(uint32_t G, uint32_t T, size_t node_bytes)
{
    layout_t l;
    l.trees = al16(EB_MODEL_HEADER_SIZE + 8u * G);
    l.nodes = al16(l.trees + 8u * T);
    l.dec = al16(l.nodes + node_bytes);
    l.len = al16(l.dec + eb_model_decision_size(G));
    return l;
}

/* A zeroed blob with header, section offsets and a default decision section (no trees, no base). */
static uint8_t *blob_shell(const layout_t *l, uint32_t objective, uint32_t nf, uint32_t G, uint32_t T,
                           uint32_t nodes, uint32_t depth)
{
    uint8_t *b = aligned_alloc(16, l->len);
    memset(b, 0, l->len);
    memcpy(b, EB_MODEL_MAGIC, 8);
    p32(b, EB_MH_VERSION, EB_MODEL_VERSION);
    p32(b, EB_MH_HEADER_SIZE, EB_MODEL_HEADER_SIZE);
    p32(b, EB_MH_TOTAL, (uint32_t)l->len);
    p32(b, EB_MH_OBJECTIVE, objective);
    p32(b, EB_MH_SOURCE, EB_MODEL_SRC_XGBOOST);
    p32(b, EB_MH_FLAGS, EB_MODEL_F_FLOAT32);
    p32(b, EB_MH_FEATURES, nf);
    p32(b, EB_MH_GROUPS, G);
    p32(b, EB_MH_TREES, T);
    p32(b, EB_MH_NODES, nodes);
    p32(b, EB_MH_LAYOUT, depth);
    pf64(b, EB_MH_SIGMOID, 1.0);
    p32(b, EB_MH_OFF_BASE, EB_MODEL_HEADER_SIZE);
    p32(b, EB_MH_OFF_TREES, (uint32_t)l->trees);
    p32(b, EB_MH_OFF_NODES, (uint32_t)l->nodes);
    p32(b, EB_MH_OFF_CATS, (uint32_t)l->dec);
    p32(b, EB_MH_OFF_DECISION, (uint32_t)l->dec);
    p32(b, EB_MH_DECISION_SIZE, eb_model_decision_size(G));
    pf64(b, l->dec, 0.5);
    pf64(b, l->dec + 8, 0.5);
    p32(b, l->dec + 28, 1);
    p32(b, l->dec + 32, 2);
    p32(b, l->dec + 40, G);
    for (uint32_t g = 0; g < G; g++)
        pf64(b, l->dec + 48u + 16u * g, 1.0);
    return b;
}

/* One complete tree image of depth d: random splits over 2 nf virtual features, random leaves. */
static void tree_image(eb_mgen_t *g, uint8_t *img, uint32_t d, uint32_t nf)
{
    const uint32_t ntop = (1u << (d - 2u)) - 1u;
    for (uint32_t i = 0; i < ntop; i++) {
        float thr = edge_thr(g);
        memcpy(img + 4u * i, &thr, 4);
        img[4u * ntop + i] = (uint8_t)eb_mgen_rnd(g, 2u * nf);
    }
    eb_model_block_t *bk = (eb_model_block_t *)(void *)(img + eb_model_top_bytes(d));
    for (uint32_t k = 0; k <= ntop; k++) {
        for (int j = 0; j < 3; j++) {
            bk[k].thr[j] = edge_thr(g);
            bk[k].feat[j] = (uint8_t)eb_mgen_rnd(g, 2u * nf);
        }
        for (int j = 0; j < 4; j++)
            bk[k].leaf[j] = leaf_value(g);
    }
}

uint8_t *eb_mgen_blob(eb_mgen_t *g, const eb_mgen_spec_t *s, size_t *len)
{
    const uint32_t d = s->depth, tb = eb_model_tree_bytes(d), G = s->groups, per = (1u << d) - 1u;
    const uint32_t obj = s->objective ? s->objective : G > 1 ? EB_MODEL_OBJ_SOFTPROB : EB_MODEL_OBJ_REGRESSION;
    const layout_t l = sections(G, s->trees, (size_t)tb * s->trees);
    uint8_t *b = blob_shell(&l, obj, s->nf, G, s->trees, s->trees * per, d);
    *len = l.len;
    for (uint32_t k = 0; k < G; k++)
        pf64(b, EB_MODEL_HEADER_SIZE + 8u * k, eb_mgen_rnd(g, 5) ? (double)leaf_value(g) : -0.0);
    uint32_t t = 0;
    for (uint32_t k = 0; k < G; k++) /* complete trees are sorted by group */
        for (uint32_t i = 0; i < s->count[k]; i++, t++) {
            p32(b, l.trees + 8u * t, t * per);
            p32(b, l.trees + 8u * t + 4u, k);
            tree_image(g, b + l.nodes + (size_t)tb * t, d, s->nf);
        }
    return b;
}

static void graph_node(uint8_t *b, size_t at, double thr, uint32_t left, uint32_t meta)
{
    eb_model_node_t n;
    memset(&n, 0, sizeof n);
    n.u.thr = thr;
    n.left = left;
    n.meta = meta;
    memcpy(b + at, &n, sizeof n);
}

uint8_t *eb_mgen_graph_blob(eb_mgen_t *g, uint32_t nf, uint32_t trees, size_t *len)
{
    const layout_t l = sections(1, trees, 48u * (size_t)trees);
    uint8_t *b = blob_shell(&l, EB_MODEL_OBJ_REGRESSION, nf, 1, trees, 3u * trees, 0);
    *len = l.len;
    for (uint32_t t = 0; t < trees; t++) {
        const uint32_t i = 3u * t, dl = eb_mgen_rnd(g, 2) ? EB_MODEL_N_DEFAULT_LEFT : 0u, f = eb_mgen_rnd(g, nf);
        const double thr = (double)(eb_mgen_unitf(g) * 4.0f - 2.0f), a = (double)leaf_value(g), c = (double)leaf_value(g);
        p32(b, l.trees + 8u * t, i);
        graph_node(b, l.nodes + 16u * i, thr, i + 1u, f | dl);
        graph_node(b, l.nodes + 16u * (i + 1u), a, i + 1u, EB_MODEL_N_LEAF);
        graph_node(b, l.nodes + 16u * (i + 2u), c, i + 2u, EB_MODEL_N_LEAF);
    }
    return b;
}

float eb_mgen_split_x(const eb_model_t *m, uint32_t t, uint32_t i, uint32_t *f)
{
    const uint32_t ntop = (1u << (m->depth - 2u)) - 1u, nf = m->num_features;
    const uint8_t *img = m->images + (size_t)t * m->tree_bytes;
    uint32_t vf;
    float thr;
    if (i < ntop) {
        vf = img[4u * ntop + i];
        memcpy(&thr, img + 4u * i, 4);
    } else {
        const eb_model_block_t *bk = (const eb_model_block_t *)(const void *)(img + m->top_bytes) + (i - ntop) / 3u;
        vf = bk->feat[(i - ntop) % 3u];
        thr = bk->thr[(i - ntop) % 3u];
    }
    *f = vf % nf;
    return vf < nf ? thr : -thr;
}

double eb_mgen_row_value(eb_mgen_t *g, const eb_model_t *m, uint32_t f)
{
    static const double e[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 4.9e-324, -4.9e-324, 1e-45, -1e-45,
                               1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38,
                               3.4028235677973366e38 /* FLT_MAX + 2^103: rounds (tie, to even) to inf */,
                               1e300, -1e300, 0.5, -2.0};
    if (eb_mgen_rnd(g, 3) == 0)
        return e[eb_mgen_rnd(g, sizeof e / sizeof e[0])];
    if (eb_mgen_rnd(g, 4) == 0)
        return eb_mgen_unitf(g) * 6.0 - 3.0;
    /* a threshold of a random split on f: the first top node or block node of a random tree */
    const uint32_t ntop = (1u << (m->depth - 2u)) - 1u;
    for (int tries = 0; tries < 64; tries++) {
        uint32_t t = eb_mgen_rnd(g, m->num_trees), i = eb_mgen_rnd(g, ntop + 3u), sf;
        if (i >= ntop) /* node i - ntop of a random block */
            i = ntop + 3u * eb_mgen_rnd(g, ntop + 1u) + (i - ntop);
        float x = eb_mgen_split_x(m, t, i, &sf);
        if (sf != f)
            continue;
        switch (eb_mgen_rnd(g, 5)) {
        case 0: return (double)x;
        case 1: return (double)nextafterf(x, INFINITY);
        case 2: return (double)nextafterf(x, -INFINITY);
        case 3: return nextafter((double)x, INFINITY); /* rounds onto x (unless x is inf) */
        default: return nextafter((double)x, -INFINITY);
        }
    }
    return eb_mgen_unitf(g);
}
