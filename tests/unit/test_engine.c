/* The engine step on hand-made bars: every number below is worked out in the comments. Default config
 * unless said: 10000 capital, spot, lot 1e-5, min notional 10, risk 1%, position cap 30%, exposure 3%;
 * no costs (no slippage, no fee, no gap allowance), so that the prices below are round. Market fills are
 * applied by hand (eb_engine_fill, as a venue reports them); stops are filled by the step itself. */
#include "core/engine.h"
#include "tests/support/check.h"
#include "tests/support/engine_bars.h"

#include <string.h>

#define T0 1609718400000LL /* 2021-01-04 00:00 UTC, a Monday */
#define M5 300000LL

static eb_intent_t it[EB_ENGINE_MAX_INTENTS];

static eb_engine_config_t cfg0(void) { return eb_test_engine_config(1); }

#define IN eb_test_input

static int step(eb_engine_t *e, int64_t t, double o, double h, double l, double c, eb_engine_input_t in)
{
    return eb_test_step(e, t, o, h, l, c, in, it);
}

static int fill(eb_engine_t *e, const eb_intent_t *x, double px, double fee, eb_trade_t *tr)
{
    return eb_engine_fill(e, x, px, x->qty, fee, x->time_ms + M5, tr);
}

/* The stop fill the last step applied for x: 1 when it closed the position (*tr set), 0 if not, -1 none. */
static int stopped(const eb_engine_t *e, const eb_intent_t *x, double want_price, eb_trade_t *tr)
{
    eb_fill_t f;
    if (eb_engine_step_fill(e, x, &f) != 0)
        return -1;
    CHECK_NEAR(f.price, want_price, 1e-9);
    *tr = f.trade;
    return f.closed;
}

