/* Blob validation: every header field, section, tree and node index is checked here, once, so that
 * evaluation (model_eval.c) can run without a single bounds check. Layout: docs/model-format.md. */
#include "core/model.h"

#include "core/name_table.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model blob is little-endian and evaluated in place: a big-endian port needs a byte-swapping loader"
#endif

_Static_assert(sizeof(eb_model_node_t) == 16, "node is 16 bytes");
_Static_assert(sizeof(eb_model_tree_t) == 8, "tree entry is 8 bytes");
_Static_assert(sizeof(eb_model_block_t) == 32, "block is 32 bytes");


static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static double rdf64(const uint8_t *p)
{
    double v;
    memcpy(&v, p, sizeof v);
    return v;
}

static int fail(eb_model_t *m, eb_model_error_t *err, eb_model_status_t code, const char *fmt, ...)
{
    memset(m, 0, sizeof *m);
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return (int)code;
}

static uint64_t align16(uint64_t v) { return (v + 15u) & ~(uint64_t)15u; }

uint32_t eb_model_decision_size(uint32_t groups) { return 48u + 16u * groups; }


/* The complete layout is XGBoost numerics only (float32 compares, no categories), with a byte per
 * virtual feature and exactly 2^D - 1 internal nodes per tree. */
static int check_layout(eb_model_t *m, const uint8_t *b, eb_model_error_t *err)
{
    uint32_t d = rd32(b + EB_MH_LAYOUT);
    if (d == 0)
        return 0;
    if (d < 2 || d > EB_MODEL_MAX_DEPTH)
        return fail(m, err, EB_MODEL_E_HEADER, "layout %u: 0 (node graph) or a complete depth 2..%u", d,
                    EB_MODEL_MAX_DEPTH);
    if (m->source != EB_MODEL_SRC_XGBOOST || !(m->flags & EB_MODEL_F_FLOAT32) || m->num_cat_words != 0)
        return fail(m, err, EB_MODEL_E_HEADER, "layout %u (complete trees) needs an XGBoost float32 model "
                    "without categories (source %u, flags 0x%x, %u category words)", d, m->source, m->flags,
                    m->num_cat_words);
    if (m->num_features > EB_MODEL_MAX_COMPLETE_FEATURES)
        return fail(m, err, EB_MODEL_E_HEADER, "layout %u: %u features, complete trees allow 1..%u", d,
                    m->num_features, EB_MODEL_MAX_COMPLETE_FEATURES);
    if ((uint64_t)m->num_nodes != (uint64_t)m->num_trees * ((1u << d) - 1u))
        return fail(m, err, EB_MODEL_E_HEADER, "layout %u: num_nodes %u, expected %u trees x %u", d, m->num_nodes,
                    m->num_trees, (1u << d) - 1u);
    m->depth = d;
    m->top_bytes = eb_model_top_bytes(d);
    m->tree_bytes = eb_model_tree_bytes(d);
    return 0;
}

static int check_header(eb_model_t *m, const uint8_t *b, size_t len, eb_model_error_t *err)
{
    if (len < EB_MODEL_HEADER_SIZE)
        return fail(m, err, EB_MODEL_E_TRUNCATED, "blob is %zu bytes, shorter than the %u-byte header", len,
                    EB_MODEL_HEADER_SIZE);
    if (memcmp(b, EB_MODEL_MAGIC, 8) != 0)
        return fail(m, err, EB_MODEL_E_MAGIC, "magic is not \"EBMODEL\\0\": not a compiled model blob");
    if (rd32(b + EB_MH_VERSION) != EB_MODEL_VERSION)
        return fail(m, err, EB_MODEL_E_VERSION, "format version %u, this build reads version %u",
                    rd32(b + EB_MH_VERSION), EB_MODEL_VERSION);
    if (rd32(b + EB_MH_HEADER_SIZE) != EB_MODEL_HEADER_SIZE)
        return fail(m, err, EB_MODEL_E_HEADER, "header_size %u, expected %u", rd32(b + EB_MH_HEADER_SIZE),
                    EB_MODEL_HEADER_SIZE);
    uint32_t total = rd32(b + EB_MH_TOTAL);
    if (total > EB_MODEL_MAX_BYTES)
        return fail(m, err, EB_MODEL_E_OVERSIZED, "total_size %u exceeds the limit %u", total, EB_MODEL_MAX_BYTES);
    if (len < total)
        return fail(m, err, EB_MODEL_E_TRUNCATED, "blob is %zu bytes, header says total_size %u", len, total);
    if (len > total)
        return fail(m, err, EB_MODEL_E_OVERSIZED, "blob is %zu bytes, header says total_size %u", len, total);
    for (uint32_t i = EB_MH_RESERVED; i < EB_MODEL_HEADER_SIZE; i++)
        if (b[i] != 0)
            return fail(m, err, EB_MODEL_E_HEADER, "reserved header byte %u is not zero", i);
    return 0;
}

