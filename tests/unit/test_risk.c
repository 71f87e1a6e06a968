/* Sizing and caps of SPEC section 7 against numbers computed by hand (comments show the arithmetic). */
#include "core/risk.h"
#include "tests/support/check.h"

static eb_sizing_params_t P(eb_sizing_method_t m)
{
    return (eb_sizing_params_t){.method = m, .risk_per_trade = 0.01, .fixed_fraction = 0.1,
                                .volatility_target = 0.005, .kelly_win_rate = 0.5, .kelly_payoff = 2,
                                .max_position_pct = 0.30};
}
static const eb_venue_limits_t SPOT = {.lot_step = 1e-5, .min_notional = 10, .leverage = 1};

static eb_size_result_t size(const eb_sizing_params_t *p, const eb_venue_limits_t *v, double equity, double avail,
                             double price, double dist, double atr, int *rc)
{
    eb_size_request_t rq = {.equity = equity, .available = avail, .price = price, .stop_distance = dist, .atr = atr};
    eb_size_result_t r;
    *rc = eb_risk_size_position(p, v, &rq, &r);
    return r;
}

TEST(multiplier_clamp)
{
    CHECK_NEAR(eb_risk_vol_multiplier(120, 100, 1.0, 1.5), 1.2, 1e-15);
    CHECK_NEAR(eb_risk_vol_multiplier(200, 100, 1.0, 1.5), 1.5, 0); /* 2.0 clamped to max */
    CHECK_NEAR(eb_risk_vol_multiplier(80, 100, 1.0, 1.5), 1.0, 0);  /* 0.8 clamped to min */
    CHECK(isnan(eb_risk_vol_multiplier(NAN, 100, 1, 1.5)));
    CHECK(isnan(eb_risk_vol_multiplier(10, 0, 1, 1.5)));
    CHECK(isnan(eb_risk_vol_multiplier(0, 10, 1, 1.5)));
}

TEST(lot_rounding)
{
    CHECK_NEAR(eb_risk_round_lot(0.3, 0.1), 0.3, 1e-15); /* 0.3/0.1 = 2.9999999999999996 in binary */
    CHECK_NEAR(eb_risk_round_lot(0.123456, 0.001), 0.123, 1e-15);
    CHECK_NEAR(eb_risk_round_lot(0.0999, 0.1), 0.0, 0);
    CHECK_NEAR(eb_risk_round_lot(-1, 0.1), 0.0, 0);
}

