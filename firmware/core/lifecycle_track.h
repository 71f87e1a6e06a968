/* The lifecycle of the running strategy on the box: its state, when that began, and the last trades
 * closed since then, in fixed memory (the daemon keeps one in its snapshot). Decisions come from the one
 * rule function, eb_lifecycle_decide (core/lifecycle.h), which the host reports use too.
 *
 * Only the last EB_LC_TRACK_MAX trades are kept: the rules read the count and the last `window` trades,
 * so as long as window and min_trades fit in the ring the decision is the one a full history would give
 * (eb_lc_track_decide refuses parameters that do not fit). */
#ifndef EB_CORE_LIFECYCLE_TRACK_H
#define EB_CORE_LIFECYCLE_TRACK_H

#include "core/lifecycle.h"

#define EB_LC_TRACK_MAX 64

typedef struct {
    int32_t state;       /* eb_lc_state_t */
    uint32_t head;       /* next slot of the ring */
    int64_t since_ms;    /* when the current state began */
    uint64_t count;      /* trades closed since then */
    eb_lc_trade_t ring[EB_LC_TRACK_MAX];
} eb_lc_track_t;

void eb_lc_track_init(eb_lc_track_t *t, eb_lc_state_t state, int64_t since_ms);
/* A closed trade; trades must arrive in close order and not before since_ms (others are ignored). */
void eb_lc_track_add(eb_lc_track_t *t, int64_t close_ms, double r);
/* The rule's decision at now_ms; out->trades is the full count since the state began. 0, or -1 with
 * reason EB_LC_R_BAD_INPUT (bad parameters, a window larger than the ring, a non-finite R). */
int eb_lc_track_decide(const eb_lc_track_t *t, const eb_lc_params_t *p, int64_t now_ms, int validated,
                       int operator_consent, eb_lc_decision_t *out);
/* Applies a promotion or demotion: the new state begins at now_ms with no trades. HOLD changes nothing. */
void eb_lc_track_apply(eb_lc_track_t *t, const eb_lc_decision_t *d, int64_t now_ms);

#endif