static int check_counts(eb_model_t *m, const uint8_t *b, eb_model_error_t *err)
{
    uint32_t obj = rd32(b + EB_MH_OBJECTIVE), src = rd32(b + EB_MH_SOURCE), flags = rd32(b + EB_MH_FLAGS);
    uint32_t nf = rd32(b + EB_MH_FEATURES), ng = rd32(b + EB_MH_GROUPS), nt = rd32(b + EB_MH_TREES);
    uint32_t nn = rd32(b + EB_MH_NODES);
    double sig = rdf64(b + EB_MH_SIGMOID);
    if (obj < EB_MODEL_OBJ_SOFTPROB || obj > EB_MODEL_OBJ_REGRESSION)
        return fail(m, err, EB_MODEL_E_HEADER, "objective %u out of range 1..4", obj);
    if (src != EB_MODEL_SRC_XGBOOST && src != EB_MODEL_SRC_LIGHTGBM)
        return fail(m, err, EB_MODEL_E_HEADER, "source %u out of range 1..2", src);
    if (flags & ~(EB_MODEL_F_FLOAT32 | EB_MODEL_F_CALIBRATED))
        return fail(m, err, EB_MODEL_E_HEADER, "flags 0x%x has unknown bits (known 0x3)", flags);
    if (nf < 1 || nf > EB_MODEL_MAX_FEATURES)
        return fail(m, err, EB_MODEL_E_HEADER, "num_features %u out of range 1..%u", nf, EB_MODEL_MAX_FEATURES);
    if (ng < 1 || ng > EB_MODEL_MAX_CLASSES)
        return fail(m, err, EB_MODEL_E_HEADER, "num_groups %u out of range 1..%u", ng, EB_MODEL_MAX_CLASSES);
    int multi = obj == EB_MODEL_OBJ_SOFTPROB || obj == EB_MODEL_OBJ_SOFTMAX;
    if (multi ? ng < 2 : ng != 1)
        return fail(m, err, EB_MODEL_E_HEADER, "num_groups %u does not fit objective %s (%s)", ng,
                    eb_model_objective_name((eb_model_objective_t)obj), multi ? ">= 2" : "exactly 1");
    if (nt < 1 || nn < nt)
        return fail(m, err, EB_MODEL_E_HEADER, "num_trees %u / num_nodes %u: need 1 <= trees <= nodes", nt, nn);
    if (!isfinite(sig) || sig <= 0)
        return fail(m, err, EB_MODEL_E_VALUE, "sigmoid scale %g is not a positive finite number", sig);
    m->objective = obj;
    m->source = src;
    m->flags = flags;
    m->num_features = nf;
    m->num_groups = ng;
    m->num_trees = nt;
    m->num_nodes = nn;
    m->num_cat_words = rd32(b + EB_MH_CAT_WORDS);
    m->sigmoid = sig;
    memcpy(&m->schema_hash, b + EB_MH_SCHEMA, sizeof m->schema_hash);
    return check_layout(m, b, err);
}

/* Sections follow the header in a fixed order, each at the next 16-byte boundary: the only valid
 * offsets are the computed ones, so one comparison per section rules out overlaps and gaps. */
