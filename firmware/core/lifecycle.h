/* Strategy lifecycle (SPEC section 9, seed 001): candidate -> incubation (paper) -> production (live) ->
 * retired. One pure decision function serves the host reports (walk-forward, Monte Carlo) and the daemon.
 *
 *   candidate  -> incubation  when validation passed (walk-forward + Monte Carlo), >= 10 out-of-sample
 *                             trades and expectancy over the last 30 of them >= 0.01R;
 *   incubation -> production  (promotion) >= 10 paper trades since incubation began, expectancy over the
 *                             last 30 >= 0.01R, >= 1 calendar month in incubation, and operator consent;
 *   production -> incubation  (gravedigger demotion) >= 3 calendar months in production, >= 10 trades
 *                             since then and expectancy over the last 30 <= 0R; the caller alerts;
 *   retired: terminal, only an operator retires (no rule moves into or out of it).
 * Only trades closed at or after `since_ms` (the start of the current state) and at or before now count.
 * Expectancy is the mean R of the last `window` counted trades (all of them when fewer). */
#ifndef EB_CORE_LIFECYCLE_H
#define EB_CORE_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { EB_LC_CANDIDATE, EB_LC_INCUBATION, EB_LC_PRODUCTION, EB_LC_RETIRED } eb_lc_state_t;
typedef enum { EB_LC_HOLD, EB_LC_PROMOTE, EB_LC_DEMOTE } eb_lc_action_t;

typedef enum {
    EB_LC_R_CRITERIA_MET = 0,     /* promote/demote: every condition holds */
    EB_LC_R_HEALTHY,              /* production: the gravedigger's conditions do not hold */
    EB_LC_R_NOT_VALIDATED,        /* candidate: walk-forward or Monte Carlo did not pass */
    EB_LC_R_TOO_FEW_TRADES,       /* fewer than min_trades counted trades */
    EB_LC_R_LOW_EXPECTANCY,       /* expectancy below the promotion threshold */
    EB_LC_R_TOO_SOON,             /* not long enough in the current state */
    EB_LC_R_AWAITING_CONSENT,     /* everything holds but the operator has not consented */
    EB_LC_R_RETIRED,              /* terminal state */
    EB_LC_R_BAD_INPUT,            /* unknown state, bad parameters or a non-finite R */
} eb_lc_reason_t;

typedef struct {
    int64_t close_ms; /* when the trade closed (UTC ms) */
    double r;         /* result in R multiples */
} eb_lc_trade_t;

typedef struct {
    int min_trades;            /* 10 */
    int window;                /* last 30 trades */
    double promote_expectancy; /* 0.01 R: promotion needs expectancy >= this */
    double demote_expectancy;  /* 0.0 R: demotion when expectancy <= this */
    int incubation_months;     /* 1: minimum time in incubation before promotion */
    int production_months;     /* 3: minimum time in production before the gravedigger may act */
} eb_lc_params_t;

typedef struct {
    eb_lc_action_t action;
    eb_lc_state_t next;    /* the state after the action (== current when holding) */
    eb_lc_reason_t reason; /* why (for HOLD: the first condition that failed, in the order above) */
    int trades;            /* trades counted */
    double expectancy;     /* over the last min(trades, window) counted trades; 0 when none */
    int64_t eligible_ms;   /* when the time condition is (or was) met */
} eb_lc_decision_t;

typedef struct {
    eb_lc_state_t state;
    int64_t since_ms;     /* when the current state began */
    int64_t now_ms;
    int validated;        /* candidate only: walk-forward and Monte Carlo passed */
    int operator_consent; /* incubation only: explicit consent to go live */
} eb_lc_input_t;

eb_lc_params_t eb_lc_params_default(void);
/* Trades must be in close order; the decision is written to *out; returns 0, or -1 with reason
 * EB_LC_R_BAD_INPUT (out->action HOLD) for an unknown state, invalid parameters or a non-finite R. */
int eb_lifecycle_decide(const eb_lc_params_t *p, const eb_lc_input_t *in, const eb_lc_trade_t *trades,
                        size_t n, eb_lc_decision_t *out);
const char *eb_lc_state_name(eb_lc_state_t s);
const char *eb_lc_action_name(eb_lc_action_t a);
const char *eb_lc_reason_text(eb_lc_reason_t r);

#endif
