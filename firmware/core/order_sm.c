#include "core/order_sm.h"

#include "core/name_table.h"

#include <math.h>
#include <string.h>

static const char *const event_names[] = {
    [EB_OSM_EV_SENT] = "sent",
    [EB_OSM_EV_ACK] = "ack",
    [EB_OSM_EV_FILL] = "fill",
    [EB_OSM_EV_CANCEL_ACK] = "cancel_ack",
    [EB_OSM_EV_REJECT] = "reject",
    [EB_OSM_EV_TIMEOUT] = "timeout",
    [EB_OSM_EV_HTTP_5XX] = "http_5xx",
    [EB_OSM_EV_EXEC_UNKNOWN] = "exec_unknown",
    [EB_OSM_EV_QUERY_FOUND] = "query_found",
    [EB_OSM_EV_QUERY_NOT_FOUND] = "query_not_found",
};
_Static_assert(sizeof event_names / sizeof event_names[0] == EB_OSM_EV_COUNT, "a name for every order event");

static const char *const venue_names[] = {
    [EB_OSM_VENUE_OPEN] = "open",
    [EB_OSM_VENUE_FILLED] = "filled",
    [EB_OSM_VENUE_CANCELLED] = "cancelled",
    [EB_OSM_VENUE_REJECTED] = "rejected",
};
_Static_assert(sizeof venue_names / sizeof venue_names[0] == EB_OSM_VENUE_COUNT, "a name for every venue state");

static const char *const fault_names[] = {
    [EB_OSM_FAULT_NONE] = "none",
    [EB_OSM_FAULT_OVERFILL] = "overfill",
    [EB_OSM_FAULT_HELD_AFTER_REJECT] = "held_after_reject",
};
_Static_assert(sizeof fault_names / sizeof fault_names[0] == EB_OSM_FAULT_COUNT, "a name for every order fault");

static const char *const status_names[] = {
    [EB_OSM_OK] = "ok",
    [EB_OSM_DUPLICATE] = "duplicate",
    [EB_OSM_QUERY_LATER] = "query_later",
    [EB_OSM_FAULT] = "fault",
    [EB_OSM_E_ARG] = "bad_event",
    [EB_OSM_E_FAULTED] = "faulted",
    [EB_OSM_E_NOT_SENT] = "not_sent",
    [EB_OSM_E_ALREADY_SENT] = "already_sent",
    [EB_OSM_E_TERMINAL] = "terminal",
    [EB_OSM_E_UNKNOWN_REJECT] = "unknown_reject",
    [EB_OSM_E_REJECT_HELD] = "reject_held",
    [EB_OSM_E_NOT_FOUND_HELD] = "not_found_held",
    [EB_OSM_E_QUERY_INCONSISTENT] = "query_inconsistent",
    [EB_OSM_E_VENUE_ID_MISMATCH] = "venue_id_mismatch",
    [EB_OSM_E_TRADES_FULL] = "trades_full",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == EB_OSM_STATUS_COUNT, "a name for every order status");

const char *eb_osm_event_name(eb_osm_event_kind_t k) { return EB_NAME_AT(event_names, k); }
const char *eb_osm_venue_name(eb_osm_venue_t v) { return EB_NAME_AT(venue_names, v); }
const char *eb_osm_fault_name(eb_osm_fault_t f) { return EB_NAME_AT(fault_names, f); }
const char *eb_osm_status_name(eb_osm_status_t s) { return EB_NAME_AT(status_names, s); }

int eb_osm_refused(eb_osm_status_t s) { return s >= EB_OSM_E_ARG && s < EB_OSM_STATUS_COUNT; }

void eb_osm_params_default(eb_osm_params_t *p)
{
    p->recv_window_ms = 5000;
    p->margin_ms = 2000;
    p->query_interval_ms = 1000;
}

int eb_osm_init(eb_osm_t *o, double qty, const eb_osm_params_t *p)
{
    memset(o, 0, sizeof *o);
    if (!p || !isfinite(qty) || !(qty > 0) || p->recv_window_ms < 1 || p->recv_window_ms > 60000 || p->margin_ms < 0 ||
        p->margin_ms > 3600000 || p->query_interval_ms < 1 || p->query_interval_ms > 3600000)
        return -1;
    o->state = EB_ORDER_INTENT;
    o->p = *p;
    o->qty = qty;
    o->sent_ms = -1;
    o->next_query_ms = -1;
    return 0;
}

/* Quantities are doubles from decimal strings: "all of it" and "more than all" allow a relative 1e-9, as
 * the journal's check does. */
static int full(const eb_osm_t *o, double q) { return q >= o->qty * (1 - 1e-9); }
static int over(const eb_osm_t *o, double q) { return q > o->qty * (1 + 1e-9); }

static int id_ok(const char *s) { return s && s[0] && strlen(s) <= EB_OSM_ID_MAX; }

/* The venue has shown it holds (or held) the order. */
static int held(const eb_osm_t *o) { return o->venue_id[0] || o->filled_qty > 0; }

