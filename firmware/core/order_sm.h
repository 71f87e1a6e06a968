/* The order state machine of one order (DESIGN.md "Journal", SPEC section 8, issue 14):
 *
 *   intent -> sent -> acknowledged -> partially_filled -> filled | cancelled | rejected
 *   "unknown" after a timeout, an HTTP 5xx or Binance -1007 ("execution status unknown")
 *
 * Pure: no allocation, no I/O, no clock. Every event carries now_ms; the adapters turn venue replies into
 * events, the daemon journals what comes out. All times (sent, now, next query) are in one clock: the one
 * the signed request's `timestamp` was taken from (local + clock offset, core/clock_offset.h), because the
 * venue judges a request's age by that timestamp. A query result's now_ms is the time the query was sent,
 * not when its answer came back: the venue looked at the order no earlier than that, so a slow answer can
 * never make a not-found look later than it was.
 *
 * The rules, and why:
 *
 * 1. An order is never failed or lost while the venue might still hold it. Timeout, 5xx and -1007 move it
 *    to unknown (from intent too: a box that died around the send cannot know whether it left). Unknown is
 *    left only by what the venue itself says about this client id: a query result, or a definitive event:
 *    an ack with the venue's order id (-> acknowledged), a cancel ack (-> cancelled), the fill that
 *    completes the quantity (-> filled: nothing of it can rest on the venue). A partial fill while unknown
 *    is accounted but leaves the order unknown: the unknown may be a cancel's lost answer, so whether the
 *    rest still rests is for the query to say. A reject while unknown is refused: it may be the venue's
 *    answer to a resend (a duplicate-id refusal looks like a reject) and says nothing about whether the
 *    first request arrived.
 * 2. A query that does not find the order turns unknown (or sent) into rejected ("never arrived") only once
 *    now_ms > sent_ms + recv_window_ms + margin_ms: the venue refuses a request older than its recvWindow,
 *    so after that it can never appear; the margin covers the clock offset's uncertainty and the venue's
 *    processing. Before that the order stays as it is and next_query_ms says when to ask again (the
 *    earlier of one query interval and the first moment a not-found is final). The peers that mark a
 *    timed-out order failed, or call it lost after N not-founds, lose real orders; this does neither.
 * 3. Fills accumulate: quantity, and the volume-weighted average price. A repeated trade id is ignored
 *    (EB_OSM_DUPLICATE): venues report a fill on more than one path. At most EB_OSM_TRADES_MAX distinct
 *    fills are remembered; one more is refused (EB_OSM_E_TRADES_FULL) and the caller resolves the order by
 *    a query, whose cumulative quantity covers every fill.
 * 4. A query may run ahead of the events (it reports a fill whose event has not arrived). The order keeps
 *    both views: the sum of the fill events and the query's cumulative quantity; filled_qty is the larger
 *    and avg_price that view's average. A late event the query already counted only catches the sum up,
 *    and a query behind the events never lowers filled_qty.
 * 5. Terminal states stay terminal. Filled stays filled. Rejected stays rejected. Cancelled stays
 *    cancelled, but a fill event (or a query of the cancelled order with more filled) after the cancel ack
 *    is accepted and accounted: venues do report fills that raced the cancel (the trade executed before
 *    the cancel took effect), and the position it made is real. The state says the order is closed; the
 *    filled quantity says what it did. A fill after rejected cannot be this venue's normal behaviour: it is
 *    a fault (rule 6).
 * 6. filled_qty never exceeds qty. A venue reporting more (by fills or by a query), or a fill or a query
 *    finding an order taken as rejected, sets `fault`, returns EB_OSM_FAULT and changes nothing else: the
 *    operator has to look, so it is neither clamped nor ignored. A faulted order refuses every later event
 *    (EB_OSM_E_FAULTED).
 * 7. Every refused event returns a distinct status (EB_OSM_E_*) and leaves the order byte for byte as it
 *    was: eb_osm_apply works on a copy and writes it back only when it accepts.
 *
 * What each state accepts (everything else is refused; docs/live-trading.md lists the statuses):
 *   intent: sent -> sent; timeout/5xx/-1007 -> unknown (sent_ms = now)
 *   sent: ack -> acknowledged; fill -> partially_filled|filled; cancel_ack -> cancelled; reject -> rejected;
 *         timeout/5xx/-1007 -> unknown; query found -> its state; not_found -> rejected after the window
 *   acknowledged, partially_filled: as sent, but reject and not_found are refused (the venue held it);
 *         a timeout (of a cancel, a query) -> unknown
 *   unknown: ack, cancel_ack, a completing fill and queries leave it; a partial fill is only accounted;
 *         reject is refused; a timeout keeps it unknown and sets the next query
 *   filled, cancelled: fills are accounted, and a query confirming the state (cancelled: with more filled)
 *   rejected: nothing; a fill, or a query finding the order, is a fault */
#ifndef EB_CORE_ORDER_SM_H
#define EB_CORE_ORDER_SM_H

#include "core/order_state.h"
#include "core/time_ms.h"

#include <stdint.h>

#define EB_OSM_TRADES_MAX 32
#define EB_OSM_ID_MAX 39 /* venue order ids and trade ids (Binance: int64 decimal; KuCoin: 24 hex) */

