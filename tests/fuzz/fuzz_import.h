/* Shared body of the importer fuzz targets: compile, and if that succeeds the blob must open and evaluate.
 * A compiled blob that eb_model_open refuses is a bug in the compiler: abort() so libFuzzer reports it. */
#ifndef EB_FUZZ_IMPORT_H
#define EB_FUZZ_IMPORT_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "tools/edgebox/model/model_compile.h"

typedef int (*fuzz_compile_fn)(const char *, size_t, const eb_compile_opts_t *, uint8_t **, size_t *, char *,
                               size_t);

static int fuzz_import(const uint8_t *data, size_t size, fuzz_compile_fn compile)
{
    char *text = malloc(size ? size : 1); /* exact size, not NUL-terminated: the parsers must use the length */
    memcpy(text, data, size);
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    uint8_t *blob = NULL;
    size_t len = 0;
    char err[256];
    if (compile(text, size, &o, &blob, &len, err, sizeof err) == 0) {
        eb_model_t m;
        if (eb_model_open(&m, blob, len, NULL) != 0)
            abort();
        double *x = calloc(eb_model_num_features(&m), sizeof *x), out[EB_MODEL_MAX_CLASSES];
        eb_model_predict(&m, x, out);
        x[0] = NAN;
        eb_model_predict(&m, x, out);
        free(x);
        free(blob);
    } else if (!err[0]) {
        abort(); /* every refusal names its reason */
    }
    free(text);
    return 0;
}

#endif