TEST(stop_first_then_trail)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg0();
    eb_trade_t tr;
    CHECK_EQ_INT(eb_engine_init(&e, &c), 0);
    /* ATR 10 = its mean: m = 1, 1R = 10. 1% of 10000 / 10 = 10 units = 10000 notional > 30% cap -> 3 units. */
    CHECK_EQ_INT(step(&e, T0, 1000, 1002, 998, 1000, IN(1, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_ENTER);
    CHECK_NEAR(it[0].qty, 3, 1e-12);
    CHECK_NEAR(it[0].r_dist, 10, 0);
    CHECK_EQ_STR(it[0].client_id, "t-kjhsruo0-0");
    CHECK_EQ_INT(e.last.action, EB_ACTION_ENTER);
    CHECK_EQ_INT(fill(&e, &it[0], 1001, 0, &tr), 0); /* next open: entry 1001, stop 991 */
    CHECK_NEAR(e.slots[0].pos.stop, 991, 1e-12);
    /* Another long signal: one position allowed. */
    CHECK_EQ_INT(step(&e, T0 + M5, 1001, 1005, 995, 1004, IN(1, 10)), 0);
    CHECK_EQ_INT(e.last.refusal, EB_REFUSE_MAX_OPEN_POSITIONS);
    CHECK_EQ_STR(eb_refusal_name(e.last.refusal), "max_open_positions");
    /* Close 1011 = +1R: stop to break-even 1001 (no fees here). */
    CHECK_EQ_INT(step(&e, T0 + 2 * M5, 1004, 1012, 1003, 1011, IN(0, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_MOVE_STOP);
    CHECK_NEAR(it[0].price, 1001, 1e-9);
    CHECK_EQ_INT(it[0].reason, EB_STOP_BREAKEVEN);
    /* Close 1021 = +2R: trail 1021 - 1 x 10 = 1011. */
    CHECK_EQ_INT(step(&e, T0 + 3 * M5, 1011, 1022, 1010, 1021, IN(0, 10)), 1);
    CHECK_NEAR(it[0].price, 1011, 1e-9);
    CHECK_EQ_INT(it[0].reason, EB_STOP_TRAILING);
    /* This bar dips to 1010 and closes at 1024, which would trail to 1014: the stop at 1011 counts first. */
    CHECK_EQ_INT(step(&e, T0 + 4 * M5, 1020, 1025, 1010, 1024, IN(0, 10)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_STOP_EXIT);
    CHECK_NEAR(it[0].price, 1011, 1e-9);
    CHECK_EQ_INT(it[0].reason, EB_EXIT_TRAILING);
    CHECK_EQ_INT(it[0].filled, 1); /* the step filled it: the equity below is after the fill */
    CHECK_NEAR(e.last.equity, 10030, 1e-9);
    CHECK_EQ_INT(stopped(&e, &it[0], 1011, &tr), 1);
    CHECK_NEAR(tr.pnl, 30, 1e-9);
    CHECK_NEAR(tr.r_multiple, 1.0, 1e-12);
    CHECK_NEAR(tr.entry_price, 1001, 0);
    CHECK_NEAR(tr.exit_price, 1011, 0);
    CHECK_EQ_STR(eb_exit_reason_name(tr.reason), "trailing_stop");
    CHECK_NEAR(eb_engine_equity(&e, 5000), 10030, 1e-9);
    CHECK_EQ_INT(eb_engine_open_positions(&e), 0);
    CHECK_EQ_INT(e.n.exits[EB_EXIT_TRAILING], 1);
    CHECK_EQ_INT(e.n.stop_moves[EB_STOP_BREAKEVEN], 1);
    CHECK_EQ_INT(e.n.stop_moves[EB_STOP_TRAILING], 1);
}

/* One fresh engine per refusal: config tweak, optional first entry (filled at the close), then a signal. */
typedef struct {
    eb_refusal_t want;
    const char *name;
} refusal_case_t;

static eb_refusal_t refuse_after(eb_engine_config_t c, int first_entry, int64_t gap, eb_engine_input_t in2)
{
    eb_engine_t e;
    eb_trade_t tr;
    if (eb_engine_init(&e, &c) != 0)
        return EB_REFUSE_COUNT;
    if (first_entry) {
        if (step(&e, T0, 1000, 1001, 999, 1000, IN(1, 10)) != 1)
            return EB_REFUSE_COUNT;
        fill(&e, &it[0], 1000, 0, &tr);
    }
    step(&e, T0 + gap, 1000, 1001, 999, 1000, in2);
    CHECK_EQ_INT(e.last.action, EB_ACTION_REFUSED);
    CHECK_EQ_INT(e.n.refusals[e.last.refusal], 1);
    return e.last.refusal;
}

TEST(every_refusal)
{
    eb_engine_config_t c = cfg0();
    eb_engine_input_t not_ready = IN(1, 10);
    not_ready.ready = 0;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(c, 0, 0, not_ready)), "warmup");
    double probs[3] = {0.35, 0.10, 0.55}; /* a long signal at 0.55 < min confidence 0.60 */
    eb_engine_input_t weak = IN(0, 10);
    weak.probs = probs;
    weak.nprobs = 3;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(c, 0, 0, weak)), "low_confidence");
    CHECK_EQ_STR(eb_refusal_name(refuse_after(c, 0, 0, IN(-1, 10))), "short_not_allowed");
    eb_engine_config_t k = c;
    k.max_open_positions = 2;
    k.limits.max_trades_per_day = 1;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 1, M5, IN(1, 10))), "max_trades_per_day");
    k.limits.max_trades_per_day = 15; /* 60 s after the first entry < 180 s */
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 1, 60000, IN(1, 10))), "min_trade_interval");
    CHECK_EQ_STR(eb_refusal_name(refuse_after(c, 0, 0, IN(1, 0))), "bad_volatility");
    /* 5% risk, 100% cap: 10 units x 1000 take all 10000 as margin; the next entry finds nothing free. */
    k.sizing.risk_per_trade = 0.05;
    k.limits.max_position_pct = 1.0;
    k.risk_exposition = 1.0;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 1, M5, IN(1, 10))), "no_available_capital");
    k = c;
    k.sizing.method = EB_SIZING_KELLY;
    k.sizing.kelly_win_rate = 0.3;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 0, 0, IN(1, 10))), "kelly_non_positive");
    k = c;
    k.venue.lot_step = 100;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 0, 0, IN(1, 10))), "below_lot_step");
    k = c;
    k.venue.min_notional = 1e6;
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 0, 0, IN(1, 10))), "below_min_notional");
    k = c;
    k.risk_exposition = 0.002; /* 3 units x 10 = 30 > 0.2% of 10000 = 20 */
    CHECK_EQ_STR(eb_refusal_name(refuse_after(k, 0, 0, IN(1, 10))), "exposure_cap");
}

