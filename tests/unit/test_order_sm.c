/* The order state machine (core/order_sm.h), rule by rule: the normal path, fills and their average,
 * idempotent trade ids, unknown and how it is (and is not) left, the not-found window, queries ahead of and
 * behind the events, terminal states, faults, and every refusal leaving the order byte for byte unchanged.
 * tests/unit/test_order_sm_random.c drives it with random event orders. */
#include "core/order_sm.h"
#include "tests/support/check.h"

#include <math.h>
#include <string.h>

static eb_osm_t fresh(double qty)
{
    eb_osm_params_t p;
    eb_osm_params_default(&p); /* recvWindow 5000, margin 2000, query every 1000 */
    eb_osm_t o;
    eb_osm_init(&o, qty, &p);
    return o;
}

static eb_osm_event_t ev(eb_osm_event_kind_t k, int64_t now) { return (eb_osm_event_t){.kind = k, .now_ms = now}; }
static eb_osm_event_t fill(int64_t now, const char *tid, double q, double px)
{
    return (eb_osm_event_t){.kind = EB_OSM_EV_FILL, .now_ms = now, .trade_id = tid, .qty = q, .price = px};
}
static eb_osm_event_t ack(int64_t now, const char *vid) { return (eb_osm_event_t){.kind = EB_OSM_EV_ACK, .now_ms = now, .venue_id = vid}; }
static eb_osm_event_t found(int64_t now, eb_osm_venue_t v, double q, double avg)
{
    return (eb_osm_event_t){.kind = EB_OSM_EV_QUERY_FOUND, .now_ms = now, .venue = v, .qty = q, .price = avg};
}
static eb_osm_event_t reject(int64_t now, int code) { return (eb_osm_event_t){.kind = EB_OSM_EV_REJECT, .now_ms = now, .code = code}; }

/* Applies e and checks the status; a refusal must leave every byte as it was. */
static void expect(eb_osm_t *o, eb_osm_event_t e, eb_osm_status_t want, int line)
{
    eb_osm_t before = *o;
    eb_osm_status_t got = eb_osm_apply(o, &e);
    CHECK_MSG(got == want, "line %d: %s on %s gives %s, want %s", line, eb_osm_event_name(e.kind),
              eb_order_state_name(before.state), eb_osm_status_name(got), eb_osm_status_name(want));
    if (eb_osm_refused(got) || got == EB_OSM_DUPLICATE)
        CHECK_MSG(memcmp(&before, o, sizeof before) == 0, "line %d: %s changed the order", line, eb_osm_status_name(got));
}
#define EXPECT(o, e, want) expect((o), (e), (want), __LINE__)

static eb_osm_t sent_at(double qty, int64_t t)
{
    eb_osm_t o = fresh(qty);
    EXPECT(&o, ev(EB_OSM_EV_SENT, t), EB_OSM_OK);
    return o;
}

TEST(init_refuses_bad_parameters)
{
    eb_osm_params_t p;
    eb_osm_t o;
    eb_osm_params_default(&p);
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), 0);
    CHECK_EQ_INT(o.state, EB_ORDER_INTENT);
    CHECK_EQ_INT(o.sent_ms, -1);
    CHECK_EQ_INT(eb_osm_init(&o, 0, &p), -1);
    CHECK_EQ_INT(eb_osm_init(&o, -1, &p), -1);
    CHECK_EQ_INT(eb_osm_init(&o, NAN, &p), -1);
    CHECK_EQ_INT(eb_osm_init(&o, INFINITY, &p), -1);
    CHECK_EQ_INT(eb_osm_init(&o, 1, NULL), -1);
    p.recv_window_ms = 0;
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), -1);
    p.recv_window_ms = 60001;
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), -1);
    eb_osm_params_default(&p);
    p.margin_ms = -1;
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), -1);
    eb_osm_params_default(&p);
    p.query_interval_ms = 0;
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), -1);
    p.query_interval_ms = 3600001;
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), -1);
    eb_osm_params_default(&p);
    p.margin_ms = 3600001;
    CHECK_EQ_INT(eb_osm_init(&o, 1, &p), -1);
}

