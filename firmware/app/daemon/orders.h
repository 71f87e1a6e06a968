/* Orders between the engine and the broker (app/broker.h; paper for now). The engine's intents become
 * orders the daemon keeps by client id and hands to the broker; the broker's events (accepted, filled,
 * cancelled, rejected) come back and are applied to the engine at once. The journal rows for all of it,
 * every order state, fill and position change, are written after the bar's decision, in the bar's
 * transaction, in the order things happened: the decision does not wait on SQLite, and nothing reaches a
 * venue before the transaction holding its intent commits (eb_dorders_flush).
 *
 * Protective stops: the engine simulates them inside its step (paper mode), so no stop order goes to the
 * broker; the step's fill is journalled as the stop order's fill. */
#ifndef EB_APP_DAEMON_ORDERS_H
#define EB_APP_DAEMON_ORDERS_H

#include "app/daemon/internal.h"

/* The code's label in edgebox_exchange_errors_total: "rejected" (the venue refused an order it had
 * taken), "submit_failed" (it would not queue one), "cancel_failed". */
const char *eb_dorders_error_name(eb_dxerr_t code);
/* The broker over the engine's costs and lot rules (after the pipeline exists). */
void eb_dorders_init(eb_daemon_t *d);
/* The broker's events for this bar (NULL: between bars), applied to the engine. Returns how many fills. */
int eb_dorders_collect(eb_daemon_t *d, const eb_bar_t *bar);
/* The intents a bar's step produced, at bar time t: orders submitted, stop fills and stop moves noted. */
void eb_dorders_act(eb_daemon_t *d, const eb_intent_t *it, int n, int64_t t);
/* Writes what collect and act noted into the open transaction (journalled after the decision). */
void eb_dorders_journal(eb_daemon_t *d);
/* After a commit: the broker may transmit what it holds (a network broker sends only now). */
void eb_dorders_flush(eb_daemon_t *d);
/* The kill switch: entry orders not yet filled are cancelled (journalled with `why`). Returns how many. */
int eb_dorders_cancel_entries(eb_daemon_t *d, const char *why);
/* The kill switch, or the operator (POST /api/v1/flatten): exits still waiting are superseded and every
 * position is closed at once (the paper venue fills between bars at the last price it saw); `reason` is
 * the orders' journalled reason ("kill_switch", "operator_flatten"). Returns how many positions were closed. */
int eb_dorders_flatten(eb_daemon_t *d, int64_t t, const char *reason);

#endif
