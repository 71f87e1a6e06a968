/* edgebox model compile|predict|sign|verify|inspect: the model's way from a training library to the box. */
#define _GNU_SOURCE
#include "common/file_write.h"

#include "common/errf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/model_verify.h"
#include "common/time_parse.h"
#include "common/file_read.h"
#include "core/model.h"
#include "tools/edgebox/model/model_lanes.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/model/model_push.h"
#include "tools/edgebox/cli/remote.h"
#include "tools/edgebox/model/model_compile.h"

EB_COMMAND(model, "compile, predict with, sign, verify and inspect tree models (model help)")

typedef struct {
    const char *name;
    const char *value; /* "1" for flags */
    int flag;
} opt_t;

/* --name value pairs (flags take no value); unknown options are errors. */
static int parse_opts(int argc, char **argv, opt_t *o, int n)
{
    for (int i = 2; i < argc; i++) {
        int k = 0;
        while (k < n && (strncmp(argv[i], "--", 2) || strcmp(argv[i] + 2, o[k].name)))
            k++;
        if (k == n) {
            fprintf(stderr, "edgebox model %s: unknown option '%s'\n", argv[1], argv[i]);
            return -1;
        }
        if (o[k].flag) {
            o[k].value = "1";
        } else if (i + 1 < argc) {
            o[k].value = argv[++i];
        } else {
            fprintf(stderr, "edgebox model %s: --%s needs a value\n", argv[1], o[k].name);
            return -1;
        }
    }
    return 0;
}

static const char *get(const opt_t *o, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(o[k].name, name))
            return o[k].value;
    return NULL;
}

static int need(const opt_t *o, int n, const char *cmd, const char *const *names)
{
    for (; *names; names++)
        if (!get(o, n, *names)) {
            fprintf(stderr, "edgebox model %s: --%s is required\n", cmd, *names);
            return -1;
        }
    return 0;
}

static int parse_u64(const char *s, uint64_t *v, const char *what)
{
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 0);
    if (errno || *e || !*s || *s == '-') {
        fprintf(stderr, "edgebox model: %s '%s' is not an unsigned 64-bit number\n", what, s);
        return -1;
    }
    *v = x;
    return 0;
}

static int parse_double(const char *s, double *v, double lo, double hi, const char *what)
{
    char *e;
    *v = strtod(s, &e);
    if (*e || !*s || !(*v >= lo && *v <= hi)) {
        fprintf(stderr, "edgebox model: %s '%s' is not a number in %g..%g\n", what, s, lo, hi);
        return -1;
    }
    return 0;
}

/* Unix seconds, or an ISO-8601 UTC date "YYYY-MM-DD[THH:MM[:SS]][Z]" (common/time_parse.h). */
static int parse_time(const char *s, int64_t *t, const char *what)
{
    int64_t ms;
    if (eb_time_parse_ms(s, 1000, &ms) != 0) {
        fprintf(stderr, "edgebox model: %s '%s' is not a time (Unix seconds or YYYY-MM-DD[THH:MM[:SS]][Z])\n", what, s);
        return -1;
    }
    *t = ms / 1000;
    return 0;
}

static int write_out(const char *path, const void *d, size_t n)
{
    char err[4200];
    if (eb_write_file_atomic(path, d, n, 0644, err, sizeof err) == 0)
        return 0;
    fprintf(stderr, "edgebox model: cannot write %s\n", err);
    return -1;
}

