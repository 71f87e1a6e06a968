/* The paper venue through the broker table (app/broker.h): the numbers are the fill rule's (core/fill.h),
 * computed here by hand. Market orders at the next open, or between bars at the last close; a spot buy
 * cut to its quote budget or rejected; stops inside a bar and through a gap; cancel, replace, query;
 * events in order; malformed, duplicate and overflowing requests refused with a message and nothing
 * changed. */
#include "app/paper_broker.h"
#include "tests/support/check.h"

#include <math.h>
#include <string.h>

static eb_paper_broker_t B;
static eb_broker_t br;

static void fresh(void)
{
    eb_fill_costs_t c;
    eb_fill_costs_default(&c); /* 10 bps slippage, 5 bps fee */
    eb_paper_init(&B, &c, 0.001, 10);
    br = eb_paper_broker(&B);
}

static eb_order_t market(const char *id, int side, double qty)
{
    eb_order_t o = {.type = EB_ORDER_MARKET, .side = side, .qty = qty, .time_ms = 1000};
    snprintf(o.client_id, sizeof o.client_id, "%s", id);
    return o;
}

static eb_bar_t bar(double o, double h, double l, double c, int64_t t)
{
    return (eb_bar_t){.open_time_ms = t, .open = o, .high = h, .low = l, .close = c, .volume = 1};
}

static int events(const eb_bar_t *b, eb_broker_event_t *ev, int cap) { return br.ops->events(br.self, b, ev, cap); }

TEST(market_orders_fill_at_the_next_open)
{
    fresh();
    char err[160];
    eb_order_t buy = market("b1", 1, 0.5), sell = market("s1", -1, 0.25);
    CHECK(br.ops->submit(br.self, &buy, err, sizeof err) == 0);
    CHECK(br.ops->submit(br.self, &sell, err, sizeof err) == 0);
    eb_broker_event_t ev[8];
    eb_bar_t b = bar(100, 110, 90, 105, 300000);
    int n = events(&b, ev, 8);
    CHECK_EQ_INT(n, 4); /* accepted, accepted, then the fills in order */
    CHECK(ev[0].kind == EB_BROKER_EV_ACCEPTED && strcmp(ev[0].client_id, "b1") == 0);
    CHECK(ev[1].kind == EB_BROKER_EV_ACCEPTED && strcmp(ev[1].client_id, "s1") == 0);
    CHECK(ev[2].kind == EB_BROKER_EV_FILLED && strcmp(ev[2].client_id, "b1") == 0 && ev[2].done);
    CHECK_NEAR(ev[2].price, 100 * 1.001, 1e-9);
    CHECK_NEAR(ev[2].qty, 0.5, 1e-12);
    CHECK_NEAR(ev[2].fee, 100 * 1.001 * 0.5 * 0.0005, 1e-12);
    CHECK_NEAR(ev[3].price, 100 * 0.999, 1e-9);
    CHECK(ev[3].time_ms == 300000 && strcmp(ev[2].exchange_id, "paper-1") == 0 && ev[2].trade_id[0]);
    CHECK_EQ_INT(events(&b, ev, 8), 0); /* nothing twice */
    CHECK_EQ_INT(eb_paper_open_orders(&B), 0);
    eb_venue_state_t st;
    double filled;
    CHECK(br.ops->query(br.self, "b1", &st, &filled, err, sizeof err) == 0 && st == EB_VENUE_FILLED && filled == 0.5);
    CHECK(br.ops->query(br.self, "nope", &st, &filled, err, sizeof err) == 0 && st == EB_VENUE_UNKNOWN);
}

