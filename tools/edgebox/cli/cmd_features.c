/* edgebox features: the 58 model features (SPEC section 4) of a bar CSV, from the same engine the box runs. */
#include "app/bars_csv.h"
#include "app/feature_config.h"
#include "common/file_read.h"
#include "common/json_strict.h"
#include "core/feature_schema.h"
#include "core/features.h"
#include "tools/edgebox/cli/commands.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EB_COMMAND(features, "the 58 model features of a bar CSV (CSV), or --schema: names, parameters, hash")

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox features --in BARS.csv [--config C]\n"
                 "       edgebox features --schema [--config C]\n"
                 "  prints open_time_ms and the 58 features, one row per bar once all are defined;\n"
                 "  --config reads the periods from the \"features\" object of a JSON config\n"
                 "  (tenkan, kijun, senkou_b, displacement, rsi, atr; defaults 9, 26, 52, 26, 14, 14).\n");
}

/* Reads the whole config file and takes its "features" object (absent: defaults). */
static int load_params(const char *path, eb_feature_params_t *p)
{
    *p = eb_feature_params_default();
    if (!path)
        return 0;
    char err[512];
    size_t len = 0;
    char *text = eb_file_read_all(path, 1 << 20, 0, &len, err, sizeof err);
    cJSON *root = text ? eb_json_strict_parse(text, len, path, err, sizeof err) : NULL;
    free(text);
    if (!root) {
        fprintf(stderr, "edgebox features: %s\n", err);
        return -1;
    }
    int rc = -1;
    if (!cJSON_IsObject(root))
        fprintf(stderr, "edgebox features: %s: not a JSON object\n", path);
    else if (eb_feature_config_read(cJSON_GetObjectItemCaseSensitive(root, "features"), p, err, sizeof err) != 0)
        fprintf(stderr, "edgebox features: %s: %s\n", path, err);
    else
        rc = 0;
    cJSON_Delete(root);
    return rc;
}

static void print_schema(const eb_feature_params_t *p)
{
    printf("schema_version %d\n", EB_FEATURE_SCHEMA_VERSION);
    for (int i = 0; i < EB_FEATURE_PARAM_COUNT; i++)
        printf("param %s %d\n", eb_feature_param_ranges[i].key, eb_feature_param_get(p, i));
    for (int i = 0; i < EB_FEATURE_COUNT; i++)
        printf("feature %d %s\n", i + 1, eb_feature_names[i]);
    printf("warmup_bars %d\n", eb_features_warmup_bars(p));
    printf("state_bytes %zu\n", eb_features_state_size(p));
    printf("schema_hash %016" PRIx64 "\n", eb_features_schema_hash(p));
}

static int run(eb_bars_csv_t *r, eb_features_t *f)
{
    fputs("open_time_ms", stdout);
    for (int i = 0; i < EB_FEATURE_COUNT; i++)
        printf(",%s", eb_feature_names[i]);
    putchar('\n');
    eb_bar_t b;
    double out[EB_FEATURE_COUNT];
    int st;
    while ((st = eb_bars_csv_next(r, &b)) == 1) {
        if (r->gap_bars > 0)
            fprintf(stderr, "edgebox features: %s:%ld: gap: %ld bar(s) missing after %" PRId64 " (not filled)\n",
                    r->name, r->line, r->gap_bars, r->gap_from_ms);
        if (eb_features_step(f, &b, out) != 1)
            continue;
        printf("%" PRId64, b.open_time_ms);
        for (int i = 0; i < EB_FEATURE_COUNT; i++)
            printf(",%.17g", out[i]);
        putchar('\n');
    }
    if (st < 0)
        fprintf(stderr, "edgebox features: %s\n", r->err);
    return st < 0 ? 1 : 0;
}

int cmd_features(int argc, char **argv)
{
    static const struct option opts[] = {{"in", 1, 0, 'i'}, {"config", 1, 0, 'c'}, {"schema", 0, 0, 's'},
                                         {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *in = NULL, *config = NULL;
    int schema = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': in = optarg; break;
        case 'c': config = optarg; break;
        case 's': schema = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if ((!in && !schema) || optind < argc) {
        usage(stderr);
        return 2;
    }
    eb_feature_params_t p;
    if (load_params(config, &p) != 0)
        return 1;
    if (schema) {
        print_schema(&p);
        return 0;
    }
    eb_bars_csv_t r;
    if (eb_bars_csv_open(&r, in) != 0) {
        fprintf(stderr, "edgebox features: %s\n", r.err);
        return 1;
    }
    size_t size = eb_features_state_size(&p);
    void *mem = malloc(size);
    eb_features_t *f = eb_features_init(mem, size, &p);
    int rc = f ? run(&r, f) : 1;
    free(mem);
    eb_bars_csv_close(&r);
    return rc;
}