TEST(normal_path_and_the_average_price)
{
    eb_osm_t o = sent_at(2, 1000);
    CHECK_EQ_INT(o.state, EB_ORDER_SENT);
    CHECK_EQ_INT(o.sent_ms, 1000);
    EXPECT(&o, ack(1100, "8886774"), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_ACKNOWLEDGED);
    CHECK_EQ_STR(o.venue_id, "8886774");
    EXPECT(&o, fill(1200, "t1", 0.5, 100), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_PARTIALLY_FILLED);
    EXPECT(&o, fill(1300, "t2", 1.5, 104), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_FILLED);
    CHECK_NEAR(o.filled_qty, 2, 0);
    CHECK_NEAR(o.avg_price, (0.5 * 100 + 1.5 * 104) / 2, 1e-12); /* 103 */
}

TEST(a_repeated_trade_id_is_ignored)
{
    eb_osm_t o = sent_at(2, 1000);
    EXPECT(&o, fill(1200, "t1", 0.5, 100), EB_OSM_OK);
    EXPECT(&o, fill(1250, "t1", 0.5, 100), EB_OSM_DUPLICATE);
    EXPECT(&o, fill(1250, "t1", 0.7, 101), EB_OSM_DUPLICATE); /* the id is the key, not the numbers */
    CHECK_NEAR(o.filled_qty, 0.5, 0);
    EXPECT(&o, fill(1300, "t2", 1.5, 100), EB_OSM_OK);
    EXPECT(&o, fill(1400, "t2", 1.5, 100), EB_OSM_DUPLICATE); /* after filled too */
    CHECK_EQ_INT(o.state, EB_ORDER_FILLED);
    EXPECT(&o, ack(1500, "v1"), EB_OSM_E_TERMINAL);
    eb_osm_t a = sent_at(1, 0);
    EXPECT(&a, ack(10, "v1"), EB_OSM_OK);
    EXPECT(&a, ack(20, "v1"), EB_OSM_DUPLICATE);
}

TEST(timeout_5xx_and_minus_1007_give_unknown)
{
    const eb_osm_event_kind_t kinds[] = {EB_OSM_EV_TIMEOUT, EB_OSM_EV_HTTP_5XX, EB_OSM_EV_EXEC_UNKNOWN};
    for (int k = 0; k < 3; k++) {
        eb_osm_event_t e = ev(kinds[k], 4000);
        e.code = 503;
        eb_osm_t o = sent_at(1, 1000);
        EXPECT(&o, e, EB_OSM_OK);
        CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
        CHECK_EQ_INT(o.next_query_ms, 5000);
        e.now_ms = 6000; /* the query timed out too: still unknown, asked again later */
        EXPECT(&o, e, EB_OSM_OK);
        CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
        CHECK_EQ_INT(o.next_query_ms, 7000);
        /* From intent (the box died around the send): the request, if it left, left before now. */
        o = fresh(1);
        e.now_ms = 9000;
        EXPECT(&o, e, EB_OSM_OK);
        CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
        CHECK_EQ_INT(o.sent_ms, 9000);
        /* From acknowledged and partially filled (a cancel's lost answer). */
        o = sent_at(1, 1000);
        EXPECT(&o, ack(1100, "v"), EB_OSM_OK);
        EXPECT(&o, e, EB_OSM_OK);
        CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
        o = sent_at(1, 1000);
        EXPECT(&o, fill(1100, "t", 0.5, 10), EB_OSM_OK);
        EXPECT(&o, e, EB_OSM_OK);
        CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
    }
    eb_osm_event_t bad = ev(EB_OSM_EV_HTTP_5XX, 4000);
    eb_osm_t o = sent_at(1, 1000);
    bad.code = 499;
    EXPECT(&o, bad, EB_OSM_E_ARG);
    bad.code = 600;
    EXPECT(&o, bad, EB_OSM_E_ARG);
}