static int check_sections(eb_model_t *m, const uint8_t *b, eb_model_error_t *err)
{
    static const char *const names[5] = {"base", "trees", "nodes", "categories", "decision"};
    const uint32_t offs[5] = {EB_MH_OFF_BASE, EB_MH_OFF_TREES, EB_MH_OFF_NODES, EB_MH_OFF_CATS, EB_MH_OFF_DECISION};
    uint64_t node_bytes = m->depth ? (uint64_t)m->tree_bytes * m->num_trees : 16ull * m->num_nodes;
    uint64_t sizes[5] = {8ull * m->num_groups, 8ull * m->num_trees, node_bytes,
                         4ull * m->num_cat_words, eb_model_decision_size(m->num_groups)};
    if (rd32(b + EB_MH_DECISION_SIZE) != sizes[4])
        return fail(m, err, EB_MODEL_E_SECTION, "decision_size %u, expected %llu for %u groups",
                    rd32(b + EB_MH_DECISION_SIZE), (unsigned long long)sizes[4], m->num_groups);
    uint64_t at = EB_MODEL_HEADER_SIZE;
    for (int i = 0; i < 5; i++) {
        if (rd32(b + offs[i]) != at)
            return fail(m, err, EB_MODEL_E_SECTION, "section %s at offset %u, expected %llu", names[i],
                        rd32(b + offs[i]), (unsigned long long)at);
        at = align16(at + sizes[i]);
    }
    if (at != rd32(b + EB_MH_TOTAL))
        return fail(m, err, EB_MODEL_E_SECTION, "sections end at %llu, total_size is %u", (unsigned long long)at,
                    rd32(b + EB_MH_TOTAL));
    m->base = (const double *)(const void *)(b + rd32(b + EB_MH_OFF_BASE));
    m->trees = (const eb_model_tree_t *)(const void *)(b + rd32(b + EB_MH_OFF_TREES));
    if (m->depth)
        m->images = b + rd32(b + EB_MH_OFF_NODES);
    else
        m->nodes = (const eb_model_node_t *)(const void *)(b + rd32(b + EB_MH_OFF_NODES));
    m->cat_words = (const uint32_t *)(const void *)(b + rd32(b + EB_MH_OFF_CATS));
    m->decision = b + rd32(b + EB_MH_OFF_DECISION);
    for (uint32_t g = 0; g < m->num_groups; g++)
        if (!isfinite(m->base[g]))
            return fail(m, err, EB_MODEL_E_VALUE, "base score of group %u is not finite", g);
    return 0;
}

static int check_node(eb_model_t *m, uint32_t i, uint32_t end, eb_model_error_t *err)
{
    const eb_model_node_t *n = &m->nodes[i];
    uint32_t flags = n->meta >> 16;
    if (flags & ~EB_MODEL_N_KNOWN_FLAGS)
        return fail(m, err, EB_MODEL_E_NODE, "node %u: unknown flag bits 0x%x", i, flags);
    if (n->meta & EB_MODEL_N_LEAF) {
        if (n->meta != EB_MODEL_N_LEAF || n->left != i)
            return fail(m, err, EB_MODEL_E_NODE, "node %u: leaf with flags or feature set, or left %u not itself",
                        i, n->left);
        if (!isfinite(n->u.thr))
            return fail(m, err, EB_MODEL_E_VALUE, "node %u: leaf value is not finite", i);
        return 0;
    }
    uint32_t f = n->meta & EB_MODEL_N_FEATURE_MASK;
    if (f >= m->num_features)
        return fail(m, err, EB_MODEL_E_NODE, "node %u: feature %u out of range 0..%u", i, f, m->num_features - 1);
    if (n->left <= i || n->left >= end - 1u || end == 0)
        return fail(m, err, EB_MODEL_E_NODE, "node %u: children %u,%u outside %u..%u (after the node, same tree)",
                    i, n->left, n->left + 1u, i + 1u, end - 1u);
    if (n->meta & EB_MODEL_N_CATEGORICAL) {
        uint64_t w = n->u.cat.cat_word, nw = n->u.cat.cat_nwords;
        if (nw < 1 || w + nw > m->num_cat_words)
            return fail(m, err, EB_MODEL_E_NODE, "node %u: category words %llu+%llu outside 0..%u", i,
                        (unsigned long long)w, (unsigned long long)nw, m->num_cat_words);
    } else if (isnan(n->u.thr)) {
        return fail(m, err, EB_MODEL_E_VALUE, "node %u: threshold is NaN", i);
    }
    return 0;
}

