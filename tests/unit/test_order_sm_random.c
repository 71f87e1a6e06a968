/* The order state machine (core/order_sm.h) under thousands of random event orders from a seeded PRNG,
 * with the invariants checked after every step:
 * - against a simulated venue (the truth): fills delivered late, twice or never, acks and cancel acks lost,
 *   timeouts at any moment, query answers that arrive stale and out of order, requests that arrive late
 *   (within recvWindow) or never; the order is never rejected while the venue holds (or will hold) it, its
 *   fill never exceeds the venue's, and once everything is delivered and a last query answered it agrees
 *   with the venue;
 * - against junk: random kinds and fields, where every refusal leaves the order unchanged.
 * Both check: filled <= qty, terminal states stay terminal, unknown is left only by a query or a definitive
 * event, the average price lies within the prices seen, the fill never decreases. */
#include "core/order_sm.h"
#include "tests/support/check.h"
#include "tests/support/prng.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static int below(int n) { return eb_prng_below(n); }

typedef struct {
    int seq;                   /* which sequence (for messages) */
    eb_order_state_t first_terminal;
    int terminal_seen;
    double min_px, max_px;     /* of the prices the order may have averaged */
    double last_filled;
} watch_t;

static int may_leave_unknown(eb_osm_event_kind_t k)
{
    return k == EB_OSM_EV_ACK || k == EB_OSM_EV_FILL || k == EB_OSM_EV_CANCEL_ACK || k == EB_OSM_EV_QUERY_FOUND ||
           k == EB_OSM_EV_QUERY_NOT_FOUND;
}

/* Applies e and checks the invariants that hold whatever the events. */
static eb_osm_status_t step(eb_osm_t *o, const eb_osm_event_t *e, watch_t *w)
{
    eb_osm_t before = *o;
    eb_osm_status_t s = eb_osm_apply(o, e);
    if (eb_osm_refused(s) || s == EB_OSM_DUPLICATE)
        CHECK_MSG(memcmp(&before, o, sizeof before) == 0, "seq %d: %s on %s (%s) changed the order", w->seq,
                  eb_osm_event_name(e->kind), eb_order_state_name(before.state), eb_osm_status_name(s));
    if (before.fault != EB_OSM_FAULT_NONE)
        CHECK_MSG(s == EB_OSM_E_FAULTED || s == EB_OSM_E_ARG, "seq %d: a faulted order took %s (%s)", w->seq,
                  eb_osm_event_name(e->kind), eb_osm_status_name(s));
    CHECK_MSG(o->state < EB_ORDER_STATE_COUNT, "seq %d: state %d", w->seq, (int)o->state);
    CHECK_MSG(o->filled_qty <= o->qty * (1 + 1e-9), "seq %d: filled %.17g of %.17g", w->seq, o->filled_qty, o->qty);
    CHECK_MSG(o->filled_qty >= w->last_filled, "seq %d: filled fell from %.17g to %.17g on %s", w->seq,
              w->last_filled, o->filled_qty, eb_osm_event_name(e->kind));
    w->last_filled = o->filled_qty;
    if (w->terminal_seen)
        CHECK_MSG(o->state == w->first_terminal, "seq %d: terminal %s became %s on %s", w->seq,
                  eb_order_state_name(w->first_terminal), eb_order_state_name(o->state), eb_osm_event_name(e->kind));
    else if (eb_order_state_terminal(o->state)) {
        w->terminal_seen = 1;
        w->first_terminal = o->state;
    }
    if (before.state == EB_ORDER_UNKNOWN && o->state != EB_ORDER_UNKNOWN)
        CHECK_MSG(may_leave_unknown(e->kind), "seq %d: unknown left by %s", w->seq, eb_osm_event_name(e->kind));
    if (o->filled_qty > 0)
        CHECK_MSG(o->avg_price >= w->min_px * (1 - 1e-12) && o->avg_price <= w->max_px * (1 + 1e-12),
                  "seq %d: avg %.17g outside the prices %.17g..%.17g", w->seq, o->avg_price, w->min_px, w->max_px);
    return s;
}

/* --- the simulated venue ------------------------------------------------------------------------ */

typedef struct {
    int arrives, arrived, venue_rejects;
    int64_t arrive_ms;
    eb_osm_venue_t st;
    double cum, notional;
    int n_fills;
} truth_t;

#define PENDING_MAX 96
typedef struct {
    eb_osm_event_t ev;
    char id[16];
} pending_t;

typedef struct {
    pending_t q[PENDING_MAX];
    int n;
} queue_t;

