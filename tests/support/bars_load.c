#include "tests/support/bars_load.h"

#include "app/bars_csv.h"
#include "core/synth.h"

#include <stdio.h>
#include <stdlib.h>

eb_bar_t *eb_test_load_bars(const char *path, size_t *n)
{
    eb_bars_csv_t r;
    size_t cap = 1024, len = 0;
    eb_bar_t *bars = malloc(cap * sizeof *bars), b;
    if (!bars || eb_bars_csv_open(&r, path) != 0) {
        fprintf(stderr, "%s\n", bars ? r.err : "out of memory");
        free(bars);
        return NULL;
    }
    int st;
    while ((st = eb_bars_csv_next(&r, &b)) == 1) {
        if (len == cap) {
            eb_bar_t *nb = realloc(bars, 2 * cap * sizeof *bars);
            if (!nb)
                break;
            bars = nb;
            cap *= 2;
        }
        bars[len++] = b;
    }
    eb_bars_csv_close(&r);
    if (st != 0) {
        fprintf(stderr, "%s\n", st < 0 ? r.err : "out of memory");
        free(bars);
        return NULL;
    }
    *n = len;
    return bars;
}

eb_bar_t *eb_test_synth_bars(size_t n, uint64_t seed, double gap_prob)
{
    eb_bar_t *bars = malloc((n ? n : 1) * sizeof *bars);
    if (!bars)
        return NULL;
    eb_synth_params_t p = eb_synth_params_default();
    p.seed = seed;
    p.gap_prob = gap_prob;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    for (size_t i = 0; i < n; i++)
        eb_synth_next(&s, &bars[i]);
    return bars;
}
