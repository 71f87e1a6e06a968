/* libFuzzer: the blob loader. Any bytes either are refused by eb_model_open or evaluate without leaving
 * the blob (ASan/UBSan watch every access) on rows of zeros, NaN and values taken from the input; with
 * the lane and row images attached, every walk must give the portable walk's bits.
 * FUZZ_SOURCES: firmware/core/model.c firmware/core/name_table.c firmware/core/model_eval.c firmware/core/model_eval_x86.c firmware/core/model_rows_x86.c */
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
        uint32_t nf = eb_model_num_features(&m), no = eb_model_num_outputs(&m);
        size_t nl = eb_model_lanes_size(&m), nr = eb_model_rows_size(&m);
        uint8_t *images = malloc(nl + nr + 1);
        double *x = malloc(3 * nf * sizeof *x + 1), out[EB_MODEL_MAX_CLASSES], rows[3 * EB_MODEL_MAX_CLASSES];
        double plain[3 * EB_MODEL_MAX_CLASSES];
        for (int pass = 0; pass < 3; pass++) {
            double *r = x + (size_t)pass * nf;
            for (uint32_t i = 0; i < nf; i++)
                r[i] = pass == 0 ? 0.0 : pass == 1 ? NAN : (double)data[i % size] - 128.0;
            eb_model_predict(&m, r, plain + pass * no);
            eb_model_predict_margin(&m, r, out);
            eb_model_calibrate(&m, out, out);
        }
        if (nl)
            eb_model_attach_lanes(&m, images, nl);
        if (nr)
            eb_model_attach_rows(&m, images + nl, nr);
        eb_model_predict_rows(&m, x, nf, 3, rows);
        for (int pass = 0; pass < 3; pass++) {
            eb_model_predict(&m, x + (size_t)pass * nf, out);
            /* NaN outputs (a NaN leaf sum) compare by bits too */
            if (memcmp(out, plain + pass * no, no * sizeof *out) != 0 ||
                memcmp(rows + pass * no, out, no * sizeof *out) != 0)
                abort();
        }
        eb_model_decision_t d;
        eb_model_decision(&m, &d);
        free(x);
        free(images);
    }
    free(b);
    return 0;
}