TEST(between_bars_at_the_last_close)
{
    fresh();
    char err[160];
    eb_broker_event_t ev[8];
    eb_order_t buy = market("b1", 1, 1);
    CHECK(br.ops->submit(br.self, &buy, err, sizeof err) == 0);
    CHECK_EQ_INT(events(NULL, ev, 8), 1); /* no price seen yet: accepted, left open */
    CHECK_EQ_INT(eb_paper_open_orders(&B), 1);
    eb_bar_t b = bar(100, 101, 99, 100.5, 0);
    CHECK_EQ_INT(events(&b, ev, 8), 1);
    eb_order_t sell = market("s1", -1, 1);
    CHECK(br.ops->submit(br.self, &sell, err, sizeof err) == 0);
    CHECK_EQ_INT(events(NULL, ev, 8), 2);
    CHECK(ev[1].kind == EB_BROKER_EV_FILLED);
    CHECK_NEAR(ev[1].price, 100.5 * 0.999, 1e-9);
}

TEST(a_spot_buy_within_its_quote_budget)
{
    fresh();
    char err[160];
    eb_broker_event_t ev[8];
    eb_order_t o = market("b1", 1, 1.0);
    o.quote_budget = 1000.0 * 1.001 * 1.0005; /* exactly one unit at a 1000 open */
    CHECK(br.ops->submit(br.self, &o, err, sizeof err) == 0);
    eb_bar_t b = bar(1000, 1010, 990, 1005, 0);
    CHECK_EQ_INT(events(&b, ev, 8), 2);
    CHECK_NEAR(ev[1].qty, 1.0, 1e-12);
    /* a gap up: the budget buys fewer lots, rounded down to 0.001 */
    fresh();
    o = market("b2", 1, 1.0);
    o.quote_budget = 1000.0;
    CHECK(br.ops->submit(br.self, &o, err, sizeof err) == 0);
    b = bar(1100, 1110, 1090, 1105, 0);
    CHECK_EQ_INT(events(&b, ev, 8), 2);
    double unit = 1100 * 1.001 * 1.0005, want = floor(1000.0 / unit / 0.001 * (1 + 1e-9)) * 0.001;
    CHECK_NEAR(ev[1].qty, want, 1e-9);
    CHECK(ev[1].qty * unit <= 1000.0);
    /* a budget under one lot's notional minimum: rejected, named */
    fresh();
    o = market("b3", 1, 1.0);
    o.quote_budget = 5.0;
    CHECK(br.ops->submit(br.self, &o, err, sizeof err) == 0);
    CHECK_EQ_INT(events(&b, ev, 8), 2);
    CHECK(ev[1].kind == EB_BROKER_EV_REJECTED && strstr(ev[1].detail, "insufficient quote"));
    CHECK_EQ_INT(eb_paper_open_orders(&B), 0);
}

TEST(stops_inside_a_bar_and_through_a_gap)
{
    fresh();
    char err[160];
    eb_broker_event_t ev[8];
    eb_order_t s = {.type = EB_ORDER_STOP_MARKET, .side = -1, .qty = 2, .stop_price = 95, .reduce_only = 1};
    snprintf(s.client_id, sizeof s.client_id, "stop1");
    CHECK(br.ops->submit(br.self, &s, err, sizeof err) == 0);
    eb_bar_t quiet = bar(100, 102, 96, 101, 0);
    CHECK_EQ_INT(events(&quiet, ev, 8), 1); /* accepted, not touched */
    CHECK_EQ_INT(events(NULL, ev, 8), 0);   /* between bars a stop does not trade */
    CHECK(br.ops->replace(br.self, "stop1", 97, 2, err, sizeof err) == 0);
    eb_bar_t touch = bar(100, 101, 96.5, 99, 300000);
    CHECK_EQ_INT(events(&touch, ev, 8), 1);
    CHECK(ev[0].kind == EB_BROKER_EV_FILLED);
    CHECK_NEAR(ev[0].price, 97 * 0.999, 1e-9); /* at the stop, less the slippage */
    /* through a gap: at the open */
    fresh();
    s.stop_price = 95;
    CHECK(br.ops->submit(br.self, &s, err, sizeof err) == 0);
    eb_bar_t gap = bar(90, 92, 88, 91, 0);
    CHECK_EQ_INT(events(&gap, ev, 8), 2);
    CHECK_NEAR(ev[1].price, 90 * 0.999, 1e-9);
    /* a short's stop is a buy stop above */
    fresh();
    eb_order_t up = s;
    up.side = 1;
    up.stop_price = 105;
    CHECK(br.ops->submit(br.self, &up, err, sizeof err) == 0);
    eb_bar_t rally = bar(100, 106, 99, 104, 0);
    CHECK_EQ_INT(events(&rally, ev, 8), 2);
    CHECK_NEAR(ev[1].price, 105 * 1.001, 1e-9);
}