TEST(disarmed_by_reason)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg0();
    eb_engine_init(&e, &c);
    eb_engine_set_external(&e, EB_DISARM_BIT(EB_DISARM_STALE_DATA) | EB_DISARM_BIT(EB_DISARM_MASTER_SWITCH));
    CHECK_EQ_INT(eb_engine_arming(&e), EB_DISARM_BIT(EB_DISARM_STALE_DATA)); /* master bit is not the caller's */
    step(&e, T0, 1000, 1001, 999, 1000, IN(1, 10));
    CHECK_EQ_STR(eb_refusal_name(e.last.refusal), "disarmed");
    CHECK_EQ_INT(e.n.disarmed_by[EB_DISARM_STALE_DATA], 1);
    eb_engine_set_external(&e, 0);
    eb_engine_set_master_switch(&e, 0);
    step(&e, T0 + M5, 1000, 1001, 999, 1000, IN(1, 10));
    CHECK_EQ_INT(e.last.refusal, EB_REFUSE_DISARMED);
    CHECK_EQ_INT(e.n.disarmed_by[EB_DISARM_MASTER_SWITCH], 1);
    CHECK_EQ_INT(e.n.refusals[EB_REFUSE_DISARMED], 2);
    c.master_switch = 0; /* off in the config: disarmed from the start */
    eb_engine_init(&e, &c);
    CHECK_EQ_INT(eb_engine_arming(&e), EB_DISARM_BIT(EB_DISARM_MASTER_SWITCH));
}

TEST(daily_loss_and_breaker)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg0();
    eb_trade_t tr;
    c.limits.max_daily_loss = 0; /* off: this test is about the breaker */
    eb_engine_init(&e, &c);
    /* ATR 100: 1R = 100, 100 at risk -> 1 unit. The next bar opens at 500, through the stop at 900. */
    step(&e, T0, 1000, 1001, 999, 1000, IN(1, 100));
    fill(&e, &it[0], 1000, 0, &tr);
    CHECK_EQ_INT(step(&e, T0 + M5, 500, 510, 490, 505, IN(1, 100)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_STOP_EXIT);
    CHECK_NEAR(it[0].price, 500, 0);
    CHECK_EQ_INT(it[0].reason, EB_EXIT_STOP_LOSS);
    /* Equity 9500 = 5% below the day's peak: the daily breaker trips in the same bar, the long is refused. */
    CHECK_EQ_INT(eb_engine_arming(&e), EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY));
    CHECK_EQ_INT(e.last.refusal, EB_REFUSE_DISARMED);
    CHECK_EQ_INT(e.n.disarmed_by[EB_DISARM_BREAKER_DAILY], 1);
    CHECK_EQ_INT(stopped(&e, &it[0], 500, &tr), 1);
    CHECK_NEAR(tr.r_multiple, -5, 1e-12);
    step(&e, T0 + 2 * M5, 505, 506, 504, 505, IN(1, 100));
    CHECK_EQ_INT(e.last.refusal, EB_REFUSE_DISARMED);
    /* The UTC day rolls: the breaker resets, the entry goes through. */
    CHECK_EQ_INT(step(&e, T0 + 86400000LL, 505, 506, 504, 505, IN(1, 100)), 1);
    CHECK_EQ_INT(e.last.action, EB_ACTION_ENTER);
    CHECK_EQ_INT(eb_engine_arming(&e), 0);
    /* Daily loss limit: -500 realised yesterday is forgotten; set 150 and lose 300 today. */
    eb_engine_config_t d = cfg0();
    eb_engine_init(&e, &d);
    step(&e, T0, 1000, 1001, 999, 1000, IN(1, 100));
    fill(&e, &it[0], 1000, 0, &tr);
    step(&e, T0 + M5, 700, 710, 690, 700, IN(0, 100));
    CHECK_EQ_INT(stopped(&e, &it[0], 700, &tr), 1); /* -300 */
    step(&e, T0 + 2 * M5, 700, 701, 699, 700, IN(1, 100));
    CHECK_EQ_STR(eb_refusal_name(e.last.refusal), "max_daily_loss");
}