/* sent 1000, recvWindow 5000, margin 2000: a not-found is final only after 8000. */
TEST(not_found_is_final_only_after_the_window)
{
    eb_osm_t o = sent_at(1, 1000);
    EXPECT(&o, ev(EB_OSM_EV_TIMEOUT, 2000), EB_OSM_OK);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 3000), EB_OSM_QUERY_LATER);
    CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
    CHECK_EQ_INT(o.next_query_ms, 4000); /* one interval */
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 7500), EB_OSM_QUERY_LATER);
    CHECK_EQ_INT(o.next_query_ms, 8001); /* the first moment it can be final, sooner than an interval */
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 8000), EB_OSM_QUERY_LATER); /* not yet: the boundary itself */
    CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
    for (int i = 0; i < 100; i++) /* however many times: not lost, not failed */
        EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 7000 + i), EB_OSM_QUERY_LATER);
    CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 8001), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_REJECTED);
    CHECK_EQ_INT(o.next_query_ms, -1);
    /* A sent order whose answer has not come back yet: the same window. */
    o = sent_at(1, 1000);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 1500), EB_OSM_QUERY_LATER);
    CHECK_EQ_INT(o.state, EB_ORDER_SENT);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 8001), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_REJECTED);
    /* The margin counts: with margin 0, 6001 is final. */
    eb_osm_params_t p;
    eb_osm_params_default(&p);
    p.margin_ms = 0;
    eb_osm_init(&o, 1, &p);
    EXPECT(&o, ev(EB_OSM_EV_SENT, 1000), EB_OSM_OK);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 6000), EB_OSM_QUERY_LATER);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 6001), EB_OSM_OK);
}

TEST(not_found_for_an_order_the_venue_held_is_refused)
{
    eb_osm_t o = sent_at(1, 1000);
    EXPECT(&o, ack(1100, "v"), EB_OSM_OK);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 99000), EB_OSM_E_NOT_FOUND_HELD);
    EXPECT(&o, ev(EB_OSM_EV_TIMEOUT, 99000), EB_OSM_OK); /* unknown, but with the venue's id */
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 99000), EB_OSM_E_NOT_FOUND_HELD);
    o = sent_at(1, 1000);
    EXPECT(&o, ev(EB_OSM_EV_TIMEOUT, 1500), EB_OSM_OK);
    EXPECT(&o, fill(1600, "t", 0.25, 10), EB_OSM_OK); /* a partial fill while unknown: accounted, still unknown */
    CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
    CHECK_NEAR(o.filled_qty, 0.25, 0);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 99000), EB_OSM_E_NOT_FOUND_HELD);
    o = sent_at(1, 1000);
    EXPECT(&o, fill(1600, "t", 0.25, 10), EB_OSM_OK);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 99000), EB_OSM_E_NOT_FOUND_HELD);
}

TEST(unknown_is_left_only_by_the_venues_word)
{
    eb_osm_t u = sent_at(1, 1000), o;
    EXPECT(&u, ev(EB_OSM_EV_TIMEOUT, 2000), EB_OSM_OK);
    o = u;
    EXPECT(&o, reject(2100, -2010), EB_OSM_E_UNKNOWN_REJECT);
    EXPECT(&o, ev(EB_OSM_EV_SENT, 2100), EB_OSM_E_ALREADY_SENT);
    o = u;
    EXPECT(&o, ack(2100, "v"), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_ACKNOWLEDGED);
    CHECK_EQ_INT(o.next_query_ms, -1);
    o = u;
    EXPECT(&o, ev(EB_OSM_EV_CANCEL_ACK, 2100), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_CANCELLED);
    o = u;
    EXPECT(&o, fill(2100, "a", 0.5, 10), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_UNKNOWN);
    EXPECT(&o, fill(2200, "b", 0.5, 12), EB_OSM_OK); /* complete: nothing can rest on the venue */
    CHECK_EQ_INT(o.state, EB_ORDER_FILLED);
    CHECK_NEAR(o.avg_price, 11, 1e-12);
    const eb_osm_venue_t vs[] = {EB_OSM_VENUE_OPEN, EB_OSM_VENUE_FILLED, EB_OSM_VENUE_CANCELLED, EB_OSM_VENUE_REJECTED};
    const double q[] = {0.25, 1, 0.25, 0};
    const eb_order_state_t want[] = {EB_ORDER_PARTIALLY_FILLED, EB_ORDER_FILLED, EB_ORDER_CANCELLED, EB_ORDER_REJECTED};
    for (int i = 0; i < 4; i++) {
        o = u;
        EXPECT(&o, found(2100, vs[i], q[i], 10), EB_OSM_OK);
        CHECK_EQ_INT(o.state, want[i]);
        CHECK_NEAR(o.filled_qty, q[i], 0);
    }
    o = u;
    EXPECT(&o, found(2100, EB_OSM_VENUE_OPEN, 0, 0), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_ACKNOWLEDGED);
}