TEST(fixed_risk)
{
    int rc;
    eb_sizing_params_t p = P(EB_SIZING_FIXED_RISK);
    /* 1% of 10000 = 100 at risk; 1R = 1000 per BTC -> 0.1 BTC = 2000 notional (under the 30% cap). */
    eb_size_result_t r = size(&p, &SPOT, 10000, 10000, 20000, 1000, 500, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK_NEAR(r.qty, 0.1, 1e-12);
    CHECK_NEAR(r.risk, 100, 1e-9);
    CHECK_NEAR(r.notional, 2000, 1e-9);
    /* On AVAILABLE capital: 5000 free -> 50 at risk -> 0.05 BTC. */
    r = size(&p, &SPOT, 10000, 5000, 20000, 1000, 500, &rc);
    CHECK_NEAR(r.qty, 0.05, 1e-12);
    /* 1R = 300: 100/300 = 0.333 BTC = 6667 > 30% x 10000 = 3000 -> 0.15 BTC; risk 45. */
    r = size(&p, &SPOT, 10000, 10000, 20000, 300, 200, &rc);
    CHECK_NEAR(r.qty, 0.15, 1e-12);
    CHECK_NEAR(r.risk, 45, 1e-9);
    /* Margin cap: max_position 100%, 5% risk: 500/10 = 50 units x 1000 > 8000 available -> 8 units. */
    p.max_position_pct = 1.0;
    p.risk_per_trade = 0.05;
    r = size(&p, &SPOT, 10000, 8000, 1000, 10, 10, &rc);
    CHECK_NEAR(r.qty, 8, 1e-9);
    /* Futures with leverage 4 and 2000 free: margin cap 2000 x 4 / 1000 = 8 units (spot: 2), under the
     * 100%-of-equity position cap of 10 units; margin 8 x 1000 / 4 = 2000. */
    eb_venue_limits_t fut = {.lot_step = 0.001, .min_notional = 5, .leverage = 4};
    r = size(&p, &fut, 10000, 2000, 1000, 10, 10, &rc);
    CHECK_NEAR(r.qty, 8, 1e-9);
    CHECK_NEAR(r.margin, 2000, 1e-6);
    CHECK_NEAR(size(&p, &SPOT, 10000, 2000, 1000, 10, 10, &rc).qty, 2, 1e-9);
    /* Leverage does not lift the position cap: 30% of 10000 = 3000 notional = 3 units. */
    p.max_position_pct = 0.30;
    CHECK_NEAR(size(&p, &fut, 10000, 8000, 1000, 10, 10, &rc).qty, 3, 1e-9);
}

TEST(other_methods_capped_by_r)
{
    int rc;
    eb_sizing_params_t p = P(EB_SIZING_FIXED_FRACTION);
    /* 10% of 10000 / 20000 = 0.05 BTC (R cap 0.1). */
    CHECK_NEAR(size(&p, &SPOT, 10000, 10000, 20000, 1000, 500, &rc).qty, 0.05, 1e-12);
    p.fixed_fraction = 0.5; /* 0.25 BTC > R cap 0.1 */
    CHECK_NEAR(size(&p, &SPOT, 10000, 10000, 20000, 1000, 500, &rc).qty, 0.1, 1e-12);
    p = P(EB_SIZING_VOLATILITY_TARGET);
    /* 0.5% of 10000 / ATR 800 = 0.0625 BTC (R cap 0.1). */
    CHECK_NEAR(size(&p, &SPOT, 10000, 10000, 20000, 1000, 800, &rc).qty, 0.0625, 1e-12);
    p.volatility_target = 0.05; /* 500/800 = 0.625 > R cap */
    CHECK_NEAR(size(&p, &SPOT, 10000, 10000, 20000, 1000, 800, &rc).qty, 0.1, 1e-12);
    p = P(EB_SIZING_KELLY);
    /* W 0.5, b 2: f = 0.5 - 0.5/2 = 0.25, half 0.125 > 1% -> R cap 0.1. */
    CHECK_NEAR(eb_risk_kelly_fraction(0.5, 2), 0.25, 1e-15);
    CHECK_NEAR(size(&p, &SPOT, 10000, 10000, 20000, 1000, 500, &rc).qty, 0.1, 1e-12);
    /* W 0.36, b 1.8: f = 0.36 - 0.64/1.8 = 0.0044444, half 0.0022222 -> 22.222/1000 = 0.02222 BTC (lot 1e-5). */
    p.kelly_win_rate = 0.36;
    p.kelly_payoff = 1.8;
    CHECK_NEAR(size(&p, &SPOT, 10000, 10000, 20000, 1000, 500, &rc).qty, 0.02222, 1e-12);
}

TEST(refusals)
{
    int rc;
    eb_sizing_params_t p = P(EB_SIZING_KELLY);
    p.kelly_win_rate = 0.3; /* f = 0.3 - 0.7/2 = -0.05 */
    eb_size_result_t r = size(&p, &SPOT, 10000, 10000, 20000, 1000, 500, &rc);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_INT(r.refusal, EB_REFUSE_KELLY_NON_POSITIVE);
    CHECK_EQ_STR(eb_refusal_name(r.refusal), "kelly_non_positive");
    CHECK_NEAR(r.qty, 0, 0);
    p = P(EB_SIZING_FIXED_RISK);
    eb_venue_limits_t big_lot = {.lot_step = 1, .min_notional = 0, .leverage = 1};
    r = size(&p, &big_lot, 10000, 10000, 20000, 1000, 500, &rc); /* 0.1 BTC < one lot of 1 */
    CHECK_EQ_INT(r.refusal, EB_REFUSE_BELOW_LOT_STEP);
    CHECK_EQ_STR(eb_refusal_name(r.refusal), "below_lot_step");
    /* 1% of 40 = 0.4 / 1000 = 0.0004 BTC x 20000 = 8 < 10 minimum notional; 100 equity gives 20: allowed. */
    r = size(&p, &SPOT, 40, 40, 20000, 1000, 500, &rc);
    CHECK_EQ_INT(r.refusal, EB_REFUSE_BELOW_MIN_NOTIONAL);
    CHECK_EQ_STR(eb_refusal_name(r.refusal), "below_min_notional");
    r = size(&p, &SPOT, 100, 100, 20000, 1000, 500, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK_NEAR(r.notional, 20, 1e-9);
    r = size(&p, &SPOT, 10000, 0, 20000, 1000, 500, &rc);
    CHECK_EQ_INT(r.refusal, EB_REFUSE_NO_AVAILABLE_CAPITAL);
    CHECK_EQ_STR(eb_refusal_name(r.refusal), "no_available_capital");
    r = size(&p, &SPOT, 10000, 10000, 20000, NAN, 500, &rc);
    CHECK_EQ_INT(r.refusal, EB_REFUSE_BAD_VOLATILITY);
    CHECK_EQ_STR(eb_refusal_name(r.refusal), "bad_volatility");
}

TEST(exposure_cap)
{
    /* 3% of 10000 = 300: 200 open + 100 new fits exactly, 250 + 100 does not. */
    CHECK_EQ_INT(eb_risk_check_exposure(200, 100, 10000, 0.03), EB_REFUSE_NONE);
    CHECK_EQ_INT(eb_risk_check_exposure(250, 100, 10000, 0.03), EB_REFUSE_EXPOSURE_CAP);
    CHECK_EQ_STR(eb_refusal_name(EB_REFUSE_EXPOSURE_CAP), "exposure_cap");
    CHECK_EQ_INT(eb_risk_check_exposure(0, 301, 10000, 0.03), EB_REFUSE_EXPOSURE_CAP);
}

TEST(names)
{
    eb_sizing_method_t m;
    CHECK_EQ_STR(eb_sizing_method_name(EB_SIZING_VOLATILITY_TARGET), "volatility_target");
    CHECK_EQ_INT(eb_sizing_method_from_name("kelly", &m), 0);
    CHECK_EQ_INT(m, EB_SIZING_KELLY);
    CHECK_EQ_INT(eb_sizing_method_from_name("martingale", &m), -1);
    for (int i = 0; i < EB_REFUSE_COUNT; i++)
        CHECK(eb_refusal_name((eb_refusal_t)i) != NULL);
    CHECK(eb_refusal_name(EB_REFUSE_COUNT) == NULL);
}

int main(void)
{
    RUN(multiplier_clamp);
    RUN(lot_rounding);
    RUN(fixed_risk);
    RUN(other_methods_capped_by_r);
    RUN(refusals);
    RUN(exposure_cap);
    RUN(names);
    return eb_check_report();
}
