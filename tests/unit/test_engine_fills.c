/* Fills around the engine's step: stops filled inside the step by the fill rule (simulated, the default)
 * or reported by a venue, market orders through eb_engine_fill_market, the spot quote balance. Numbers are
 * worked out in the comments; default costs (10 bps slippage, 5 bps fee, 50 bps gap allowance) unless
 * said. */
#include "core/engine.h"
#include "tests/support/check.h"
#include "tests/support/engine_bars.h"

#define T0 1609718400000LL /* 2021-01-04 00:00 UTC, a Monday */
#define M5 300000LL

static eb_intent_t it[EB_ENGINE_MAX_INTENTS];

#define cfg eb_test_engine_config
#define IN eb_test_input

static int step(eb_engine_t *e, int64_t t, double o, double h, double l, double c, eb_engine_input_t in)
{
    return eb_test_step(e, t, o, h, l, c, in, it);
}

/* A long decided at close 1000 with 1R = 10 (3 units: the 30% cap), filled at the next open 1000 by the
 * fill rule: 1001 with 10 bps slippage, fee 1.5015; stop 991. Zero costs: 1000, no fee, stop 990. */
static void enter_long(eb_engine_t *e, const eb_engine_config_t *c)
{
    eb_fill_t f;
    eb_engine_init(e, c);
    CHECK_EQ_INT(step(e, T0, 1000, 1001, 999, 1000, IN(1, 10)), 1);
    CHECK_EQ_INT(eb_engine_fill_market(e, &it[0], 1000, T0 + M5, &f), 0);
    CHECK_NEAR(f.qty, 3, 1e-12);
}

TEST(stop_filled_in_the_step_by_the_fill_rule)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(0);
    enter_long(&e, &c);
    CHECK_NEAR(e.slots[0].pos.stop, 991, 1e-9);
    /* The bar dips to 990: sold at 991 x 0.999 = 990.009, fee 1.4850135; cash 10000 - 1.5015 +
     * 3 x (990.009 - 1001) - 1.4850135 = 9964.0404865, booked before the equity mark. */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1005, 990, 1000, IN(0, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_STOP_EXIT);
    CHECK_EQ_INT(it[0].filled, 1);
    CHECK_NEAR(it[0].price, 991, 1e-9); /* the trigger: the order's stop price */
    CHECK_NEAR(it[0].fill_price, 990.009, 1e-9);
    CHECK_NEAR(it[0].fee, 1.4850135, 1e-12);
    CHECK_NEAR(e.cash, 9964.0404865, 1e-9);
    CHECK_NEAR(e.last.equity, 9964.0404865, 1e-9);
    CHECK_NEAR(e.limits.pnl_today, -35.9595135, 1e-9);
    CHECK_EQ_INT(eb_engine_open_positions(&e), 0);
    CHECK_EQ_INT(e.n.exits[EB_EXIT_STOP_LOSS], 1);
    eb_fill_t f;
    CHECK_EQ_INT(eb_engine_step_fill(&e, &it[0], &f), 0);
    CHECK_EQ_INT(f.closed, 1);
    CHECK_NEAR(f.price, 990.009, 1e-9);
    CHECK_NEAR(f.trade.pnl, -35.9595135, 1e-9);
    CHECK_NEAR(f.trade.r_multiple, -1.19865045, 1e-9);
    CHECK_EQ_INT(f.trade.reason, EB_EXIT_STOP_LOSS);
    CHECK_EQ_INT(f.trade.exit_time_ms, T0 + M5);
    /* The trade is the last step's: the next step forgets it; a market intent has no step fill. */
    eb_intent_t stop = it[0];
    step(&e, T0 + 2 * M5, 1000, 1001, 999, 1000, IN(0, 10));
    CHECK_EQ_INT(eb_engine_step_fill(&e, &stop, &f), 0);
    CHECK_EQ_INT(f.closed, 0);
    stop.filled = 0;
    CHECK_EQ_INT(eb_engine_step_fill(&e, &stop, &f), -1);
}

/* A realised loss beyond limits.max_daily_loss on the stop bar refuses the entry of that same bar. */
TEST(daily_loss_of_the_stop_bar_counts_at_once)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(1);
    c.limits.max_daily_loss = 20;
    enter_long(&e, &c);
    /* Stop 990, 3 units: -30 realised in the step; the long signal of the same bar is refused. */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1005, 985, 1000, IN(1, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_STOP_EXIT);
    CHECK_EQ_STR(eb_refusal_name(e.last.refusal), "max_daily_loss");
}