TEST(emergency_breakeven)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg0();
    eb_trade_t tr;
    c.limits.max_daily_loss = 0;
    eb_engine_init(&e, &c);
    step(&e, T0, 1000, 1001, 999, 1000, IN(1, 100));
    fill(&e, &it[0], 1000, 0, &tr);
    step(&e, T0 + M5, 700, 710, 690, 700, IN(0, 100)); /* gap through 900: -300, equity 9700 (3% < 5%) */
    CHECK_EQ_INT(stopped(&e, &it[0], 700, &tr), 1);
    CHECK_EQ_INT(eb_engine_arming(&e), 0);
    /* 1% of 9700 / 100 = 0.97 units at 700; stop 600. */
    CHECK_EQ_INT(step(&e, T0 + 2 * M5, 700, 701, 699, 700, IN(1, 100)), 1);
    CHECK_NEAR(it[0].qty, 0.97, 1e-12);
    fill(&e, &it[0], 700, 0, &tr);
    /* Close 720 = +0.2R, in profit; the day is 2.8% down (>= 50% of 5%): stop to break-even at once. */
    CHECK_EQ_INT(step(&e, T0 + 3 * M5, 700, 721, 699, 720, IN(0, 100)), 1);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_MOVE_STOP);
    CHECK_NEAR(it[0].price, 700, 1e-9);
    CHECK_EQ_STR(eb_stop_kind_name((eb_stop_kind_t)it[0].reason), "emergency_breakeven");
    CHECK_EQ_INT(step(&e, T0 + 4 * M5, 715, 716, 699, 705, IN(0, 100)), 1);
    CHECK_EQ_INT(it[0].reason, EB_EXIT_EMERGENCY_BREAKEVEN);
    CHECK_EQ_INT(stopped(&e, &it[0], 700, &tr), 1);
    CHECK_NEAR(tr.pnl, 0, 1e-9);
}

TEST(futures_short_fees_and_reversal)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg0();
    eb_trade_t tr;
    c.allow_short = 1;
    c.costs.fee_bps = 5;
    eb_engine_init(&e, &c);
    CHECK_EQ_INT(step(&e, T0, 1000, 1001, 999, 1000, IN(-1, 10)), 1);
    CHECK_EQ_INT(it[0].side, -1);
    CHECK_NEAR(it[0].qty, 3, 1e-12);
    fill(&e, &it[0], 1000, 1.5, &tr); /* fee 5 bps of 3000 */
    CHECK_NEAR(e.cash, 9998.5, 1e-9);
    CHECK_NEAR(e.slots[0].pos.stop, 1010, 1e-12);
    /* Close 990 = +1R: break-even 1000 x 0.9995 / 1.0005 covers both fees. */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1001, 989, 990, IN(0, 10)), 1);
    CHECK_NEAR(it[0].price, 999.00049975012494, 1e-9);
    /* A long signal: the short exits and a long is sized in the same bar. Equity at 985:
     * 9998.5 + 3 x 15 = 10043.5; 30% cap: 3013.05 / 985 = 3.05893 units (lot 1e-5). */
    CHECK_EQ_INT(step(&e, T0 + 2 * M5, 990, 992, 984, 985, IN(1, 10)), 2);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_EXIT);
    CHECK_EQ_STR(eb_exit_reason_name((eb_exit_reason_t)it[0].reason), "signal");
    CHECK_EQ_INT(it[1].kind, EB_INTENT_ENTER);
    CHECK_EQ_INT(it[1].side, 1);
    CHECK_NEAR(it[1].qty, 3.05893, 1e-9);
    CHECK_EQ_STR(it[1].client_id, "t-kjht4pmo-1"); /* bar T0 + 10 min in base 36, second intent */
    CHECK_EQ_INT(fill(&e, &it[0], 985, 1.4775, &tr), 1);
    /* 3 x 15 - 1.5 - 1.4775 = 42.0225 = 1.40075 R of 30. */
    CHECK_NEAR(tr.pnl, 42.0225, 1e-9);
    CHECK_NEAR(tr.r_multiple, 1.40075, 1e-12);
    CHECK_NEAR(tr.fees, 2.9775, 1e-12);
}