static float rdf32(const uint8_t *p)
{
    float v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* One split of a complete tree: a virtual feature (x or -x) and a threshold that is not NaN. */
static int check_split(eb_model_t *m, uint32_t t, const char *where, uint32_t i, uint8_t feat, float thr,
                       eb_model_error_t *err)
{
    if (feat >= 2u * m->num_features)
        return fail(m, err, EB_MODEL_E_NODE, "tree %u %s node %u: feature %u out of range 0..%u", t, where, i,
                    feat, 2u * m->num_features - 1u);
    if (isnan(thr))
        return fail(m, err, EB_MODEL_E_VALUE, "tree %u %s node %u: threshold is NaN", t, where, i);
    return 0;
}

static int check_block(eb_model_t *m, uint32_t t, uint32_t k, const eb_model_block_t *bk, eb_model_error_t *err)
{
    for (uint32_t j = 0; j < 3; j++) {
        int rc = check_split(m, t, "block", 3u * k + j, bk->feat[j], bk->thr[j], err);
        if (rc)
            return rc;
    }
    if (bk->zero != 0)
        return fail(m, err, EB_MODEL_E_NODE, "tree %u block %u: padding byte is %u, not 0", t, k, bk->zero);
    for (uint32_t j = 0; j < 4; j++)
        if (!isfinite(bk->leaf[j]))
            return fail(m, err, EB_MODEL_E_VALUE, "tree %u block %u: leaf %u is not finite", t, k, j);
    return 0;
}

/* Complete trees: no indices to check (children are implicit), only features, values and padding. */
static int check_images(eb_model_t *m, eb_model_error_t *err)
{
    uint32_t ntop = (1u << (m->depth - 2u)) - 1u;
    for (uint32_t t = 0; t < m->num_trees; t++) {
        if (m->trees[t].first != t * ((1u << m->depth) - 1u))
            return fail(m, err, EB_MODEL_E_TREE, "tree %u starts at node %u, expected %u", t, m->trees[t].first,
                        t * ((1u << m->depth) - 1u));
        if (m->trees[t].group >= m->num_groups)
            return fail(m, err, EB_MODEL_E_TREE, "tree %u: group %u out of range 0..%u", t, m->trees[t].group,
                        m->num_groups - 1);
        if (t > 0 && m->trees[t].group < m->trees[t - 1].group)
            return fail(m, err, EB_MODEL_E_TREE, "tree %u: group %u after group %u (complete trees are sorted by "
                        "group)", t, m->trees[t].group, m->trees[t - 1].group);
        const uint8_t *img = m->images + (size_t)t * m->tree_bytes;
        for (uint32_t i = 0; i < ntop; i++) {
            int rc = check_split(m, t, "top", i, img[4u * ntop + i], rdf32(img + 4u * i), err);
            if (rc)
                return rc;
        }
        for (uint32_t i = 5u * ntop; i < m->top_bytes; i++)
            if (img[i] != 0)
                return fail(m, err, EB_MODEL_E_NODE, "tree %u: padding byte %u is not 0", t, i);
        const eb_model_block_t *bk = (const eb_model_block_t *)(const void *)(img + m->top_bytes);
        for (uint32_t k = 0; k <= ntop; k++) {
            int rc = check_block(m, t, k, &bk[k], err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* A tree's nodes are [first, next first). Children come after their parent inside the same range, so
 * every walk from the root ends at a leaf within the range; the last node is necessarily a leaf. */
static int check_trees(eb_model_t *m, eb_model_error_t *err)
{
    if (m->depth)
        return check_images(m, err);
    for (uint32_t t = 0; t < m->num_trees; t++) {
        uint32_t first = m->trees[t].first;
        uint32_t end = t + 1 < m->num_trees ? m->trees[t + 1].first : m->num_nodes;
        if (t == 0 && first != 0)
            return fail(m, err, EB_MODEL_E_TREE, "tree 0 starts at node %u, expected 0", first);
        if (end <= first || end > m->num_nodes)
            return fail(m, err, EB_MODEL_E_TREE, "tree %u: nodes %u..%u empty or outside 0..%u", t, first, end,
                        m->num_nodes);
        if (m->trees[t].group >= m->num_groups)
            return fail(m, err, EB_MODEL_E_TREE, "tree %u: group %u out of range 0..%u", t, m->trees[t].group,
                        m->num_groups - 1);
        for (uint32_t i = first; i < end; i++) {
            int rc = check_node(m, i, end, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int check_decision(eb_model_t *m, eb_model_error_t *err)
{
    const uint8_t *d = m->decision;
    static const char *const names[3] = {"threshold_buy", "threshold_sell", "min_confidence"};
    for (int i = 0; i < 3; i++) {
        double v = rdf64(d + 8 * i);
        if (!(v >= 0 && v <= 1))
            return fail(m, err, EB_MODEL_E_VALUE, "decision %s %g outside 0..1", names[i], v);
    }
    static const char *const cls[3] = {"class_sell", "class_neutral", "class_buy"};
    for (int i = 0; i < 3; i++)
        if (rd32(d + 24 + 4 * i) >= EB_MODEL_MAX_CLASSES)
            return fail(m, err, EB_MODEL_E_VALUE, "decision %s %u out of range 0..%u", cls[i],
                        rd32(d + 24 + 4 * i), EB_MODEL_MAX_CLASSES - 1);
    uint32_t cal = rd32(d + 36);
    if (cal > 1 || cal != ((m->flags & EB_MODEL_F_CALIBRATED) ? 1u : 0u))
        return fail(m, err, EB_MODEL_E_VALUE, "decision calibrated %u disagrees with header flags 0x%x", cal,
                    m->flags);
    if (rd32(d + 40) != m->num_groups || rd32(d + 44) != 0)
        return fail(m, err, EB_MODEL_E_SECTION, "decision groups %u (expected %u) or reserved word set",
                    rd32(d + 40), m->num_groups);
    for (uint32_t g = 0; g < 2u * m->num_groups; g++)
        if (!isfinite(rdf64(d + 48 + 8 * g)))
            return fail(m, err, EB_MODEL_E_VALUE, "decision Platt parameter %u of class %u is not finite",
                        g % 2u, g / 2u);
    return 0;
}

int eb_model_open(eb_model_t *m, const void *bytes, size_t len, eb_model_error_t *err)
{
    if (err) {
        err->code = EB_MODEL_OK;
        err->msg[0] = '\0';
    }
    if (!m)
        return EB_MODEL_E_ARG;
    if (!bytes || ((uintptr_t)bytes & 7u) != 0)
        return fail(m, err, EB_MODEL_E_ARG, "blob pointer is NULL or not 8-byte aligned");
    memset(m, 0, sizeof *m);
    const uint8_t *b = bytes;
    int rc = check_header(m, b, len, err);
    if (!rc)
        rc = check_counts(m, b, err);
    if (!rc)
        rc = check_sections(m, b, err);
    if (!rc)
        rc = check_trees(m, err);
    if (!rc)
        rc = check_decision(m, err);
    if (rc)
        return rc;
    m->bytes = b;
    m->len = len;
    return 0;
}

const char *eb_model_status_name(eb_model_status_t s)
{
    static const char *const n[] = {
        [EB_MODEL_OK] = "ok",
        [EB_MODEL_E_ARG] = "argument",
        [EB_MODEL_E_TRUNCATED] = "truncated",
        [EB_MODEL_E_OVERSIZED] = "oversized",
        [EB_MODEL_E_MAGIC] = "magic",
        [EB_MODEL_E_VERSION] = "version",
        [EB_MODEL_E_HEADER] = "header",
        [EB_MODEL_E_SECTION] = "section",
        [EB_MODEL_E_TREE] = "tree",
        [EB_MODEL_E_NODE] = "node",
        [EB_MODEL_E_VALUE] = "value",
    };
    _Static_assert(sizeof n / sizeof n[0] == EB_MODEL_E_VALUE + 1, "a name for every model status");
    return EB_NAME_OR(n, s, "unknown");
}

const char *eb_model_objective_name(eb_model_objective_t o)
{
    switch (o) {
    case EB_MODEL_OBJ_SOFTPROB: return "softprob";
    case EB_MODEL_OBJ_SOFTMAX: return "softmax";
    case EB_MODEL_OBJ_LOGISTIC: return "logistic";
    case EB_MODEL_OBJ_REGRESSION: return "regression";
    }
    return "unknown";
}