static void push(queue_t *q, eb_osm_event_t e, const char *id)
{
    if (q->n == PENDING_MAX)
        return; /* a full network drops it: the query covers what was lost */
    pending_t *p = &q->q[q->n++];
    p->ev = e;
    snprintf(p->id, sizeof p->id, "%s", id ? id : "");
}

static void deliver(queue_t *q, int i, eb_osm_t *o, watch_t *w)
{
    pending_t p = q->q[i];
    q->q[i] = q->q[--q->n];
    if (p.ev.kind == EB_OSM_EV_ACK)
        p.ev.venue_id = p.id;
    if (p.ev.kind == EB_OSM_EV_FILL)
        p.ev.trade_id = p.id;
    step(o, &p.ev, w);
}

static eb_osm_event_t snapshot(const truth_t *t, int64_t now)
{
    if (!t->arrived)
        return (eb_osm_event_t){.kind = EB_OSM_EV_QUERY_NOT_FOUND, .now_ms = now};
    return (eb_osm_event_t){.kind = EB_OSM_EV_QUERY_FOUND, .now_ms = now, .venue = t->st, .qty = t->cum,
                            .price = t->cum > 0 ? t->notional / t->cum : 0};
}

static void check_truth(const eb_osm_t *o, const truth_t *t, const watch_t *w)
{
    CHECK_MSG(o->fault == EB_OSM_FAULT_NONE, "seq %d: fault %s against a consistent venue", w->seq,
              eb_osm_fault_name(o->fault));
    CHECK_MSG(o->filled_qty <= t->cum + 1e-12, "seq %d: filled %.17g, the venue %.17g", w->seq, o->filled_qty, t->cum);
    if (o->state == EB_ORDER_REJECTED)
        CHECK_MSG(!t->arrives || t->venue_rejects, "seq %d: rejected an order the venue holds or will hold", w->seq);
}

static void venue_sequence(int seq)
{
    eb_osm_params_t p;
    eb_osm_params_default(&p);
    double qty = 0.125 * (1 + below(16));
    eb_osm_t o;
    eb_osm_init(&o, qty, &p);
    watch_t w = {.seq = seq, .min_px = 1e300, .max_px = -1e300};
    truth_t t = {.arrives = below(10) < 8, .venue_rejects = below(10) == 0};
    queue_t q = {.n = 0};
    int64_t t0 = 1000000 + below(1000), now = t0;
    t.arrive_ms = t0 + below((int)p.recv_window_ms + 1);
    eb_osm_event_t first = {.kind = below(5) == 0 ? EB_OSM_EV_TIMEOUT : EB_OSM_EV_SENT, .now_ms = t0};
    if (first.kind == EB_OSM_EV_TIMEOUT) /* the box died around the send and learns of it later */
        first.now_ms = t0 + below(3000);
    step(&o, &first, &w);
    int steps = 20 + below(60);
    for (int i = 0; i < steps; i++) {
        now += below(700);
        if (t.arrives && !t.arrived && now >= t.arrive_ms) {
            t.arrived = 1;
            t.st = t.venue_rejects ? EB_OSM_VENUE_REJECTED : EB_OSM_VENUE_OPEN;
            if (below(10) < 9)
                push(&q, t.venue_rejects ? (eb_osm_event_t){.kind = EB_OSM_EV_REJECT, .now_ms = now, .code = -2010}
                                         : (eb_osm_event_t){.kind = EB_OSM_EV_ACK, .now_ms = now},
                     "V123");
        }
        int r = below(100);
        if (r < 30 && t.arrived && t.st == EB_OSM_VENUE_OPEN) {
            double rest = qty - t.cum, f = 0.125 * (1 + below(4));
            f = f < rest ? f : rest;
            double px = 100 + below(20) + 0.5;
            t.cum += f;
            t.notional += f * px;
            w.min_px = px < w.min_px ? px : w.min_px;
            w.max_px = px > w.max_px ? px : w.max_px;
            if (t.cum >= qty)
                t.st = EB_OSM_VENUE_FILLED;
            char tid[16];
            snprintf(tid, sizeof tid, "T%d", t.n_fills++);
            eb_osm_event_t e = {.kind = EB_OSM_EV_FILL, .now_ms = now, .qty = f, .price = px};
            if (below(10) < 9)
                push(&q, e, tid);
            if (below(5) == 0)
                push(&q, e, tid); /* reported on a second path */
        } else if (r < 40 && t.arrived && t.st == EB_OSM_VENUE_OPEN) {
            t.st = EB_OSM_VENUE_CANCELLED;
            if (below(10) < 8)
                push(&q, (eb_osm_event_t){.kind = EB_OSM_EV_CANCEL_ACK, .now_ms = now}, NULL);
        } else if (r < 55) {
            push(&q, snapshot(&t, now), NULL); /* answered now, delivered whenever */
        } else if (r < 65) {
            static const eb_osm_event_kind_t k[] = {EB_OSM_EV_TIMEOUT, EB_OSM_EV_HTTP_5XX, EB_OSM_EV_EXEC_UNKNOWN};
            eb_osm_event_t e = {.kind = k[below(3)], .now_ms = now, .code = 502};
            step(&o, &e, &w);
        } else if (q.n > 0) {
            deliver(&q, below(q.n), &o, &w);
        }
        check_truth(&o, &t, &w);
    }
    /* Everything arrives in the end, then one last answer, long after any request could appear. */
    while (q.n > 0) {
        deliver(&q, below(q.n), &o, &w);
        check_truth(&o, &t, &w);
    }
    now += 60000;
    if (t.arrives && !t.arrived) { /* it arrived unseen; no event made it back */
        t.arrived = 1;
        t.st = t.venue_rejects ? EB_OSM_VENUE_REJECTED : EB_OSM_VENUE_OPEN;
    }
    eb_osm_event_t last = snapshot(&t, now);
    step(&o, &last, &w);
    check_truth(&o, &t, &w);
    eb_order_state_t want = !t.arrives || t.venue_rejects ? EB_ORDER_REJECTED
                            : t.st == EB_OSM_VENUE_FILLED  ? EB_ORDER_FILLED
                            : t.st == EB_OSM_VENUE_CANCELLED ? EB_ORDER_CANCELLED
                            : t.cum > 0                   ? EB_ORDER_PARTIALLY_FILLED
                                                          : EB_ORDER_ACKNOWLEDGED;
    CHECK_MSG(o.state == want, "seq %d: ends %s, the venue says %s", seq, eb_order_state_name(o.state),
              eb_order_state_name(want));
    CHECK_MSG(fabs(o.filled_qty - t.cum) <= 1e-12, "seq %d: ends with %.17g filled, the venue %.17g", seq,
              o.filled_qty, t.cum);
}