TEST(rejects)
{
    eb_osm_t o = sent_at(1, 1000);
    EXPECT(&o, reject(1100, -2010), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_REJECTED);
    CHECK_EQ_INT(o.reject_code, -2010);
    o = sent_at(1, 1000);
    EXPECT(&o, reject(1100, 0), EB_OSM_E_ARG);
    EXPECT(&o, ack(1100, "v"), EB_OSM_OK);
    EXPECT(&o, reject(1200, -2010), EB_OSM_E_REJECT_HELD);
    EXPECT(&o, fill(1300, "t", 0.5, 10), EB_OSM_OK);
    EXPECT(&o, reject(1400, -2010), EB_OSM_E_REJECT_HELD);
}

TEST(events_before_the_send_are_refused)
{
    eb_osm_t o = fresh(1);
    EXPECT(&o, ack(1, "v"), EB_OSM_E_NOT_SENT);
    EXPECT(&o, fill(1, "t", 1, 1), EB_OSM_E_NOT_SENT);
    EXPECT(&o, ev(EB_OSM_EV_CANCEL_ACK, 1), EB_OSM_E_NOT_SENT);
    EXPECT(&o, reject(1, -1), EB_OSM_E_NOT_SENT);
    EXPECT(&o, found(1, EB_OSM_VENUE_OPEN, 0, 0), EB_OSM_E_NOT_SENT);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 1), EB_OSM_E_NOT_SENT);
    EXPECT(&o, ev(EB_OSM_EV_COUNT, 1), EB_OSM_E_ARG);
    EXPECT(&o, ev(EB_OSM_EV_SENT, -1), EB_OSM_E_ARG);
    EXPECT(&o, ev(EB_OSM_EV_SENT, 5), EB_OSM_OK);
    EXPECT(&o, ev(EB_OSM_EV_SENT, 6), EB_OSM_E_ALREADY_SENT);
    CHECK_EQ_INT(o.sent_ms, 5);
}

/* The query saw the whole fill before its events came: filled, and the late events only catch up. */
TEST(a_query_ahead_of_the_events)
{
    eb_osm_t o = sent_at(2, 1000);
    EXPECT(&o, found(1100, EB_OSM_VENUE_FILLED, 2, 101), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_FILLED);
    CHECK_NEAR(o.filled_qty, 2, 0);
    CHECK_NEAR(o.avg_price, 101, 0);
    EXPECT(&o, fill(1200, "t1", 1, 100), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_FILLED);
    CHECK_NEAR(o.filled_qty, 2, 0); /* not 3 */
    CHECK_NEAR(o.avg_price, 101, 0);
    EXPECT(&o, fill(1300, "t2", 1, 102), EB_OSM_OK);
    CHECK_NEAR(o.filled_qty, 2, 0);
    CHECK_NEAR(o.avg_price, 101, 1e-12); /* the events' own average now */
    EXPECT(&o, fill(1400, "t3", 0.5, 102), EB_OSM_FAULT); /* beyond the quantity: a fault, not clamped */
    /* A partial view ahead: open with 1 filled, then its fill event. */
    o = sent_at(2, 1000);
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, 1, 100), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_PARTIALLY_FILLED);
    EXPECT(&o, fill(1200, "t1", 1, 100), EB_OSM_OK);
    CHECK_NEAR(o.filled_qty, 1, 0);
    CHECK_EQ_INT(o.state, EB_ORDER_PARTIALLY_FILLED);
}

