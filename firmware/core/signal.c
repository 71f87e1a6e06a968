#include "core/signal.h"

#include <math.h>

void eb_signal_params_default(eb_signal_params_t *p)
{
    *p = (eb_signal_params_t){.threshold_buy = 0.5, .threshold_sell = 0.5, .min_confidence = 0,
                              .class_sell = EB_MODEL_CLASS_SELL, .class_neutral = EB_MODEL_CLASS_NEUTRAL,
                              .class_buy = EB_MODEL_CLASS_BUY};
}

void eb_signal_params_from_model(eb_signal_params_t *p, const eb_model_t *m)
{
    eb_model_decision_t d;
    eb_model_decision(m, &d);
    *p = (eb_signal_params_t){.threshold_buy = d.threshold_buy, .threshold_sell = d.threshold_sell,
                              .min_confidence = d.min_confidence, .class_sell = d.class_sell,
                              .class_neutral = d.class_neutral, .class_buy = d.class_buy};
}

eb_signal_t eb_signal_fixed(int direction)
{
    eb_signal_t s = {.direction = direction > 0 ? 1 : direction < 0 ? -1 : 0, .confidence = 1.0};
    s.p_buy = s.direction > 0 ? 1.0 : 0.0;
    s.p_sell = s.direction < 0 ? 1.0 : 0.0;
    return s;
}

static int class_ok(int c, uint32_t n) { return c >= 0 && (uint32_t)c < n; }

int eb_signal_from_probs(const eb_signal_params_t *p, const double *probs, uint32_t n, eb_signal_t *out)
{
    *out = (eb_signal_t){0};
    if (!probs || !class_ok(p->class_buy, n) || !class_ok(p->class_sell, n))
        return -1;
    double top = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (isnan(probs[i]))
            return -1;
        top = probs[i] > top ? probs[i] : top;
    }
    double pb = probs[p->class_buy], ps = probs[p->class_sell];
    out->p_buy = pb;
    out->p_sell = ps;
    out->confidence = top;
    if (top < p->min_confidence)
        return 0;
    if (pb >= p->threshold_buy && pb > ps) {
        out->direction = 1;
        out->confidence = pb;
    } else if (ps >= p->threshold_sell && ps > pb) {
        out->direction = -1;
        out->confidence = ps;
    }
    return 0;
}