TEST(partial_exit_then_signal_exit_on_spot)
{
    eb_engine_t e;
    eb_engine_config_t c = cfg0();
    eb_trade_t tr;
    c.partial_exit = 1;
    c.partial_exit_r = 1.5;
    c.partial_exit_fraction = 0.5;
    eb_engine_init(&e, &c);
    step(&e, T0, 1000, 1001, 999, 1000, IN(1, 10));
    fill(&e, &it[0], 1000, 0, &tr);
    /* Close 1015 = +1.5R: break-even stop and half (1.5 units) out. */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 1016, 999, 1015, IN(0, 10)), 2);
    CHECK_EQ_INT(it[0].kind, EB_INTENT_MOVE_STOP);
    CHECK_EQ_INT(it[1].kind, EB_INTENT_EXIT);
    CHECK_NEAR(it[1].qty, 1.5, 1e-12);
    CHECK_EQ_INT(it[1].reason, EB_EXIT_PARTIAL);
    CHECK_EQ_INT(fill(&e, &it[1], 1016, 0, &tr), 0);
    /* Spot: a sell signal closes the rest and is not counted as a refused short. */
    CHECK_EQ_INT(step(&e, T0 + 2 * M5, 1016, 1021, 1015, 1020, IN(-1, 10)), 1);
    CHECK_EQ_INT(it[0].reason, EB_EXIT_SIGNAL);
    CHECK_NEAR(it[0].qty, 1.5, 1e-12);
    CHECK_EQ_INT(e.last.action, EB_ACTION_EXIT);
    CHECK_EQ_INT(e.n.refusals[EB_REFUSE_SHORT_NOT_ALLOWED], 0);
    CHECK_EQ_INT(fill(&e, &it[0], 1020, 0, &tr), 1);
    /* 1.5 x 16 + 1.5 x 20 = 54 = 1.8 R; average exit (1016 + 1020) / 2. */
    CHECK_NEAR(tr.pnl, 54, 1e-9);
    CHECK_NEAR(tr.r_multiple, 1.8, 1e-12);
    CHECK_NEAR(tr.exit_price, 1018, 1e-9);
    CHECK_EQ_INT(tr.partial_taken, 1);
    CHECK_EQ_INT(e.n.exits[EB_EXIT_PARTIAL], 1);
}