static void refresh_view(eb_osm_t *o)
{
    if (o->ev_qty >= o->query_qty) {
        o->filled_qty = o->ev_qty;
        o->avg_price = o->ev_qty > 0 ? o->ev_notional / o->ev_qty : 0;
    } else {
        o->filled_qty = o->query_qty;
        o->avg_price = o->query_avg;
    }
}

static void set_state(eb_osm_t *o, eb_order_state_t s)
{
    o->state = s;
    if (s != EB_ORDER_UNKNOWN)
        o->next_query_ms = -1;
}

/* The state an open order is in by its fills. */
static eb_order_state_t open_state(const eb_osm_t *o)
{
    return full(o, o->filled_qty) ? EB_ORDER_FILLED : o->filled_qty > 0 ? EB_ORDER_PARTIALLY_FILLED : EB_ORDER_ACKNOWLEDGED;
}

static eb_osm_status_t fault(eb_osm_t *o, eb_osm_fault_t f)
{
    o->fault = f;
    return EB_OSM_FAULT;
}

static eb_osm_status_t on_ack(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (!id_ok(ev->venue_id))
        return EB_OSM_E_ARG;
    if (o->venue_id[0] && strcmp(o->venue_id, ev->venue_id) != 0)
        return EB_OSM_E_VENUE_ID_MISMATCH;
    if (eb_order_state_terminal(o->state))
        return EB_OSM_E_TERMINAL;
    if (o->venue_id[0]) /* a repeat says nothing new, least of all about an unknown order */
        return EB_OSM_DUPLICATE;
    memcpy(o->venue_id, ev->venue_id, strlen(ev->venue_id) + 1);
    /* A late ack after fills keeps partially_filled; from sent or unknown it is the venue's word. */
    set_state(o, open_state(o));
    return EB_OSM_OK;
}

static eb_osm_status_t on_fill(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (!id_ok(ev->trade_id) || !isfinite(ev->qty) || !(ev->qty > 0) || !isfinite(ev->price) || !(ev->price > 0))
        return EB_OSM_E_ARG;
    for (int i = 0; i < o->n_trades; i++)
        if (strcmp(o->trades[i], ev->trade_id) == 0)
            return EB_OSM_DUPLICATE;
    if (o->state == EB_ORDER_REJECTED)
        return fault(o, EB_OSM_FAULT_HELD_AFTER_REJECT);
    if (over(o, o->ev_qty + ev->qty))
        return fault(o, EB_OSM_FAULT_OVERFILL);
    if (o->n_trades == EB_OSM_TRADES_MAX)
        return EB_OSM_E_TRADES_FULL;
    memcpy(o->trades[o->n_trades++], ev->trade_id, strlen(ev->trade_id) + 1);
    o->ev_qty += ev->qty;
    o->ev_notional += ev->qty * ev->price;
    refresh_view(o);
    /* Filled and cancelled only account the fill (rule 5); unknown leaves only when nothing can rest. */
    if (eb_order_state_terminal(o->state))
        return EB_OSM_OK;
    if (o->state != EB_ORDER_UNKNOWN || full(o, o->filled_qty))
        set_state(o, open_state(o));
    return EB_OSM_OK;
}

static eb_osm_status_t on_cancel_ack(eb_osm_t *o)
{
    if (eb_order_state_terminal(o->state))
        return EB_OSM_E_TERMINAL;
    set_state(o, EB_ORDER_CANCELLED);
    return EB_OSM_OK;
}

static eb_osm_status_t on_reject(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (ev->code == 0)
        return EB_OSM_E_ARG;
    if (eb_order_state_terminal(o->state))
        return EB_OSM_E_TERMINAL;
    if (o->state == EB_ORDER_UNKNOWN)
        return EB_OSM_E_UNKNOWN_REJECT;
    if (o->state != EB_ORDER_SENT) /* acknowledged or partially filled: the venue held it */
        return EB_OSM_E_REJECT_HELD;
    o->reject_code = ev->code;
    set_state(o, EB_ORDER_REJECTED);
    return EB_OSM_OK;
}

static eb_osm_status_t on_outcome_unknown(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (ev->kind == EB_OSM_EV_HTTP_5XX && (ev->code < 500 || ev->code > 599))
        return EB_OSM_E_ARG;
    if (eb_order_state_terminal(o->state))
        return EB_OSM_E_TERMINAL;
    /* A box that died around the send: the request, if it left, was signed before now. */
    if (o->state == EB_ORDER_INTENT)
        o->sent_ms = ev->now_ms;
    o->state = EB_ORDER_UNKNOWN;
    o->next_query_ms = ev->now_ms + o->p.query_interval_ms;
    return EB_OSM_OK;
}

/* A query result that contradicts itself, or the fills already seen. */
static int query_consistent(const eb_osm_t *o, const eb_osm_event_t *ev)
{
    switch (ev->venue) {
    case EB_OSM_VENUE_FILLED:
        return full(o, ev->qty);
    case EB_OSM_VENUE_OPEN:
    case EB_OSM_VENUE_CANCELLED:
        return !full(o, ev->qty);
    case EB_OSM_VENUE_REJECTED:
        return ev->qty == 0 && !held(o);
    default:
        return 0;
    }
}