typedef enum {
    EB_OSM_EV_SENT = 0,      /* the request left (now_ms: the timestamp it was signed with) */
    EB_OSM_EV_ACK,           /* the venue holds it: venue_id */
    EB_OSM_EV_FILL,          /* one fill: trade_id, qty, price */
    EB_OSM_EV_CANCEL_ACK,    /* the venue cancelled it (or expired it) */
    EB_OSM_EV_REJECT,        /* the venue refused the request: code */
    EB_OSM_EV_TIMEOUT,       /* no answer in time */
    EB_OSM_EV_HTTP_5XX,      /* code: the HTTP status, 500..599 */
    EB_OSM_EV_EXEC_UNKNOWN,  /* Binance -1007: "execution status unknown" */
    EB_OSM_EV_QUERY_FOUND,   /* a query by client id found it: venue, qty (cumulative), price (average) */
    EB_OSM_EV_QUERY_NOT_FOUND, /* a query by client id did not (Binance -2013) */
    EB_OSM_EV_COUNT
} eb_osm_event_kind_t;

/* The venue's state of an order in a query result. */
typedef enum { EB_OSM_VENUE_OPEN = 0, EB_OSM_VENUE_FILLED, EB_OSM_VENUE_CANCELLED, EB_OSM_VENUE_REJECTED, EB_OSM_VENUE_COUNT } eb_osm_venue_t;

typedef struct {
    eb_osm_event_kind_t kind;
    int64_t now_ms;
    const char *venue_id;  /* ACK */
    const char *trade_id;  /* FILL */
    double qty, price;     /* FILL: this fill; QUERY_FOUND: cumulative filled and its average (any if qty 0) */
    int code;              /* REJECT: the venue's code; HTTP_5XX: the status */
    eb_osm_venue_t venue;  /* QUERY_FOUND */
} eb_osm_event_t;

/* OVERFILL: more filled than the order's quantity. HELD_AFTER_REJECT: a fill, or a query that finds the
 * order, after it was taken as rejected. */
typedef enum { EB_OSM_FAULT_NONE = 0, EB_OSM_FAULT_OVERFILL, EB_OSM_FAULT_HELD_AFTER_REJECT, EB_OSM_FAULT_COUNT } eb_osm_fault_t;

typedef enum {
    EB_OSM_OK = 0,
    EB_OSM_DUPLICATE,            /* a trade id (or an ack) seen before: nothing changed (idempotent) */
    EB_OSM_QUERY_LATER,          /* not found, but it may still appear: ask again at next_query_ms */
    EB_OSM_FAULT,                /* the venue contradicts the order (fault set): the operator must look */
    /* refusals: the order is left unchanged */
    EB_OSM_E_ARG,                /* malformed event (kind, time, ids, qty, price, code, venue state) */
    EB_OSM_E_FAULTED,            /* the order has a fault */
    EB_OSM_E_NOT_SENT,           /* an event from the venue for an order that has not left */
    EB_OSM_E_ALREADY_SENT,       /* sent twice */
    EB_OSM_E_TERMINAL,           /* would move a terminal order */
    EB_OSM_E_UNKNOWN_REJECT,     /* a reject while unknown: only a query resolves it */
    EB_OSM_E_REJECT_HELD,        /* a reject after the venue acknowledged or filled the order */
    EB_OSM_E_NOT_FOUND_HELD,     /* not found although the venue acknowledged or filled it */
    EB_OSM_E_QUERY_INCONSISTENT, /* a query result that contradicts itself or the fills already seen */
    EB_OSM_E_VENUE_ID_MISMATCH,  /* an ack with another venue id than the one known */
    EB_OSM_E_TRADES_FULL,        /* one distinct fill more than EB_OSM_TRADES_MAX */
    EB_OSM_STATUS_COUNT
} eb_osm_status_t;

typedef struct {
    int64_t recv_window_ms;    /* the recvWindow the requests are signed with (Binance default 5000) */
    int64_t margin_ms;         /* added to it before a not-found is final (clock uncertainty, venue lag) */
    int64_t query_interval_ms; /* how soon to query an unknown order again */
} eb_osm_params_t;

typedef struct {
    eb_order_state_t state;
    eb_osm_fault_t fault;
    eb_osm_params_t p;
    double qty;                          /* the order's quantity */
    double filled_qty, avg_price;        /* the larger view (rule 4); avg_price 0 until a fill */
    double ev_qty, ev_notional;          /* the sum of the fill events, and of qty * price */
    double query_qty, query_avg;         /* the latest query's cumulative quantity and average */
    int64_t sent_ms;                     /* -1 until sent (or turned unknown from intent) */
    int64_t next_query_ms;               /* unknown, or sent after a not-found: when to query; else -1 */
    int reject_code;                     /* the venue's code of a reject; 0 otherwise */
    char venue_id[EB_OSM_ID_MAX + 1];
    int n_trades;
    char trades[EB_OSM_TRADES_MAX][EB_OSM_ID_MAX + 1];
} eb_osm_t;

/* Defaults: recvWindow 5000 ms, margin 2000 ms, query every 1000 ms. */
void eb_osm_params_default(eb_osm_params_t *p);
/* A new order in state intent. -1 (o zeroed) when qty is not finite and > 0 or a parameter is out of
 * range (recv_window_ms 1..60000, the most Binance accepts; margin_ms 0..3600000; query_interval_ms
 * 1..3600000). */
int eb_osm_init(eb_osm_t *o, double qty, const eb_osm_params_t *p);
/* Applies one event; see the rules above. */
eb_osm_status_t eb_osm_apply(eb_osm_t *o, const eb_osm_event_t *ev);
/* 1 for the EB_OSM_E_* statuses (the order was left unchanged). */
int eb_osm_refused(eb_osm_status_t s);

const char *eb_osm_event_name(eb_osm_event_kind_t k);
const char *eb_osm_venue_name(eb_osm_venue_t v);
const char *eb_osm_fault_name(eb_osm_fault_t f);
const char *eb_osm_status_name(eb_osm_status_t s);

#endif