/* A venue that runs its own stops: the step reports the touch and waits; the equity is marked at the
 * trigger and the position's margin stays held until the venue's fill comes in. */
TEST(stop_fills_reported_by_a_venue)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(1);
    c.stop_fills = EB_STOP_FILLS_REPORTED;
    enter_long(&e, &c);
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1005, 985, 1000, IN(0, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_STOP_EXIT);
    CHECK_EQ_INT(it[0].filled, 0);
    CHECK_NEAR(it[0].price, 990, 0);
    eb_fill_t f;
    CHECK_EQ_INT(eb_engine_step_fill(&e, &it[0], &f), -1);
    CHECK_NEAR(e.last.equity, 9970, 1e-9);
    CHECK_NEAR(eb_engine_available(&e, 1000), 7000, 1e-9);
    eb_trade_t tr;
    CHECK_EQ_INT(eb_engine_fill(&e, &it[0], 989.5, 3, 0.5, T0 + M5, &tr), 1);
    CHECK_NEAR(tr.pnl, -32, 1e-9); /* 3 x -10.5 - 0.5 */
    CHECK_NEAR(eb_engine_available(&e, 1000), 9968, 1e-9);
    /* A fill the venue reports between bars, before the engine saw the bar: the position is closed when
     * the next step sizes its entry. */
    step(&e, T0 + 2 * M5, 1000, 1001, 999, 1000, IN(1, 10));
    CHECK_EQ_INT(eb_engine_fill(&e, &it[0], 1000, it[0].qty, 0, T0 + 3 * M5, &tr), 0);
    eb_intent_t venue = {.kind = EB_INTENT_STOP_EXIT, .side = 1, .position_id = it[0].position_id,
                         .qty = it[0].qty, .reason = EB_EXIT_STOP_LOSS};
    CHECK_EQ_INT(eb_engine_fill(&e, &venue, 990, venue.qty, 0, T0 + 3 * M5 + 1000, &tr), 1);
    CHECK_EQ_INT(eb_engine_open_positions(&e), 0);
    CHECK_NEAR(eb_engine_available(&e, 1000), e.cash, 0);
}

/* Spot: what is in the coin is not quote. Futures count the open profit as margin balance. */
TEST(available_capital_spot_and_futures)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(1);
    enter_long(&e, &c); /* 3 units at 1000 */
    CHECK_NEAR(eb_engine_equity(&e, 1100), 10300, 1e-9);
    CHECK_NEAR(eb_engine_available(&e, 1100), 7000, 1e-9);
    c.allow_short = 1;
    enter_long(&e, &c);
    CHECK_NEAR(eb_engine_available(&e, 1100), 7300, 1e-9);
    /* A pending spot entry holds its reserve: 3 x 1000 at zero costs. */
    c = cfg(1);
    eb_engine_init(&e, &c);
    step(&e, T0, 1000, 1001, 999, 1000, IN(1, 10));
    CHECK_NEAR(eb_engine_available(&e, 1000), 7000, 1e-9);
}

/* Whole units (lot 1), risk 5%, 1R = 1, a 100% cap: at close 100 the reserve per unit is 100.6508 and the
 * entry asks floor(10000 / 100.6508) = 99 units, reserving 9964.4292. An open at 200: the fill costs
 * 200.2 x 1.0005 = 200.3001 a unit, the reserve pays for 49. An open at 20000 pays for none: cancelled. */
static int spot_entry_at(double open, eb_fill_t *f, eb_engine_t *e)
{
    eb_engine_config_t c = cfg(0);
    c.venue.lot_step = 1;
    c.sizing.risk_per_trade = 0.05;
    c.limits.max_position_pct = 1;
    c.risk_exposition = 0.25;
    eb_engine_init(e, &c);
    if (step(e, T0, 100, 100.5, 99.5, 100, IN(1, 1)) != 1)
        return -9;
    CHECK_NEAR(it[0].qty, 99, 0);
    return eb_engine_fill_market(e, &it[0], open, T0 + M5, f);
}

TEST(spot_entry_fills_within_its_reserve)
{
    eb_engine_t e;
    eb_fill_t f;
    CHECK_EQ_INT(spot_entry_at(100, &f, &e), 0);
    CHECK_NEAR(f.qty, 99, 0);
    CHECK_NEAR(f.price, 100.1, 1e-9);
    CHECK_EQ_INT(spot_entry_at(200, &f, &e), 0);
    CHECK_NEAR(f.qty, 49, 0);
    CHECK_NEAR(f.price, 200.2, 1e-9);
    CHECK_NEAR(f.fee, 200.2 * 49 * 0.0005, 1e-9);
    CHECK_NEAR(e.slots[0].pos.qty_initial, 49, 0);
    CHECK(e.cash - e.slots[0].margin >= 0); /* the quote balance */
    CHECK_EQ_INT(spot_entry_at(20000, &f, &e), 2);
    CHECK_EQ_INT(eb_engine_open_positions(&e), 0);
    CHECK_NEAR(e.cash, 10000, 0);
    CHECK_NEAR(f.qty, 0, 0);
}