TEST(cancel_and_refusals_change_nothing)
{
    fresh();
    char err[160];
    eb_broker_event_t ev[8];
    eb_order_t o = market("b1", 1, 1);
    CHECK(br.ops->submit(br.self, &o, err, sizeof err) == 0);
    CHECK(br.ops->cancel(br.self, "b1", err, sizeof err) == 0);
    eb_bar_t b = bar(100, 101, 99, 100, 0);
    CHECK_EQ_INT(events(&b, ev, 8), 2);
    CHECK(ev[1].kind == EB_BROKER_EV_CANCELLED);
    CHECK(br.ops->cancel(br.self, "b1", err, sizeof err) == -1 && strstr(err, "no open order b1"));
    CHECK(br.ops->submit(br.self, &o, err, sizeof err) == -1 && strstr(err, "used before"));
    eb_order_t bad = market("x", 1, -1);
    CHECK(br.ops->submit(br.self, &bad, err, sizeof err) == -1 && strstr(err, "malformed"));
    bad = market("y", 0, 1);
    CHECK(br.ops->submit(br.self, &bad, err, sizeof err) == -1);
    bad = market("", 1, 1);
    CHECK(br.ops->submit(br.self, &bad, err, sizeof err) == -1);
    CHECK(br.ops->replace(br.self, "b1", 90, 1, err, sizeof err) == -1 && strstr(err, "no open stop order"));
    CHECK_EQ_INT(events(&b, ev, 8), 0);
    /* a full book: the next order is refused, the open ones stay */
    fresh();
    int accepted = 0;
    for (int i = 0; i < EB_PAPER_MAX_ORDERS + 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "o%d", i);
        eb_order_t m = market(id, 1, 1);
        accepted += br.ops->submit(br.self, &m, err, sizeof err) == 0;
    }
    CHECK_EQ_INT(accepted, EB_PAPER_MAX_ORDERS);
    CHECK(strstr(err, "book is full") != NULL);
    CHECK_EQ_INT(eb_paper_open_orders(&B), EB_PAPER_MAX_ORDERS);
    /* drained in calls of any size, oldest first */
    int got = 0, fills = 0, off_open = 0;
    for (int k = 0; k < 100; k++) {
        int n = events(k == 0 ? &b : NULL, ev, 3);
        for (int i = 0; i < n; i++) {
            fills += ev[i].kind == EB_BROKER_EV_FILLED;
            off_open += ev[i].kind == EB_BROKER_EV_FILLED && fabs(ev[i].price - 100 * 1.001) > 1e-9;
        }
        got += n;
        if (n == 0)
            break;
    }
    CHECK_EQ_INT(got, 2 * EB_PAPER_MAX_ORDERS);
    CHECK_EQ_INT(fills, EB_PAPER_MAX_ORDERS);
    CHECK_EQ_INT(off_open, 0); /* every one at the bar's open, however late it was collected */
    CHECK_EQ_STR(eb_broker_event_name(EB_BROKER_EV_REJECTED), "rejected");
    CHECK(eb_broker_event_name(EB_BROKER_EV_COUNT) == NULL);
}

int main(void)
{
    RUN(market_orders_fill_at_the_next_open);
    RUN(between_bars_at_the_last_close);
    RUN(a_spot_buy_within_its_quote_budget);
    RUN(stops_inside_a_bar_and_through_a_gap);
    RUN(cancel_and_refusals_change_nothing);
    return eb_check_report();
}
