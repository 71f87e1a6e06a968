/* From the importers' common form to the flat blob (layout: docs/model-format.md). */
#include "tools/edgebox/model/model_ir.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eb_ir_init(eb_ir_t *ir)
{
    memset(ir, 0, sizeof *ir);
    ir->sigmoid = 1.0;
}

void eb_ir_free(eb_ir_t *ir)
{
    free(ir->nodes);
    free(ir->trees);
    free(ir->cats);
    eb_ir_init(ir);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

eb_ir_node_t *eb_ir_add_tree(eb_ir_t *ir, uint32_t group, uint32_t n)
{
    if (n == 0 || grow((void **)&ir->nodes, &ir->cap_nodes, ir->num_nodes + n, sizeof *ir->nodes) ||
        grow((void **)&ir->trees, &ir->cap_trees, ir->num_trees + 1, sizeof *ir->trees))
        return NULL;
    eb_ir_node_t *nodes = ir->nodes + ir->num_nodes;
    memset(nodes, 0, n * sizeof *nodes);
    for (uint32_t i = 0; i < n; i++)
        nodes[i].left = nodes[i].right = -1;
    ir->trees[ir->num_trees++] = (eb_ir_tree_t){group, (uint32_t)ir->num_nodes, n};
    ir->num_nodes += n;
    return nodes;
}

long eb_ir_add_cats(eb_ir_t *ir, uint32_t n)
{
    if (n == 0 || grow((void **)&ir->cats, &ir->cap_cats, ir->num_cats + n, sizeof *ir->cats))
        return -1;
    long at = (long)ir->num_cats;
    memset(ir->cats + at, 0, n * sizeof *ir->cats);
    ir->num_cats += n;
    return at;
}

/* Values rounding (to nearest, ties to even) to a float below t are those below the midpoint m between t
 * and the float before it; m itself rounds to whichever of the two is even. m is exact in double. */
double eb_ir_xgb_threshold(float t)
{
    /* big = FLT_MAX + half its ulp: the tie rounds to the even neighbour, +inf, so exactly the doubles
     * below big round to a finite float (and those at or below -big to -inf). */
    const double big = (double)FLT_MAX + ldexp(1.0, 103);
    if (t == -INFINITY)
        return -INFINITY; /* nothing is below -inf */
    if (t == INFINITY)
        return big; /* below +inf: everything that rounds to a finite float */
    float p = nextafterf(t, -INFINITY);
    if (isinf(p))
        return nextafter(-big, INFINITY); /* t = -FLT_MAX: only values rounding to -inf are below */
    double m = ((double)p + (double)t) / 2.0;
    uint32_t pbits;
    memcpy(&pbits, &p, sizeof pbits);
    return (pbits & 1u) ? m : nextafter(m, INFINITY); /* p even: the tie m goes down, so m is below t */
}

double eb_ir_lgb_threshold(double t) { return nextafter(t, INFINITY); }

/* Breadth-first order of one tree: order[k] = source index of new node k. */
static int tree_order(const eb_ir_t *ir, size_t t, uint32_t *order, uint8_t *seen, uint32_t *out_n,
                      char *err, size_t cap)
{
    const eb_ir_tree_t *tr = &ir->trees[t];
    const eb_ir_node_t *nd = ir->nodes + tr->first;
    memset(seen, 0, tr->count);
    uint32_t next = 1;
    order[0] = 0;
    seen[0] = 1;
    for (uint32_t k = 0; k < next; k++) {
        const eb_ir_node_t *n = &nd[order[k]];
        if (n->left < 0 && n->right < 0)
            continue;
        int32_t c[2] = {n->left, n->right};
        for (int j = 0; j < 2; j++) {
            if (c[j] < 0 || (uint32_t)c[j] >= tr->count)
                return eb_errf(err, cap, "tree %zu node %u: child %d outside 0..%u", t, order[k], c[j], tr->count - 1);
            if (seen[c[j]])
                return eb_errf(err, cap, "tree %zu node %u: child %d is reached twice (not a tree)", t, order[k], c[j]);
            seen[c[j]] = 1;
            order[next++] = (uint32_t)c[j];
        }
    }
    *out_n = next;
    return 0;
}

static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void putf64(uint8_t *b, size_t off, double v) { memcpy(b + off, &v, 8); }
static size_t align16(size_t v) { return (v + 15u) & ~(size_t)15u; }

static void write_decision(uint8_t *d, const eb_compile_opts_t *o, uint32_t ng)
{
    putf64(d, 0, o->threshold_buy);
    putf64(d, 8, o->threshold_sell);
    putf64(d, 16, o->min_confidence);
    put32(d, 24, (uint32_t)o->class_sell);
    put32(d, 28, (uint32_t)o->class_neutral);
    put32(d, 32, (uint32_t)o->class_buy);
    put32(d, 36, o->calibrated ? 1u : 0u);
    put32(d, 40, ng);
    for (uint32_t g = 0; g < ng; g++) {
        putf64(d, 48 + 16 * g, o->calibrated ? o->platt_a[g] : 1.0);
        putf64(d, 56 + 16 * g, o->calibrated ? o->platt_b[g] : 0.0);
    }
}

static void write_header(uint8_t *b, const eb_ir_t *ir, const eb_compile_opts_t *o, size_t nodes,
                         const size_t off[6])
{
    memcpy(b, EB_MODEL_MAGIC, 8);
    put32(b, EB_MH_VERSION, EB_MODEL_VERSION);
    put32(b, EB_MH_HEADER_SIZE, EB_MODEL_HEADER_SIZE);
    put32(b, EB_MH_TOTAL, (uint32_t)off[5]);
    put32(b, EB_MH_OBJECTIVE, ir->objective);
    put32(b, EB_MH_SOURCE, ir->source);
    put32(b, EB_MH_FLAGS, ir->flags | (o->calibrated ? EB_MODEL_F_CALIBRATED : 0u));
    put32(b, EB_MH_FEATURES, ir->num_features);
    put32(b, EB_MH_GROUPS, ir->num_groups);
    put32(b, EB_MH_TREES, (uint32_t)ir->num_trees);
    put32(b, EB_MH_NODES, (uint32_t)nodes);
    put32(b, EB_MH_CAT_WORDS, (uint32_t)ir->num_cats);
    memcpy(b + EB_MH_SCHEMA, &o->schema_hash, 8);
    putf64(b, EB_MH_SIGMOID, ir->sigmoid);
    for (int i = 0; i < 5; i++)
        put32(b, (size_t)EB_MH_OFF_BASE + 4u * (size_t)i, (uint32_t)off[i]);
    put32(b, EB_MH_DECISION_SIZE, eb_model_decision_size(ir->num_groups));
}

static eb_model_node_t blob_node(const eb_ir_node_t *s, uint32_t self, uint32_t left)
{
    eb_model_node_t n;
    memset(&n, 0, sizeof n);
    if (s->left < 0) {
        n.u.thr = s->value;
        n.left = self;
        n.meta = EB_MODEL_N_LEAF;
        return n;
    }
    n.left = left;
    n.meta = s->feature | (s->flags & ~EB_MODEL_N_FEATURE_MASK);
    if (s->flags & EB_MODEL_N_CATEGORICAL) {
        n.u.cat.cat_word = s->cat_word;
        n.u.cat.cat_nwords = s->cat_nwords;
    } else {
        n.u.thr = s->value;
    }
    return n;
}

/* Writes every tree's nodes in breadth-first order; returns the node count or -1. */
static long write_nodes(const eb_ir_t *ir, uint8_t *b, size_t off_trees, size_t off_nodes, char *err,
                        size_t cap)
{
    size_t maxn = 1;
    for (size_t t = 0; t < ir->num_trees; t++)
        maxn = ir->trees[t].count > maxn ? ir->trees[t].count : maxn;
    uint32_t *order = malloc(maxn * sizeof *order);
    uint8_t *seen = malloc(maxn);
    long at = 0, rc = 0;
    for (size_t t = 0; order && seen && t < ir->num_trees && rc == 0; t++) {
        uint32_t n = 0;
        if (tree_order(ir, t, order, seen, &n, err, cap)) {
            rc = -1;
            break;
        }
        eb_model_tree_t tr = {(uint32_t)at, ir->trees[t].group};
        memcpy(b + off_trees + 8 * t, &tr, sizeof tr);
        uint32_t next = 1; /* children of the k-th split land at at + next, next + 1 */
        for (uint32_t k = 0; k < n; k++) {
            const eb_ir_node_t *s = &ir->nodes[ir->trees[t].first + order[k]];
            eb_model_node_t nd = blob_node(s, (uint32_t)at + k, (uint32_t)at + next);
            if (s->left >= 0)
                next += 2;
            memcpy(b + off_nodes + 16 * ((size_t)at + k), &nd, sizeof nd);
        }
        at += n;
    }
    if (!order || !seen)
        rc = eb_errf(err, cap, "out of memory");
    free(order);
    free(seen);
    return rc ? -1 : at;
}

/* Every tree is a tree (tree_order); *reachable = the nodes reachable from the roots. */
static int check_shapes(const eb_ir_t *ir, size_t *reachable, char *err, size_t cap)
{
    size_t maxn = 1;
    for (size_t t = 0; t < ir->num_trees; t++)
        maxn = ir->trees[t].count > maxn ? ir->trees[t].count : maxn;
    uint32_t *order = malloc(maxn * sizeof *order);
    uint8_t *seen = malloc(maxn);
    int rc = !order || !seen ? eb_errf(err, cap, "out of memory") : 0;
    *reachable = 0;
    for (size_t t = 0; rc == 0 && t < ir->num_trees; t++) {
        uint32_t n = 0;
        rc = tree_order(ir, t, order, seen, &n, err, cap);
        *reachable += n;
    }
    free(order);
    free(seen);
    return rc;
}

int eb_ir_build(const eb_ir_t *ir, const eb_compile_opts_t *o, uint8_t **out, size_t *out_len, char *err,
                size_t cap)
{
    if (ir->num_trees == 0)
        return eb_errf(err, cap, "model has no trees");
    if (ir->num_groups < 1 || ir->num_groups > EB_MODEL_MAX_CLASSES)
        return eb_errf(err, cap, "%u classes, supported 1..%u", ir->num_groups, EB_MODEL_MAX_CLASSES);
    if (ir->num_features < 1 || ir->num_features > EB_MODEL_MAX_FEATURES)
        return eb_errf(err, cap, "%u features, supported 1..%u", ir->num_features, EB_MODEL_MAX_FEATURES);
    size_t reachable;
    if (check_shapes(ir, &reachable, err, cap))
        return -1;
    uint32_t depth = eb_ir_complete_depth(ir);
    size_t nodes = depth ? ir->num_trees * ((1u << depth) - 1u) : reachable;
    size_t off[6];
    size_t sizes[5] = {8u * ir->num_groups, 8u * ir->num_trees,
                       depth ? ir->num_trees * eb_model_tree_bytes(depth) : 16u * reachable, 4u * ir->num_cats,
                       eb_model_decision_size(ir->num_groups)};
    off[0] = EB_MODEL_HEADER_SIZE;
    for (int i = 0; i < 5; i++)
        off[i + 1] = align16(off[i] + sizes[i]);
    if (off[5] > EB_MODEL_MAX_BYTES || nodes > UINT32_MAX)
        return eb_errf(err, cap, "blob would be %zu bytes, limit %u", off[5], EB_MODEL_MAX_BYTES);
    uint8_t *b = calloc(1, off[5]);
    if (!b)
        return eb_errf(err, cap, "out of memory for a %zu-byte blob", off[5]);
    for (uint32_t g = 0; g < ir->num_groups; g++)
        putf64(b, off[0] + 8 * g, ir->base[g]);
    if (depth)
        eb_ir_write_complete(ir, depth, b + off[1], b + off[2]);
    else if (write_nodes(ir, b, off[1], off[2], err, cap) < 0) {
        free(b);
        return -1;
    }
    if (ir->num_cats)
        memcpy(b + off[3], ir->cats, 4 * ir->num_cats);
    write_decision(b + off[4], o, ir->num_groups);
    write_header(b, ir, o, nodes, off);
    put32(b, EB_MH_LAYOUT, depth);
    eb_model_t m;
    eb_model_error_t me;
    if (eb_model_open(&m, b, off[5], &me)) {
        free(b);
        return eb_errf(err, cap, "compiled blob does not validate: %s", me.msg);
    }
    *out = b;
    *out_len = off[5];
    return 0;
}
