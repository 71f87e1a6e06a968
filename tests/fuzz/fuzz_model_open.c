/* libFuzzer: the blob loader. Any bytes either are refused by eb_model_open or evaluate without leaving
 * the blob (ASan/UBSan watch every access) on rows of zeros, NaN and values taken from the input.
 * FUZZ_SOURCES: firmware/core/model.c firmware/core/model_eval.c firmware/core/model_eval_x86.c firmware/core/model_rows_x86.c */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy: ASan catches a read one byte past the end. */
    uint8_t *b = malloc(size ? size : 1);
    memcpy(b, data, size);
    eb_model_t m;
    eb_model_error_t e;
    if (eb_model_open(&m, b, size, &e) == 0) {
        uint32_t nf = eb_model_num_features(&m);
        double *x = malloc(nf * sizeof *x), out[EB_MODEL_MAX_CLASSES];
        for (int pass = 0; pass < 3; pass++) {
            for (uint32_t i = 0; i < nf; i++)
                x[i] = pass == 0 ? 0.0 : pass == 1 ? NAN : (double)data[i % size] - 128.0;
            eb_model_predict(&m, x, out);
            eb_model_predict_margin(&m, x, out);
            eb_model_calibrate(&m, out, out);
        }
        eb_model_decision_t d;
        eb_model_decision(&m, &d);
        free(x);
    }
    free(b);
    return 0;
}
