/* The one fill rule (core/fill.h) on hand-computed prices: market orders, stops with and without a gap,
 * both sides, the conservative stop slippage, the fee, the spot entry's reserve and the cost ranges. */
#include "core/fill.h"
#include "tests/support/check.h"

static eb_bar_t B(double o, double h, double l, double c) { return (eb_bar_t){0, o, h, l, c, 1}; }

static eb_fill_costs_t costs(double slip, double fee, double frac)
{
    eb_fill_costs_t c;
    eb_fill_costs_default(&c);
    c.slippage_bps = slip;
    c.fee_bps = fee;
    c.stop_extreme_fraction = frac;
    return c;
}

TEST(defaults_are_spec_section_8)
{
    eb_fill_costs_t c;
    eb_fill_costs_default(&c);
    CHECK_NEAR(c.slippage_bps, 10, 0);
    CHECK_NEAR(c.fee_bps, 5, 0);
    CHECK_NEAR(c.stop_extreme_fraction, 0, 0);
    CHECK_NEAR(c.entry_gap_bps, 50, 0);
    CHECK_EQ_INT(eb_fill_costs_valid(&c), 1);
}

TEST(market_orders_pay_the_slippage)
{
    eb_fill_costs_t c = costs(10, 5, 0);
    CHECK_NEAR(eb_fill_market_price(&c, 1, 1000), 1001, 1e-9); /* a buy pays up */
    CHECK_NEAR(eb_fill_market_price(&c, -1, 1000), 999, 1e-9); /* a sell gives up */
    CHECK_NEAR(eb_fill_fee(&c, 1001, 3), 1.5015, 1e-12);      /* 5 bps of 3003 */
    c = costs(0, 0, 0);
    CHECK_NEAR(eb_fill_market_price(&c, 1, 1000), 1000, 0);
    CHECK_NEAR(eb_fill_fee(&c, 1000, 3), 0, 0);
}

/* A long's stop at 991; the bar's low 990. No gap (open 1000): triggers at 991. A gap (open 989, low 985):
 * triggers at the open. The fraction moves the fill toward the low: 0.5 -> 990.5 and 987. */
TEST(long_stop_with_and_without_a_gap)
{
    eb_bar_t plain = B(1000, 1005, 990, 1000), gap = B(989, 995, 985, 990);
    eb_fill_costs_t c = costs(10, 5, 0);
    CHECK_NEAR(eb_fill_stop_price(&c, 1, 991, &plain), 991 * 0.999, 1e-9);
    CHECK_NEAR(eb_fill_stop_price(&c, 1, 989, &gap), 989 * 0.999, 1e-9);
    c = costs(10, 5, 0.5);
    CHECK_NEAR(eb_fill_stop_price(&c, 1, 991, &plain), 990.5 * 0.999, 1e-9);
    CHECK_NEAR(eb_fill_stop_price(&c, 1, 989, &gap), 987 * 0.999, 1e-9);
    c = costs(0, 5, 1); /* the whole way, no slippage: the low itself */
    CHECK_NEAR(eb_fill_stop_price(&c, 1, 991, &plain), 990, 1e-12);
    CHECK_NEAR(eb_fill_stop_price(&c, 1, 989, &gap), 985, 1e-12);
}

/* A short's stop at 1009, the bar's high 1010 (open 1000), or a gap open at 1012 with a high of 1016. */
TEST(short_stop_with_and_without_a_gap)
{
    eb_bar_t plain = B(1000, 1010, 995, 1000), gap = B(1012, 1016, 1005, 1010);
    eb_fill_costs_t c = costs(10, 5, 0);
    CHECK_NEAR(eb_fill_stop_price(&c, -1, 1009, &plain), 1009 * 1.001, 1e-9); /* buying back pays up */
    CHECK_NEAR(eb_fill_stop_price(&c, -1, 1012, &gap), 1012 * 1.001, 1e-9);
    c = costs(10, 5, 0.5);
    CHECK_NEAR(eb_fill_stop_price(&c, -1, 1009, &plain), 1009.5 * 1.001, 1e-9);
    CHECK_NEAR(eb_fill_stop_price(&c, -1, 1012, &gap), 1014 * 1.001, 1e-9);
}

/* 100 x 1.001 x 1.005 x 1.0005 = 100.65080025: slippage, gap allowance and fee on the decision close. */
TEST(spot_entry_reserve)
{
    eb_fill_costs_t c = costs(10, 5, 0);
    CHECK_NEAR(eb_fill_entry_reserve(&c, 100), 100.65080025, 1e-9);
    c.entry_gap_bps = 0;
    CHECK_NEAR(eb_fill_entry_reserve(&c, 100), 100.1 * 1.0005, 1e-9);
    c = costs(0, 0, 0);
    c.entry_gap_bps = 0;
    CHECK_NEAR(eb_fill_entry_reserve(&c, 100), 100, 0);
}

TEST(cost_ranges)
{
    eb_fill_costs_t ok = costs(500, 100, 1), c;
    ok.entry_gap_bps = 1000;
    CHECK_EQ_INT(eb_fill_costs_valid(&ok), 1);
    c = ok, c.slippage_bps = 500.1;
    CHECK_EQ_INT(eb_fill_costs_valid(&c), 0);
    c = ok, c.fee_bps = -0.1;
    CHECK_EQ_INT(eb_fill_costs_valid(&c), 0);
    c = ok, c.stop_extreme_fraction = 1.5;
    CHECK_EQ_INT(eb_fill_costs_valid(&c), 0);
    c = ok, c.entry_gap_bps = NAN;
    CHECK_EQ_INT(eb_fill_costs_valid(&c), 0);
}

int main(void)
{
    RUN(defaults_are_spec_section_8);
    RUN(market_orders_pay_the_slippage);
    RUN(long_stop_with_and_without_a_gap);
    RUN(short_stop_with_and_without_a_gap);
    RUN(spot_entry_reserve);
    RUN(cost_ranges);
    return eb_check_report();
}
