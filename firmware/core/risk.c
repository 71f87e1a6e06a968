#include "core/risk.h"

#include "core/name_table.h"

#include <math.h>
#include <string.h>

static const char *const sizing_names[] = {
    [EB_SIZING_FIXED_RISK] = "fixed_risk",
    [EB_SIZING_FIXED_FRACTION] = "fixed_fraction",
    [EB_SIZING_VOLATILITY_TARGET] = "volatility_target",
    [EB_SIZING_KELLY] = "kelly",
};
_Static_assert(sizeof sizing_names / sizeof sizing_names[0] == EB_SIZING_COUNT, "a name for every sizing method");

const char *eb_sizing_method_name(eb_sizing_method_t m) { return EB_NAME_AT(sizing_names, m); }

int eb_sizing_method_from_name(const char *name, eb_sizing_method_t *m)
{
    int i = EB_NAME_FIND(sizing_names, name);
    if (i >= 0)
        *m = (eb_sizing_method_t)i;
    return i >= 0 ? 0 : -1;
}

double eb_risk_vol_multiplier(double atr, double atr_mean, double lo, double hi)
{
    if (!isfinite(atr) || !isfinite(atr_mean) || atr <= 0 || atr_mean <= 0)
        return NAN;
    double x = atr / atr_mean;
    return x < lo ? lo : x > hi ? hi : x;
}

double eb_risk_round_lot(double qty, double step)
{
    if (!(qty > 0) || !(step > 0))
        return 0;
    return floor(qty / step * (1.0 + 1e-9)) * step;
}

double eb_risk_kelly_fraction(double win_rate, double payoff)
{
    return win_rate - (1.0 - win_rate) / payoff;
}

static double method_qty(const eb_sizing_params_t *p, const eb_size_request_t *rq, double r_cap,
                         eb_refusal_t *refusal)
{
    switch (p->method) {
    case EB_SIZING_FIXED_FRACTION:
        return fmin(p->fixed_fraction * rq->available / rq->price, r_cap);
    case EB_SIZING_VOLATILITY_TARGET:
        return fmin(p->volatility_target * rq->available / rq->atr, r_cap);
    case EB_SIZING_KELLY: {
        double f = eb_risk_kelly_fraction(p->kelly_win_rate, p->kelly_payoff);
        if (!(f > 0)) {
            *refusal = EB_REFUSE_KELLY_NON_POSITIVE;
            return 0;
        }
        return fmin(f / 2.0, p->risk_per_trade) * rq->available / rq->stop_distance;
    }
    default:
        return r_cap;
    }
}

static int refuse(eb_size_result_t *out, eb_refusal_t r)
{
    memset(out, 0, sizeof *out);
    out->refusal = r;
    return -1;
}

int eb_risk_size_position(const eb_sizing_params_t *p, const eb_venue_limits_t *v, const eb_size_request_t *rq,
                          eb_size_result_t *out)
{
    if (!isfinite(rq->stop_distance) || rq->stop_distance <= 0 || !isfinite(rq->atr) || rq->atr <= 0 ||
        !(rq->price > 0))
        return refuse(out, EB_REFUSE_BAD_VOLATILITY);
    if (!(rq->available > 0) || !(rq->equity > 0))
        return refuse(out, EB_REFUSE_NO_AVAILABLE_CAPITAL);
    eb_refusal_t why = EB_REFUSE_NONE;
    double r_cap = p->risk_per_trade * rq->available / rq->stop_distance;
    double qty = method_qty(p, rq, r_cap, &why);
    if (why != EB_REFUSE_NONE)
        return refuse(out, why);
    double unit = rq->reserve_price > 0 ? rq->reserve_price : rq->price;
    qty = fmin(qty, p->max_position_pct * rq->equity / rq->price);
    qty = fmin(qty, rq->available * v->leverage / unit);
    qty = eb_risk_round_lot(qty, v->lot_step);
    /* The lot rounding's allowance may round up by a hair: the margin must still fit, exactly. */
    if (qty * unit / v->leverage > rq->available)
        qty = eb_risk_round_lot(qty - v->lot_step, v->lot_step);
    if (!(qty > 0))
        return refuse(out, EB_REFUSE_BELOW_LOT_STEP);
    if (qty * rq->price < v->min_notional)
        return refuse(out, EB_REFUSE_BELOW_MIN_NOTIONAL);
    out->qty = qty;
    out->notional = qty * rq->price;
    out->risk = qty * rq->stop_distance;
    out->margin = qty * unit / v->leverage;
    out->refusal = EB_REFUSE_NONE;
    return 0;
}

eb_refusal_t eb_risk_check_exposure(double open_risk, double new_risk, double equity, double cap)
{
    double limit = cap * equity;
    return open_risk + new_risk <= limit + 1e-9 * fabs(limit) ? EB_REFUSE_NONE : EB_REFUSE_EXPOSURE_CAP;
}
