#include "tests/support/synth_hourly.h"

#include "core/synth.h"

#include <stdlib.h>

eb_bar_t *eb_test_synth_hourly(size_t n, uint64_t seed, double vol)
{
    eb_synth_params_t p = eb_synth_params_default();
    p.seed = seed;
    p.interval_ms = 3600000;
    p.base_vol = vol;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    eb_bar_t *b = malloc(n * sizeof *b);
    for (size_t i = 0; b && i < n; i++)
        eb_synth_next(&s, &b[i]);
    return b;
}
