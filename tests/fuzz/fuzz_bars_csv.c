/* libFuzzer: the bar CSV reader (app/bars_csv.c) on any bytes through a stream: it returns bars, the end
 * or a refusal naming the file and line, and every bar it returns passes the bar check, in increasing
 * time.
 * FUZZ_SOURCES: firmware/app/bars_csv.c firmware/core/bar.c */
#include "app/bars_csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *fp = fmemopen((void *)data, size, "r");
    if (!fp)
        return 0;
    eb_bars_csv_t r;
    if (eb_bars_csv_open_stream(&r, fp, "fuzz.csv") == 0) {
        eb_bar_t b;
        int64_t prev = -1;
        int st;
        while ((st = eb_bars_csv_next(&r, &b)) == 1) {
            if (eb_bar_check(&b) != EB_BAR_OK || b.open_time_ms <= prev)
                abort();
            prev = b.open_time_ms;
        }
        if (st < 0 && strncmp(r.err, "fuzz.csv:", 9) != 0)
            abort();
        eb_bars_csv_close(&r);
    }
    fclose(fp);
    return 0;
}
