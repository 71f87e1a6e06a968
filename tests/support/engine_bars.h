/* Hand-made bars through the engine, for the engine's tests: the config they start from, the input of a
 * model-free bar, one step. */
#ifndef EB_TEST_ENGINE_BARS_H
#define EB_TEST_ENGINE_BARS_H

#include "core/engine.h"

/* The defaults with strategy "t"; zero_costs: no slippage, fee or gap allowance (round prices). */
eb_engine_config_t eb_test_engine_config(int zero_costs);
/* A ready bar's input: direction dir, ATR atr equal to its mean (m = 1, 1R = atr). */
eb_engine_input_t eb_test_input(int dir, double atr);
/* One step of the bar (t, o, h, l, c, volume 1); intents in out (EB_ENGINE_MAX_INTENTS). */
int eb_test_step(eb_engine_t *e, int64_t t, double o, double h, double l, double c, eb_engine_input_t in,
                 eb_intent_t *out);

#endif
