#include "core/lifecycle_track.h"

#include <string.h>

void eb_lc_track_init(eb_lc_track_t *t, eb_lc_state_t state, int64_t since_ms)
{
    memset(t, 0, sizeof *t);
    t->state = (int32_t)state;
    t->since_ms = since_ms;
}

void eb_lc_track_add(eb_lc_track_t *t, int64_t close_ms, double r)
{
    if (close_ms < t->since_ms)
        return;
    t->ring[t->head] = (eb_lc_trade_t){close_ms, r};
    t->head = (t->head + 1u) % EB_LC_TRACK_MAX;
    t->count++;
}

int eb_lc_track_decide(const eb_lc_track_t *t, const eb_lc_params_t *p, int64_t now_ms, int validated,
                       int operator_consent, eb_lc_decision_t *out)
{
    if (p->window > EB_LC_TRACK_MAX || p->min_trades > EB_LC_TRACK_MAX) {
        *out = (eb_lc_decision_t){.action = EB_LC_HOLD, .next = (eb_lc_state_t)t->state, .reason = EB_LC_R_BAD_INPUT};
        return -1;
    }
    eb_lc_trade_t in_order[EB_LC_TRACK_MAX];
    size_t n = t->count < EB_LC_TRACK_MAX ? (size_t)t->count : EB_LC_TRACK_MAX;
    size_t first = (t->head + EB_LC_TRACK_MAX - n) % EB_LC_TRACK_MAX;
    for (size_t i = 0; i < n; i++)
        in_order[i] = t->ring[(first + i) % EB_LC_TRACK_MAX];
    eb_lc_input_t in = {.state = (eb_lc_state_t)t->state, .since_ms = t->since_ms, .now_ms = now_ms,
                        .validated = validated, .operator_consent = operator_consent};
    int rc = eb_lifecycle_decide(p, &in, in_order, n, out);
    if (rc == 0 && out->trades == (int)n) /* all kept trades counted: the older ones count too */
        out->trades = t->count > (uint64_t)INT32_MAX ? INT32_MAX : (int)t->count;
    return rc;
}

void eb_lc_track_apply(eb_lc_track_t *t, const eb_lc_decision_t *d, int64_t now_ms)
{
    if (d->action != EB_LC_HOLD && d->next != (eb_lc_state_t)t->state)
        eb_lc_track_init(t, d->next, now_ms);
}
