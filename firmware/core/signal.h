/* The trading signal (SPEC section 5): from the model's calibrated class probabilities, enter long when
 * p(buy) >= threshold_buy and p(buy) > p(sell), short when p(sell) >= threshold_sell and p(sell) > p(buy);
 * nothing when the largest probability is under the blob's min_confidence. Thresholds, class order and
 * calibration travel inside the model blob; the config may override the thresholds. */
#ifndef EB_CORE_SIGNAL_H
#define EB_CORE_SIGNAL_H

#include "core/model.h"

#include <stdint.h>

typedef struct {
    double threshold_buy, threshold_sell, min_confidence;
    int class_sell, class_neutral, class_buy;
} eb_signal_params_t;

typedef struct {
    int direction;      /* +1 long, -1 short, 0 none */
    double confidence;  /* probability of the chosen class (of the largest class when none) */
    double p_buy, p_sell;
} eb_signal_t;

/* 0.5 / 0.5 / 0, classes 0 (sell), 1 (neutral), 2 (buy). */
void eb_signal_params_default(eb_signal_params_t *p);
/* The blob's decision section. */
void eb_signal_params_from_model(eb_signal_params_t *p, const eb_model_t *m);
/* Decides from n probabilities. A class index outside [0, n) or a NaN probability gives no signal
 * (returns -1); otherwise returns 0. */
int eb_signal_from_probs(const eb_signal_params_t *p, const double *probs, uint32_t n, eb_signal_t *out);
/* A signal given directly (model-free runs): direction -1/0/+1, confidence 1. */
eb_signal_t eb_signal_fixed(int direction);

#endif