TEST(against_a_simulated_venue)
{
    eb_prng_seed(0x9e3779b97f4a7c15ull);
    for (int seq = 0; seq < 5000; seq++)
        venue_sequence(seq);
}

/* --- junk ------------------------------------------------------------------------------------- */

static void junk_sequence(int seq)
{
    static const char *const ids[] = {"t1", "t2", "t3", "t4", "t5", "", NULL, "v1", "v2"};
    static const double qtys[] = {-1, 0, 0.125, 0.25, 0.5, 1, 1.5, 2, 3, NAN, INFINITY};
    static const double pxs[] = {0, -3, 99, 100, 101.5, 120, NAN};
    static const int codes[] = {0, -2010, -1007, 404, 500, 503, 599, 600};
    eb_osm_params_t p;
    eb_osm_params_default(&p);
    eb_osm_t o;
    eb_osm_init(&o, 0.5 * (1 + below(4)), &p);
    watch_t w = {.seq = seq, .min_px = 1e300, .max_px = -1e300};
    int64_t now = 1000;
    for (int i = 0; i < 40; i++) {
        now += below(3000) - 200;
        eb_osm_event_t e = {.kind = (eb_osm_event_kind_t)below(EB_OSM_EV_COUNT + 1), .now_ms = now,
                            .venue_id = ids[below(9)], .trade_id = ids[below(9)], .qty = qtys[below(11)],
                            .price = pxs[below(7)], .code = codes[below(8)],
                            .venue = (eb_osm_venue_t)below(EB_OSM_VENUE_COUNT + 1)};
        /* The prices an average may come from: those of fills and queries (refused or not: a refusal
         * cannot move the average, so counting it only widens the bounds). */
        if ((e.kind == EB_OSM_EV_FILL || e.kind == EB_OSM_EV_QUERY_FOUND) && isfinite(e.price) && e.price > 0) {
            w.min_px = e.price < w.min_px ? e.price : w.min_px;
            w.max_px = e.price > w.max_px ? e.price : w.max_px;
        }
        step(&o, &e, &w);
    }
}

TEST(against_junk)
{
    eb_prng_seed(0x853c49e6748fea9bull);
    for (int seq = 0; seq < 5000; seq++)
        junk_sequence(seq);
}

int main(void)
{
    RUN(against_a_simulated_venue);
    RUN(against_junk);
    return eb_check_report();
}