TEST(a_query_behind_the_events_never_lowers_the_fill)
{
    eb_osm_t o = sent_at(2, 1000);
    EXPECT(&o, fill(1200, "t1", 1, 100), EB_OSM_OK);
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, 0, 0), EB_OSM_OK);
    CHECK_NEAR(o.filled_qty, 1, 0);
    CHECK_EQ_INT(o.state, EB_ORDER_PARTIALLY_FILLED);
    EXPECT(&o, found(1300, EB_OSM_VENUE_OPEN, 1.5, 101), EB_OSM_OK);
    EXPECT(&o, found(1250, EB_OSM_VENUE_OPEN, 1.25, 99), EB_OSM_OK); /* an older answer */
    CHECK_NEAR(o.filled_qty, 1.5, 0);
    CHECK_NEAR(o.avg_price, 101, 0);
}

TEST(terminal_states_stay_terminal)
{
    eb_osm_t f = sent_at(1, 1000);
    EXPECT(&f, fill(1100, "t", 1, 10), EB_OSM_OK);
    const eb_osm_event_t late[] = {ev(EB_OSM_EV_CANCEL_ACK, 2000), ev(EB_OSM_EV_TIMEOUT, 2000),
                                   ev(EB_OSM_EV_EXEC_UNKNOWN, 2000), reject(2000, -1),
                                   ev(EB_OSM_EV_QUERY_NOT_FOUND, 99000), found(2000, EB_OSM_VENUE_OPEN, 0.5, 10),
                                   found(2000, EB_OSM_VENUE_CANCELLED, 0.5, 10), ack(2000, "v")};
    for (size_t i = 0; i < sizeof late / sizeof late[0]; i++)
        EXPECT(&f, late[i], EB_OSM_E_TERMINAL);
    EXPECT(&f, found(2000, EB_OSM_VENUE_FILLED, 1, 10), EB_OSM_OK); /* confirms it */
    CHECK_EQ_INT(f.state, EB_ORDER_FILLED);

    eb_osm_t c = sent_at(2, 1000);
    EXPECT(&c, ev(EB_OSM_EV_CANCEL_ACK, 1100), EB_OSM_OK);
    EXPECT(&c, ev(EB_OSM_EV_CANCEL_ACK, 1200), EB_OSM_E_TERMINAL);
    EXPECT(&c, found(1300, EB_OSM_VENUE_OPEN, 0, 0), EB_OSM_E_TERMINAL);
    EXPECT(&c, found(1300, EB_OSM_VENUE_FILLED, 2, 10), EB_OSM_E_TERMINAL);
    /* A fill that raced the cancel: accounted, the order stays cancelled. */
    EXPECT(&c, fill(1400, "t", 0.5, 10), EB_OSM_OK);
    CHECK_EQ_INT(c.state, EB_ORDER_CANCELLED);
    CHECK_NEAR(c.filled_qty, 0.5, 0);
    EXPECT(&c, found(1500, EB_OSM_VENUE_CANCELLED, 0.75, 10), EB_OSM_OK);
    CHECK_EQ_INT(c.state, EB_ORDER_CANCELLED);
    CHECK_NEAR(c.filled_qty, 0.75, 0);

    eb_osm_t r = sent_at(1, 1000);
    EXPECT(&r, reject(1100, -2010), EB_OSM_OK);
    EXPECT(&r, ack(1200, "v"), EB_OSM_E_TERMINAL);
    EXPECT(&r, ev(EB_OSM_EV_CANCEL_ACK, 1200), EB_OSM_E_TERMINAL);
    EXPECT(&r, ev(EB_OSM_EV_TIMEOUT, 1200), EB_OSM_E_TERMINAL);
    EXPECT(&r, found(1200, EB_OSM_VENUE_REJECTED, 0, 0), EB_OSM_E_TERMINAL);
    CHECK_EQ_INT(r.state, EB_ORDER_REJECTED);
}