TEST(bad_bars_change_nothing)
{
    eb_engine_t e, copy;
    eb_engine_config_t c = cfg0();
    eb_engine_init(&e, &c);
    step(&e, T0, 1000, 1001, 999, 1000, IN(0, 10));
    memcpy(&copy, &e, sizeof e);
    CHECK_EQ_INT(step(&e, T0, 1000, 1001, 999, 1000, IN(1, 10)), -1);      /* same time */
    CHECK_EQ_INT(step(&e, T0 + M5, 1000, 990, 999, 1000, IN(1, 10)), -1);  /* high < low */
    CHECK_EQ_INT(step(&e, T0 + M5, NAN, 1001, 999, 1000, IN(1, 10)), -1);
    CHECK_EQ_INT(e.n.bad_bars, 3);
    e.n.bad_bars = 0;
    CHECK(memcmp(&copy, &e, sizeof e) == 0);
    eb_bar_t b = {T0 + M5, 1000, 1001, 999, 1000, 1};
    eb_engine_input_t in = IN(1, 10);
    CHECK_EQ_INT(eb_engine_step(&e, &b, &in, it, EB_ENGINE_MAX_INTENTS - 1), -1); /* too small an array */
    eb_trade_t tr;
    eb_intent_t bogus = {.kind = EB_INTENT_EXIT, .position_id = 99, .qty = 1};
    CHECK_EQ_INT(eb_engine_fill(&e, &bogus, 1000, 1, 0, T0, &tr), -1);
    c.max_open_positions = 9;
    CHECK_EQ_INT(eb_engine_init(&e, &c), -1);
}

TEST(deterministic_and_flatten)
{
    /* The same pseudo-random bars and signals twice give byte-identical intents and state. */
    static eb_engine_t a, b;
    eb_engine_config_t c = cfg0();
    c.allow_short = 1;
    c.max_open_positions = 3;
    c.limits.min_confidence = 0;
    eb_engine_init(&a, &c);
    eb_engine_init(&b, &c);
    uint64_t s = 42;
    double px = 1000;
    eb_intent_t ia[EB_ENGINE_MAX_INTENTS], ib[EB_ENGINE_MAX_INTENTS];
    int total = 0;
    for (int i = 0; i < 5000; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        double o = px, cl = px * (1 + (u - 0.5) * 0.02);
        eb_bar_t bar = {T0 + i * M5, o, fmax(o, cl) * 1.002, fmin(o, cl) * 0.998, cl, 1};
        eb_engine_input_t in = IN((int)(s >> 60) % 3 - 1, px * 0.004);
        int na = eb_engine_step(&a, &bar, &in, ia, EB_ENGINE_MAX_INTENTS);
        int nb = eb_engine_step(&b, &bar, &in, ib, EB_ENGINE_MAX_INTENTS);
        CHECK_EQ_INT(na, nb);
        if (na != nb || memcmp(ia, ib, (size_t)na * sizeof ia[0]) != 0)
            return;
        for (int k = 0; k < na; k++) { /* fill the market orders at once at the reference price */
            if (ia[k].kind == EB_INTENT_MOVE_STOP || ia[k].filled)
                continue;
            eb_engine_fill(&a, &ia[k], ia[k].price, ia[k].qty, 0, bar.open_time_ms, NULL);
            eb_engine_fill(&b, &ib[k], ib[k].price, ib[k].qty, 0, bar.open_time_ms, NULL);
        }
        total += na;
        px = cl;
    }
    CHECK(total > 100);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    int open = eb_engine_open_positions(&a);
    int n = eb_engine_flatten(&a, EB_EXIT_END_OF_DATA, ia, EB_ENGINE_MAX_INTENTS);
    CHECK_EQ_INT(n, open);
    for (int k = 0; k < n; k++)
        CHECK_EQ_INT(eb_engine_fill(&a, &ia[k], ia[k].price, ia[k].qty, 0, T0, NULL), 1);
    CHECK_EQ_INT(eb_engine_open_positions(&a), 0);
}

int main(void)
{
    RUN(stop_first_then_trail);
    RUN(every_refusal);
    RUN(disarmed_by_reason);
    RUN(daily_loss_and_breaker);
    RUN(emergency_breakeven);
    RUN(futures_short_fees_and_reversal);
    RUN(partial_exit_then_signal_exit_on_spot);
    RUN(bad_bars_change_nothing);
    RUN(deterministic_and_flatten);
    return eb_check_report();
}
