#include "core/lifecycle.h"

#include "core/calendar.h"

#include <math.h>

/* Expectancies within this many R of a threshold count as equal to it: a mean of ten 0.01R trades is
 * 0.009999999999999998 in binary floating point, and the rule says it qualifies. */
#define R_TOLERANCE 1e-9

eb_lc_params_t eb_lc_params_default(void)
{
    eb_lc_params_t p = {.min_trades = 10, .window = 30, .promote_expectancy = 0.01, .demote_expectancy = 0.0,
                        .incubation_months = 1, .production_months = 3};
    return p;
}

const char *eb_lc_state_name(eb_lc_state_t s)
{
    switch (s) {
    case EB_LC_CANDIDATE: return "candidate";
    case EB_LC_INCUBATION: return "incubation";
    case EB_LC_PRODUCTION: return "production";
    case EB_LC_RETIRED: return "retired";
    }
    return "unknown";
}

const char *eb_lc_action_name(eb_lc_action_t a)
{
    switch (a) {
    case EB_LC_HOLD: return "hold";
    case EB_LC_PROMOTE: return "promote";
    case EB_LC_DEMOTE: return "demote";
    }
    return "unknown";
}

const char *eb_lc_reason_text(eb_lc_reason_t r)
{
    switch (r) {
    case EB_LC_R_CRITERIA_MET: return "criteria met";
    case EB_LC_R_HEALTHY: return "healthy: demotion criteria not met";
    case EB_LC_R_NOT_VALIDATED: return "walk-forward or Monte Carlo validation has not passed";
    case EB_LC_R_TOO_FEW_TRADES: return "too few trades";
    case EB_LC_R_LOW_EXPECTANCY: return "expectancy below the promotion threshold";
    case EB_LC_R_TOO_SOON: return "not long enough in the current state";
    case EB_LC_R_AWAITING_CONSENT: return "criteria met, awaiting the operator's consent";
    case EB_LC_R_RETIRED: return "retired";
    case EB_LC_R_BAD_INPUT: return "invalid input";
    }
    return "unknown";
}

static int params_ok(const eb_lc_params_t *p)
{
    return p->min_trades >= 1 && p->window >= 1 && isfinite(p->promote_expectancy) &&
           isfinite(p->demote_expectancy) && p->incubation_months >= 0 && p->production_months >= 0;
}

/* Counts the trades of the current state and averages the last `window` of them. */
static int count_trades(const eb_lc_params_t *p, const eb_lc_input_t *in, const eb_lc_trade_t *t, size_t n,
                        eb_lc_decision_t *out)
{
    size_t first = n, last = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i].r))
            return -1;
        if (t[i].close_ms >= in->since_ms && t[i].close_ms <= in->now_ms) {
            first = first < i ? first : i;
            last = i + 1;
        }
    }
    int count = first < last ? (int)(last - first) : 0;
    size_t from = count > p->window ? last - (size_t)p->window : first;
    double sum = 0;
    for (size_t i = from; i < last; i++)
        sum += t[i].r;
    out->trades = count;
    out->expectancy = count ? sum / (double)(last - from) : 0.0;
    return 0;
}

static void decide(eb_lc_decision_t *d, eb_lc_action_t action, eb_lc_state_t next, eb_lc_reason_t why)
{
    d->action = action;
    d->next = next;
    d->reason = why;
}

static void promotion(const eb_lc_params_t *p, const eb_lc_input_t *in, eb_lc_decision_t *d)
{
    int live = in->state == EB_LC_INCUBATION;
    d->eligible_ms = live ? eb_calendar_add_months(in->since_ms, p->incubation_months) : in->since_ms;
    eb_lc_state_t up = live ? EB_LC_PRODUCTION : EB_LC_INCUBATION;
    if (!live && !in->validated)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_NOT_VALIDATED);
    else if (d->trades < p->min_trades)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_TOO_FEW_TRADES);
    else if (d->expectancy < p->promote_expectancy - R_TOLERANCE)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_LOW_EXPECTANCY);
    else if (in->now_ms < d->eligible_ms)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_TOO_SOON);
    else if (live && !in->operator_consent)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_AWAITING_CONSENT);
    else
        decide(d, EB_LC_PROMOTE, up, EB_LC_R_CRITERIA_MET);
}

static void gravedigger(const eb_lc_params_t *p, const eb_lc_input_t *in, eb_lc_decision_t *d)
{
    d->eligible_ms = eb_calendar_add_months(in->since_ms, p->production_months);
    if (in->now_ms < d->eligible_ms)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_TOO_SOON);
    else if (d->trades < p->min_trades)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_TOO_FEW_TRADES);
    else if (d->expectancy > p->demote_expectancy + R_TOLERANCE)
        decide(d, EB_LC_HOLD, in->state, EB_LC_R_HEALTHY);
    else
        decide(d, EB_LC_DEMOTE, EB_LC_INCUBATION, EB_LC_R_CRITERIA_MET);
}

int eb_lifecycle_decide(const eb_lc_params_t *p, const eb_lc_input_t *in, const eb_lc_trade_t *trades,
                        size_t n, eb_lc_decision_t *out)
{
    eb_lc_decision_t d = {.action = EB_LC_HOLD, .next = in->state, .reason = EB_LC_R_BAD_INPUT};
    int st = (int)in->state, known = st >= (int)EB_LC_CANDIDATE && st <= (int)EB_LC_RETIRED;
    if (!known || !params_ok(p) || count_trades(p, in, trades, n, &d) != 0) {
        *out = d;
        return -1;
    }
    if (in->state == EB_LC_RETIRED)
        decide(&d, EB_LC_HOLD, in->state, EB_LC_R_RETIRED);
    else if (in->state == EB_LC_PRODUCTION)
        gravedigger(p, in, &d);
    else
        promotion(p, in, &d);
    *out = d;
    return 0;
}