static eb_osm_status_t on_found(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if ((unsigned)ev->venue >= EB_OSM_VENUE_COUNT || !isfinite(ev->qty) || ev->qty < 0 ||
        (ev->qty > 0 && (!isfinite(ev->price) || !(ev->price > 0))))
        return EB_OSM_E_ARG;
    if (o->state == EB_ORDER_REJECTED)
        return ev->venue == EB_OSM_VENUE_REJECTED ? EB_OSM_E_TERMINAL : fault(o, EB_OSM_FAULT_HELD_AFTER_REJECT);
    if (over(o, ev->qty))
        return fault(o, EB_OSM_FAULT_OVERFILL);
    if (!query_consistent(o, ev))
        return EB_OSM_E_QUERY_INCONSISTENT;
    /* Terminal: a query may only confirm the state, adding fills to a cancelled order (rule 5). */
    if ((o->state == EB_ORDER_FILLED && ev->venue != EB_OSM_VENUE_FILLED) ||
        (o->state == EB_ORDER_CANCELLED && ev->venue != EB_OSM_VENUE_CANCELLED))
        return EB_OSM_E_TERMINAL;
    if (ev->qty > o->query_qty) { /* an answer behind an earlier one never lowers it */
        o->query_qty = ev->qty;
        o->query_avg = ev->price;
    }
    refresh_view(o);
    switch (ev->venue) { /* a terminal order only gets its own state again (checked above) */
    case EB_OSM_VENUE_OPEN:
        set_state(o, open_state(o));
        break;
    case EB_OSM_VENUE_FILLED:
        set_state(o, EB_ORDER_FILLED);
        break;
    case EB_OSM_VENUE_CANCELLED:
        set_state(o, EB_ORDER_CANCELLED);
        break;
    default:
        set_state(o, EB_ORDER_REJECTED);
        break;
    }
    return EB_OSM_OK;
}

static eb_osm_status_t on_not_found(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (eb_order_state_terminal(o->state))
        return EB_OSM_E_TERMINAL;
    if (o->state != EB_ORDER_SENT && o->state != EB_ORDER_UNKNOWN)
        return EB_OSM_E_NOT_FOUND_HELD;
    if (held(o))
        return EB_OSM_E_NOT_FOUND_HELD;
    /* Rule 2: final only when the venue would refuse the request as too old. */
    int64_t final_ms = o->sent_ms + o->p.recv_window_ms + o->p.margin_ms;
    if (ev->now_ms > final_ms) {
        set_state(o, EB_ORDER_REJECTED);
        return EB_OSM_OK;
    }
    int64_t next = ev->now_ms + o->p.query_interval_ms;
    o->next_query_ms = next < final_ms + 1 ? next : final_ms + 1;
    return EB_OSM_QUERY_LATER;
}

static eb_osm_status_t step(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (ev->now_ms < 0 || ev->now_ms > EB_TIME_MS_MAX)
        return EB_OSM_E_ARG;
    if (o->fault != EB_OSM_FAULT_NONE)
        return EB_OSM_E_FAULTED;
    if (o->state == EB_ORDER_INTENT) {
        if (ev->kind == EB_OSM_EV_SENT) {
            o->sent_ms = ev->now_ms;
            o->state = EB_ORDER_SENT;
            return EB_OSM_OK;
        }
        if (ev->kind == EB_OSM_EV_TIMEOUT || ev->kind == EB_OSM_EV_HTTP_5XX || ev->kind == EB_OSM_EV_EXEC_UNKNOWN)
            return on_outcome_unknown(o, ev);
        return (unsigned)ev->kind < EB_OSM_EV_COUNT ? EB_OSM_E_NOT_SENT : EB_OSM_E_ARG;
    }
    switch (ev->kind) {
    case EB_OSM_EV_SENT:
        return EB_OSM_E_ALREADY_SENT;
    case EB_OSM_EV_ACK:
        return on_ack(o, ev);
    case EB_OSM_EV_FILL:
        return on_fill(o, ev);
    case EB_OSM_EV_CANCEL_ACK:
        return on_cancel_ack(o);
    case EB_OSM_EV_REJECT:
        return on_reject(o, ev);
    case EB_OSM_EV_TIMEOUT:
    case EB_OSM_EV_HTTP_5XX:
    case EB_OSM_EV_EXEC_UNKNOWN:
        return on_outcome_unknown(o, ev);
    case EB_OSM_EV_QUERY_FOUND:
        return on_found(o, ev);
    case EB_OSM_EV_QUERY_NOT_FOUND:
        return on_not_found(o, ev);
    default:
        return EB_OSM_E_ARG;
    }
}

eb_osm_status_t eb_osm_apply(eb_osm_t *o, const eb_osm_event_t *ev)
{
    if (!o || !ev)
        return EB_OSM_E_ARG;
    /* Rule 7: work on a copy, so a refusal can never leave half an update behind. */
    eb_osm_t next = *o;
    eb_osm_status_t s = step(&next, ev);
    if (!eb_osm_refused(s))
        *o = next;
    return s;
}
