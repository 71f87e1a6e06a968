#include "tests/support/engine_bars.h"

#include <string.h>

eb_engine_config_t eb_test_engine_config(int zero_costs)
{
    eb_engine_config_t c;
    eb_engine_config_default(&c);
    if (zero_costs)
        c.costs = (eb_fill_costs_t){0};
    strcpy(c.strategy, "t");
    return c;
}

eb_engine_input_t eb_test_input(int dir, double atr)
{
    return (eb_engine_input_t){.direction = dir, .ready = 1, .atr = atr, .atr_mean = atr};
}

int eb_test_step(eb_engine_t *e, int64_t t, double o, double h, double l, double c, eb_engine_input_t in,
                 eb_intent_t *out)
{
    eb_bar_t b = {t, o, h, l, c, 1};
    return eb_engine_step(e, &b, &in, out, EB_ENGINE_MAX_INTENTS);
}