TEST(faults_need_the_operator)
{
    eb_osm_t o = sent_at(1, 1000);
    EXPECT(&o, fill(1100, "t1", 0.75, 10), EB_OSM_OK);
    eb_osm_t before = o;
    EXPECT(&o, fill(1200, "t2", 0.5, 10), EB_OSM_FAULT);
    CHECK_EQ_INT(o.fault, EB_OSM_FAULT_OVERFILL);
    CHECK_NEAR(o.filled_qty, 0.75, 0); /* not clamped to 1, not 1.25 */
    before.fault = EB_OSM_FAULT_OVERFILL;
    CHECK(memcmp(&before, &o, sizeof o) == 0); /* the fault is the only change */
    EXPECT(&o, fill(1300, "t3", 0.25, 10), EB_OSM_E_FAULTED);
    EXPECT(&o, found(1300, EB_OSM_VENUE_FILLED, 1, 10), EB_OSM_E_FAULTED);
    EXPECT(&o, ev(EB_OSM_EV_TIMEOUT, 1300), EB_OSM_E_FAULTED);

    o = sent_at(1, 1000);
    EXPECT(&o, found(1100, EB_OSM_VENUE_FILLED, 1.5, 10), EB_OSM_FAULT);
    CHECK_EQ_INT(o.fault, EB_OSM_FAULT_OVERFILL);
    CHECK_EQ_INT(o.state, EB_ORDER_SENT);
    CHECK_NEAR(o.filled_qty, 0, 0);

    o = sent_at(1, 1000);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, 9000), EB_OSM_OK);
    CHECK_EQ_INT(o.state, EB_ORDER_REJECTED);
    eb_osm_t r = o;
    EXPECT(&r, fill(9100, "t", 0.5, 10), EB_OSM_FAULT);
    CHECK_EQ_INT(r.fault, EB_OSM_FAULT_HELD_AFTER_REJECT);
    CHECK_EQ_INT(r.state, EB_ORDER_REJECTED);
    r = o;
    EXPECT(&r, found(9100, EB_OSM_VENUE_OPEN, 0, 0), EB_OSM_FAULT);
    CHECK_EQ_INT(r.fault, EB_OSM_FAULT_HELD_AFTER_REJECT);
}

TEST(malformed_events_are_refused)
{
    char long_id[EB_OSM_ID_MAX + 2];
    memset(long_id, '7', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    eb_osm_t o = sent_at(1, 1000);
    EXPECT(&o, ack(1100, NULL), EB_OSM_E_ARG);
    EXPECT(&o, ack(1100, ""), EB_OSM_E_ARG);
    EXPECT(&o, ack(1100, long_id), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, NULL, 1, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "", 1, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, long_id, 1, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", 0, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", -1, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", NAN, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", INFINITY, 1), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", 1, 0), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", 1, NAN), EB_OSM_E_ARG);
    EXPECT(&o, fill(1100, "t", 1, -5), EB_OSM_E_ARG);
    EXPECT(&o, found(1100, EB_OSM_VENUE_COUNT, 0, 0), EB_OSM_E_ARG);
    EXPECT(&o, found(1100, (eb_osm_venue_t)-1, 0, 0), EB_OSM_E_ARG);
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, -0.5, 1), EB_OSM_E_ARG);
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, NAN, 1), EB_OSM_E_ARG);
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, 0.5, 0), EB_OSM_E_ARG);
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, 0.5, NAN), EB_OSM_E_ARG);
    EXPECT(&o, ev(EB_OSM_EV_TIMEOUT, -5), EB_OSM_E_ARG);
    EXPECT(&o, ev(EB_OSM_EV_TIMEOUT, EB_TIME_MS_MAX + 1), EB_OSM_E_ARG);
    EXPECT(&o, ev(EB_OSM_EV_QUERY_NOT_FOUND, INT64_MAX), EB_OSM_E_ARG);
    EXPECT(&o, ev((eb_osm_event_kind_t)99, 1100), EB_OSM_E_ARG);
    CHECK_EQ_INT(eb_osm_apply(NULL, &(eb_osm_event_t){0}), EB_OSM_E_ARG);
    CHECK_EQ_INT(eb_osm_apply(&o, NULL), EB_OSM_E_ARG);
    char max_id[EB_OSM_ID_MAX + 1];
    memset(max_id, '7', sizeof max_id - 1);
    max_id[sizeof max_id - 1] = '\0';
    EXPECT(&o, ack(1100, max_id), EB_OSM_OK); /* the longest id fits */
    CHECK_EQ_STR(o.venue_id, max_id);
}

