/* Deterministic synthetic bars (SPEC section 2, `edgebox data synth`): the same seed gives the same bars
 * on every machine, so demos and tests run offline. The price follows a log random walk whose volatility
 * clusters (GARCH(1,1)-style) and whose drift switches between regimes (up, down, range) as a Markov chain;
 * each bar's high and low come from sub-steps inside the bar, and volume grows with the bar's range. */
#ifndef EB_CORE_SYNTH_H
#define EB_CORE_SYNTH_H

#include "core/bar.h"

#include <stdint.h>

typedef enum { EB_REGIME_RANGE, EB_REGIME_UP, EB_REGIME_DOWN } eb_regime_t;

typedef struct {
    uint64_t seed;
    int64_t start_ms;    /* open time of the first bar */
    int64_t interval_ms; /* bar length */
    double start_price;
    double base_vol;  /* per-bar standard deviation of log returns in calm markets, e.g. 0.002 */
    double gap_prob;  /* chance that a bar is missing (an exchange outage), 0 for none */
    /* The drift of the up and down regimes, per bar, in units of base_vol (default 0.05: over a 48-bar
     * label horizon the trend is a third of the noise, close to a random walk, and a trainer rightly finds
     * no edge). 0.15 or more makes the regimes learnable: the trend over the horizon is about as large as
     * the noise, and the trend features (Ichimoku, EMA distances, RSI) see which regime runs. The demo
     * (make run) uses it so a newcomer sees trades; it is a teaching market, not a model of a real one. */
    double trend;
} eb_synth_params_t;

typedef struct {
    eb_synth_params_t p;
    uint64_t rng[4];
    double price, var;
    eb_regime_t regime;
    int64_t next_open_ms;
} eb_synth_t;

eb_synth_params_t eb_synth_params_default(void);
void eb_synth_init(eb_synth_t *s, const eb_synth_params_t *p);
/* Writes the next bar (skipping over missing ones, whose open times are never produced). */
void eb_synth_next(eb_synth_t *s, eb_bar_t *out);

#endif