TEST(market_fills_by_the_rule_and_refusals)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(0);
    c.allow_short = 1;
    eb_engine_init(&e, &c);
    eb_fill_t f;
    CHECK_EQ_INT(step(&e, T0, 1000, 1001, 999, 1000, IN(-1, 10)), 1);
    CHECK_EQ_INT(eb_engine_fill_market(&e, &it[0], 1000, T0 + M5, &f), 0);
    CHECK_NEAR(f.price, 999, 1e-9); /* a short sells: gives up the slippage */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1001, 999, 1000, IN(1, 10)), 2); /* exit, then a long */
    CHECK_EQ_INT(eb_engine_fill_market(&e, &it[0], 1000, T0 + 2 * M5, &f), 1);
    CHECK_NEAR(f.price, 1001, 1e-9); /* buying back pays up */
    CHECK_EQ_INT(f.closed, 1);
    /* 3 x (999 - 1001) - fees 1.4985 - 1.5015 */
    CHECK_NEAR(f.trade.pnl, -9, 1e-9);
    eb_intent_t move = it[1];
    move.kind = EB_INTENT_MOVE_STOP;
    CHECK_EQ_INT(eb_engine_fill_market(&e, &move, 1000, T0 + 2 * M5, &f), -1);
    eb_intent_t ghost = it[1];
    ghost.position_id = 77;
    CHECK_EQ_INT(eb_engine_fill_market(&e, &ghost, 1000, T0 + 2 * M5, &f), -1);
    CHECK_NEAR(f.qty, 0, 0);
    CHECK_EQ_INT(eb_engine_fill_market(&e, &it[1], 0, T0 + 2 * M5, NULL), -1); /* price 0 */
}

/* A partial exit still outstanding (a venue has not filled it) when the stop triggers: the stop fills the
 * rest, the outstanding exit keeps its share and closes the trade when it fills. Zero costs. */
TEST(stop_with_an_outstanding_exit)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(1);
    c.partial_exit = 1;
    enter_long(&e, &c);
    /* Close 1015 = +1.5R: break-even stop at 1000 and 1.5 units out at the next open. */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1016, 999, 1015, IN(0, 10)), 2);
    eb_intent_t partial = it[1];
    CHECK_EQ_INT(partial.reason, EB_EXIT_PARTIAL);
    CHECK_EQ_INT(step(&e, T0 + 2 * M5, 1010, 1011, 995, 1000, IN(0, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_STOP_EXIT);
    CHECK_NEAR(it[0].qty, 1.5, 1e-12);
    CHECK_NEAR(it[0].fill_price, 1000, 1e-9);
    CHECK_EQ_INT(eb_engine_open_positions(&e), 1);
    eb_trade_t tr;
    CHECK_EQ_INT(eb_engine_fill(&e, &partial, 1001, 1.5, 0, T0 + 2 * M5 + 1, &tr), 1);
    CHECK_NEAR(tr.pnl, 1.5, 1e-9);
    CHECK_EQ_INT(tr.reason, EB_EXIT_PARTIAL);
}

TEST(init_refuses_bad_costs)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg(0);
    c.costs.slippage_bps = 600;
    CHECK_EQ_INT(eb_engine_init(&e, &c), -1);
    c = cfg(0);
    c.costs.stop_extreme_fraction = 2;
    CHECK_EQ_INT(eb_engine_init(&e, &c), -1);
    c = cfg(0);
    c.stop_fills = (eb_stop_fills_t)7;
    CHECK_EQ_INT(eb_engine_init(&e, &c), -1);
}

int main(void)
{
    RUN(stop_filled_in_the_step_by_the_fill_rule);
    RUN(daily_loss_of_the_stop_bar_counts_at_once);
    RUN(stop_fills_reported_by_a_venue);
    RUN(available_capital_spot_and_futures);
    RUN(spot_entry_fills_within_its_reserve);
    RUN(market_fills_by_the_rule_and_refusals);
    RUN(stop_with_an_outstanding_exit);
    RUN(init_refuses_bad_costs);
    return eb_check_report();
}