TEST(inconsistent_query_results_are_refused)
{
    eb_osm_t o = sent_at(2, 1000);
    EXPECT(&o, found(1100, EB_OSM_VENUE_FILLED, 1, 10), EB_OSM_E_QUERY_INCONSISTENT);    /* filled, half of it */
    EXPECT(&o, found(1100, EB_OSM_VENUE_OPEN, 2, 10), EB_OSM_E_QUERY_INCONSISTENT);      /* open, all of it */
    EXPECT(&o, found(1100, EB_OSM_VENUE_CANCELLED, 2, 10), EB_OSM_E_QUERY_INCONSISTENT); /* cancelled, all of it */
    EXPECT(&o, found(1100, EB_OSM_VENUE_REJECTED, 1, 10), EB_OSM_E_QUERY_INCONSISTENT);  /* rejected with fills */
    EXPECT(&o, ack(1100, "v"), EB_OSM_OK);
    EXPECT(&o, found(1100, EB_OSM_VENUE_REJECTED, 0, 0), EB_OSM_E_QUERY_INCONSISTENT); /* it acknowledged it */
}

TEST(venue_id_and_trade_table)
{
    eb_osm_t o = sent_at(100, 1000);
    EXPECT(&o, ack(1100, "v1"), EB_OSM_OK);
    EXPECT(&o, ack(1100, "v2"), EB_OSM_E_VENUE_ID_MISMATCH);
    char tid[16];
    for (int i = 0; i < EB_OSM_TRADES_MAX; i++) {
        snprintf(tid, sizeof tid, "t%d", i);
        EXPECT(&o, fill(1200 + i, tid, 1, 10), EB_OSM_OK);
    }
    EXPECT(&o, fill(1300, "t0", 1, 10), EB_OSM_DUPLICATE); /* still recognised */
    EXPECT(&o, fill(1300, "one-more", 1, 10), EB_OSM_E_TRADES_FULL);
    CHECK_NEAR(o.filled_qty, EB_OSM_TRADES_MAX, 0);
    EXPECT(&o, found(1400, EB_OSM_VENUE_OPEN, 40, 10), EB_OSM_OK); /* the query covers the rest */
    CHECK_NEAR(o.filled_qty, 40, 0);
}

TEST(names)
{
    CHECK_EQ_STR(eb_osm_event_name(EB_OSM_EV_QUERY_NOT_FOUND), "query_not_found");
    CHECK_EQ_STR(eb_osm_event_name(EB_OSM_EV_EXEC_UNKNOWN), "exec_unknown");
    CHECK_EQ_STR(eb_osm_status_name(EB_OSM_E_TRADES_FULL), "trades_full");
    CHECK_EQ_STR(eb_osm_fault_name(EB_OSM_FAULT_HELD_AFTER_REJECT), "held_after_reject");
    CHECK_EQ_STR(eb_osm_venue_name(EB_OSM_VENUE_CANCELLED), "cancelled");
    CHECK(eb_osm_status_name(EB_OSM_STATUS_COUNT) == NULL);
    CHECK_EQ_INT(eb_osm_refused(EB_OSM_OK) + eb_osm_refused(EB_OSM_DUPLICATE) + eb_osm_refused(EB_OSM_QUERY_LATER) +
                     eb_osm_refused(EB_OSM_FAULT),
                 0);
    for (int s = EB_OSM_E_ARG; s < EB_OSM_STATUS_COUNT; s++)
        CHECK_MSG(eb_osm_refused((eb_osm_status_t)s), "%s is a refusal", eb_osm_status_name((eb_osm_status_t)s));
}

int main(void)
{
    RUN(init_refuses_bad_parameters);
    RUN(normal_path_and_the_average_price);
    RUN(a_repeated_trade_id_is_ignored);
    RUN(timeout_5xx_and_minus_1007_give_unknown);
    RUN(not_found_is_final_only_after_the_window);
    RUN(not_found_for_an_order_the_venue_held_is_refused);
    RUN(unknown_is_left_only_by_the_venues_word);
    RUN(rejects);
    RUN(events_before_the_send_are_refused);
    RUN(a_query_ahead_of_the_events);
    RUN(a_query_behind_the_events_never_lowers_the_fill);
    RUN(terminal_states_stay_terminal);
    RUN(faults_need_the_operator);
    RUN(malformed_events_are_refused);
    RUN(inconsistent_query_results_are_refused);
    RUN(venue_id_and_trade_table);
    RUN(names);
    return eb_check_report();
}