/* Values in a comma-separated list. */
static unsigned count_values(const char *s)
{
    unsigned n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

static int platt_opts(const char *s, eb_compile_opts_t *c)
{
    unsigned n = 0;
    for (const char *p = s; *p && n < 2 * EB_MODEL_MAX_CLASSES; n++) {
        char *e;
        double v = strtod(p, &e);
        if (e == p || !isfinite(v) || (*e && *e != ','))
            return fprintf(stderr, "edgebox model compile: --platt '%s': expected a0,b0,a1,b1,...\n", s), -1;
        (n % 2 ? c->platt_b : c->platt_a)[n / 2] = v;
        p = *e ? e + 1 : e;
    }
    if (n == 0 || n % 2 || *s == 0 || s[strlen(s) - 1] == ',')
        return fprintf(stderr, "edgebox model compile: --platt '%s': needs one pair a,b per class\n", s), -1;
    if (n == 2 * EB_MODEL_MAX_CLASSES && strchr(s, ',') && count_values(s) > n)
        return fprintf(stderr, "edgebox model compile: --platt '%s': more than %d pairs (at most one per class)\n", s,
                       EB_MODEL_MAX_CLASSES),
               -1;
    c->calibrated = 1;
    return 0;
}

static int compile_opts(const opt_t *o, int n, eb_compile_opts_t *c)
{
    const char *v;
    eb_compile_opts_default(c);
    if ((v = get(o, n, "schema-hash")) && parse_u64(v, &c->schema_hash, "--schema-hash"))
        return -1;
    if ((v = get(o, n, "threshold-buy")) && parse_double(v, &c->threshold_buy, 0, 1, "--threshold-buy"))
        return -1;
    if ((v = get(o, n, "threshold-sell")) && parse_double(v, &c->threshold_sell, 0, 1, "--threshold-sell"))
        return -1;
    if ((v = get(o, n, "min-confidence")) && parse_double(v, &c->min_confidence, 0, 1, "--min-confidence"))
        return -1;
    if ((v = get(o, n, "platt")) && platt_opts(v, c))
        return -1;
    return 0;
}

static int cmd_compile(int argc, char **argv)
{
    opt_t o[] = {{"in", 0, 0},        {"out", 0, 0},           {"schema-hash", 0, 0}, {"threshold-buy", 0, 0},
                 {"threshold-sell", 0, 0}, {"min-confidence", 0, 0}, {"platt", 0, 0}};
    int n = (int)(sizeof o / sizeof o[0]);
    static const char *const req[] = {"in", "out", NULL};
    eb_compile_opts_t c;
    if (parse_opts(argc, argv, o, n) || need(o, n, "compile", req) || compile_opts(o, n, &c))
        return 2;
    uint8_t *blob;
    size_t len;
    char err[512];
    if (eb_compile_file(get(o, n, "in"), &c, &blob, &len, err, sizeof err)) {
        fprintf(stderr, "edgebox model compile: %s\n", err);
        return 1;
    }
    eb_model_t m;
    eb_model_open(&m, blob, len, NULL);
    const char *platt = get(o, n, "platt");
    if (platt && count_values(platt) != 2 * eb_model_num_classes(&m)) {
        fprintf(stderr, "edgebox model compile: --platt '%s': %u pairs given, the model has %u classes (one a,b "
                        "pair per class); nothing written\n", platt, count_values(platt) / 2, eb_model_num_classes(&m));
        free(blob);
        return 2;
    }
    int rc = write_out(get(o, n, "out"), blob, len);
    if (!rc)
        fprintf(stderr, "%s: %s model, %u features, %u classes, %u trees, %zu bytes\n", get(o, n, "out"),
                eb_model_objective_name(eb_model_objective(&m)), eb_model_num_features(&m), eb_model_num_classes(&m),
                eb_model_num_trees(&m), len);
    free(blob);
    return rc ? 1 : 0;
}

/* One CSV line into x[nf]: empty cell or "nan" = missing. Returns 0 or -1 (wrong count / bad number). */
static int csv_row(char *line, double *x, uint32_t nf, size_t lineno)
{
    uint32_t k = 0;
    char *p = line;
    for (;;) {
        char *end = p + strcspn(p, ",\r\n");
        char sep = *end;
        *end = '\0';
        while (*p == ' ')
            p++;
        if (k >= nf)
            return fprintf(stderr, "edgebox model predict: line %zu has more than %u values\n", lineno, nf), -1;
        char *e;
        if (!*p || !strcasecmp(p, "nan"))
            x[k] = NAN;
        else if ((x[k] = strtod(p, &e)), *e && *e != ' ')
            return fprintf(stderr, "edgebox model predict: line %zu value %u '%s' is not a number\n", lineno, k + 1, p),
                   -1;
        k++;
        if (sep != ',')
            break;
        p = end + 1;
    }
    if (k != nf)
        return fprintf(stderr, "edgebox model predict: line %zu has %u values, the model takes %u\n", lineno, k, nf),
               -1;
    return 0;
}

static int predict_rows(const eb_model_t *m, FILE *in, int margin)
{
    uint32_t nf = eb_model_num_features(m), no = margin ? eb_model_num_classes(m) : eb_model_num_outputs(m);
    double *x = malloc(nf * sizeof *x), out[EB_MODEL_MAX_CLASSES];
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    int rc = 0;
    while (x && getline(&line, &cap, in) > 0) {
        lineno++;
        if ((rc = csv_row(line, x, nf, lineno)) != 0)
            break;
        (margin ? eb_model_predict_margin : eb_model_predict)(m, x, out);
        for (uint32_t g = 0; g < no; g++)
            printf("%s%.9g", g ? "," : "", out[g]);
        putchar('\n');
    }
    free(line);
    free(x);
    return rc;
}

static int cmd_predict(int argc, char **argv)
{
    opt_t o[] = {{"model", 0, 0}, {"in", 0, 0}, {"margin", 0, 1}};
    static const char *const req[] = {"model", "in", NULL};
    if (parse_opts(argc, argv, o, 3) || need(o, 3, "predict", req))
        return 2;
    eb_compile_opts_t c;
    eb_compile_opts_default(&c);
    uint8_t *blob;
    size_t len;
    char err[512];
    if (eb_compile_file(get(o, 3, "model"), &c, &blob, &len, err, sizeof err)) {
        fprintf(stderr, "edgebox model predict: %s\n", err);
        return 1;
    }
    eb_model_t m;
    eb_model_open(&m, blob, len, NULL);
    void *lanes = eb_tool_model_lanes(&m);
    FILE *in = fopen(get(o, 3, "in"), "r");
    int rc = in ? predict_rows(&m, in, get(o, 3, "margin") != NULL) : -1;
    if (!in)
        fprintf(stderr, "edgebox model predict: %s: %s\n", get(o, 3, "in"), strerror(errno));
    if (in)
        fclose(in);
    free(lanes);
    free(blob);
    return rc ? 1 : 0;
}

static int cmd_sign(int argc, char **argv)
{
    opt_t o[] = {{"key", 0, 0},   {"in", 0, 0},       {"release", 0, 0}, {"not-after", 0, 0},
                 {"board", 0, 0}, {"model-id", 0, 0}, {"created", 0, 0}, {"out", 0, 0}};
    int n = (int)(sizeof o / sizeof o[0]);
    static const char *const req[] = {"key", "in", "release", "out", NULL};
    eb_manifest_t man;
    memset(&man, 0, sizeof man);
    const char *v;
    if (parse_opts(argc, argv, o, n) || need(o, n, "sign", req) ||
        parse_u64(get(o, n, "release"), &man.release, "--release") ||
        ((v = get(o, n, "not-after")) && parse_time(v, &man.not_after, "--not-after")) ||
        ((v = get(o, n, "created")) && parse_time(v, &man.created, "--created")))
        return 2;
    if (!get(o, n, "created"))
        man.created = (int64_t)time(NULL);
    /* refused, not cut: a truncated id or board would name another model or board in the manifest */
    if ((v = get(o, n, "board")) && strlen(v) >= sizeof man.board) {
        fprintf(stderr, "edgebox model sign: --board '%s': longer than %zu characters\n", v, sizeof man.board - 1);
        return 2;
    }
    if ((v = get(o, n, "model-id")) && strlen(v) >= sizeof man.model_id) {
        fprintf(stderr, "edgebox model sign: --model-id '%s': longer than %zu characters\n", v,
                sizeof man.model_id - 1);
        return 2;
    }
    snprintf(man.board, sizeof man.board, "%s", get(o, n, "board") ? get(o, n, "board") : "any");
    size_t len, slen;
    char err[512];
    uint8_t *blob = (uint8_t *)eb_file_read_all(get(o, n, "in"), 0, 0, &len, err, sizeof err), *signed_ = NULL;
    eb_model_t m;
    eb_model_error_t me;
    if (!blob || eb_model_open(&m, blob, len, &me)) {
        fprintf(stderr, "edgebox model sign: %s\n", blob ? me.msg : err);
        free(blob);
        return 1;
    }
    man.schema_hash = eb_model_schema_hash(&m);
    snprintf(man.model_id, sizeof man.model_id, "%s", get(o, n, "model-id") ? get(o, n, "model-id") : "model");
    int rc = eb_sign_blob_file(blob, len, &man, get(o, n, "key"), &signed_, &slen, err, sizeof err);
    if (rc)
        fprintf(stderr, "edgebox model sign: %s\n", err);
    else
        rc = write_out(get(o, n, "out"), signed_, slen);
    free(blob);
    free(signed_);
    return rc ? 1 : 0;
}

static void print_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static void print_kv(const char *name, const eb_manifest_kv_t *kv, int n)
{
    printf(",\n    \"%s\": {", name);
    for (int i = 0, first = 1; i < n; i++)
        if (kv[i].name[0]) {
            printf("%s\"%s\": %.9g", first ? "" : ", ", kv[i].name, kv[i].value);
            first = 0;
        }
    printf("}");
}

static void print_manifest(const eb_manifest_t *m)
{
    printf("{\n  \"format_version\": %u,\n  \"model_id\": \"%s\",\n  \"schema_hash\": \"%016llx\",\n"
           "  \"board\": \"%s\",\n  \"release\": %llu,\n  \"created\": %lld,\n  \"not_after\": %lld,\n"
           "  \"payload_len\": %llu,\n  \"payload_sha256\": \"",
           m->format_version, m->model_id, (unsigned long long)m->schema_hash, m->board,
           (unsigned long long)m->release, (long long)m->created, (long long)m->not_after,
           (unsigned long long)m->payload_len);
    print_hex(m->payload_sha256, 32);
    printf("\",\n  \"key_id\": \"");
    print_hex(m->key_id, EB_KEY_ID_SIZE);
    printf("\",\n  \"training\": {\n    \"window_start\": %lld,\n    \"window_end\": %lld,\n"
           "    \"rows_train\": %llu,\n    \"rows_valid\": %llu",
           (long long)m->summary.window_start, (long long)m->summary.window_end,
           (unsigned long long)m->summary.rows_train, (unsigned long long)m->summary.rows_valid);
    print_kv("metrics", m->summary.metrics, EB_MANIFEST_METRICS);
    print_kv("importances", m->summary.importances, EB_MANIFEST_IMPORTANCES);
    printf("\n  }\n}\n");
}

static int cmd_verify(int argc, char **argv)
{
    opt_t o[] = {{"pub", 0, 0}, {"in", 0, 0}, {"board", 0, 0}, {"schema-hash", 0, 0}, {"min-release", 0, 0},
                 {"now", 0, 0}};
    int n = (int)(sizeof o / sizeof o[0]);
    static const char *const req[] = {"pub", "in", NULL};
    eb_verify_policy_t pol;
    memset(&pol, 0, sizeof pol);
    const char *v;
    if (parse_opts(argc, argv, o, n) || need(o, n, "verify", req) ||
        ((v = get(o, n, "schema-hash")) && parse_u64(v, &pol.schema_hash, "--schema-hash")) ||
        ((v = get(o, n, "min-release")) && parse_u64(v, &pol.min_release, "--min-release")) ||
        ((v = get(o, n, "now")) && parse_time(v, &pol.now, "--now")))
        return 2;
    pol.board = get(o, n, "board");
    if (!get(o, n, "now"))
        pol.now = (int64_t)time(NULL);
    size_t klen, len;
    char err[512];
    char *key = eb_file_read_all(get(o, n, "pub"), 0, 0, &klen, err, sizeof err);
    uint8_t *f = key ? (uint8_t *)eb_file_read_all(get(o, n, "in"), 0, 0, &len, err, sizeof err) : NULL;
    if (!f) {
        fprintf(stderr, "edgebox model verify: %s\n", err);
        free(key);
        return 1;
    }
    pol.pubkey = (const uint8_t *)key;
    pol.pubkey_len = klen + 1; /* PEM: mbedTLS wants the terminating NUL counted */
    eb_manifest_t man;
    eb_verify_status_t st = eb_model_verify(f, len, &pol, &man, NULL, NULL, err, sizeof err);
    if (st != EB_VERIFY_OK)
        fprintf(stderr, "edgebox model verify: %s: refused (%s): %s\n", get(o, n, "in"), eb_verify_status_name(st), err);
    else
        printf("%s: OK (model %s, release %llu, board %s)\n", get(o, n, "in"), man.model_id,
               (unsigned long long)man.release, man.board);
    free(key);
    free(f);
    return st == EB_VERIFY_OK ? 0 : 1;
}

static int cmd_inspect(int argc, char **argv)
{
    opt_t o[] = {{"in", 0, 0}};
    static const char *const req[] = {"in", NULL};
    if (parse_opts(argc, argv, o, 1) || need(o, 1, "inspect", req))
        return 2;
    size_t len;
    char err[512];
    uint8_t *f = (uint8_t *)eb_file_read_all(get(o, 1, "in"), 0, 0, &len, err, sizeof err);
    eb_manifest_t man;
    int rc = !f ? -1 : len < EB_SIGNED_OVERHEAD || memcmp(f, EB_SIGNED_MAGIC, 8) ? -2
                                                  : eb_manifest_decode(f + EB_SIGNED_HEAD, &man, err, sizeof err);
    if (rc == -2)
        eb_errf(err, sizeof err, "%s: not a signed model file", get(o, 1, "in"));
    if (rc)
        fprintf(stderr, "edgebox model inspect: %s (signature not checked: use model verify)\n", err);
    else
        print_manifest(&man);
    free(f);
    return rc ? 1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: edgebox model compile --in MODEL --out M.ebm [--schema-hash H] [--threshold-buy P]\n"
            "                     [--threshold-sell P] [--min-confidence P] [--platt a0,b0,a1,b1,...]\n"
            "       edgebox model predict --model M.ebm|MODEL --in ROWS.csv [--margin]\n"
            "       edgebox model sign --key K --in M.ebm --release N [--not-after T] [--board B]\n"
            "                     [--model-id ID] [--created T] --out M.signed\n"
            "       edgebox model verify --pub P --in M.signed [--board B] [--schema-hash H] [--min-release N]\n"
            "                     [--now T]\n"
            "       edgebox model inspect --in M.signed\n"
            "       edgebox model push --in M.signed (--state-dir DIR | --drop-dir DIR)\n"
            "       edgebox model push --in M.signed --host H[:PORT] --token-file F [--timeout S]\n"
            "                     (over the box's API: the normal way; edgebox status shows the result)\n"
            "MODEL: XGBoost JSON or LightGBM text; T: unix seconds or YYYY-MM-DD[THH:MM:SSZ]\n");
}

int cmd_model(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } sub[] = {{"compile", cmd_compile}, {"predict", cmd_predict}, {"sign", cmd_sign},
               {"verify", cmd_verify},   {"inspect", cmd_inspect}, {"push", eb_model_push_main}};
    int help = argc >= 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    for (int i = 2; i < argc && !help; i++)
        help = !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
    for (int i = 2; argc >= 2 && !strcmp(argv[1], "push") && i < argc && !help; i++)
        if (!strcmp(argv[i], "--host")) /* a box over the network rather than a local drop directory */
            return eb_remote_model_push(argc, argv);
    for (size_t i = 0; argc >= 2 && i < sizeof sub / sizeof sub[0] && !help; i++)
        if (!strcmp(argv[1], sub[i].name))
            return sub[i].fn(argc, argv);
    usage(help ? stdout : stderr);
    return help ? 0 : 2;
}
