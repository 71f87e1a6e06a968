/* The states of one order (DESIGN.md "Journal", docs/journal.md): the journal stores them by name and the
 * order state machine (core/order_sm.h) moves between them. They live in the core, below both, so the pure
 * state machine and the journal share one enum and one name table. */
#ifndef EB_CORE_ORDER_STATE_H
#define EB_CORE_ORDER_STATE_H

typedef enum {
    EB_ORDER_INTENT = 0,        /* committed before the request leaves */
    EB_ORDER_SENT,
    EB_ORDER_ACKNOWLEDGED,
    EB_ORDER_PARTIALLY_FILLED,
    EB_ORDER_FILLED,            /* terminal */
    EB_ORDER_CANCELLED,         /* terminal */
    EB_ORDER_REJECTED,          /* terminal */
    EB_ORDER_UNKNOWN,           /* timed out: resolved by querying the client id, never "failed" */
    EB_ORDER_STATE_COUNT
} eb_order_state_t;

const char *eb_order_state_name(eb_order_state_t s); /* "intent", "partially_filled", ...; NULL if invalid */
int eb_order_state_from_name(const char *name, eb_order_state_t *out);
int eb_order_state_terminal(eb_order_state_t s);

#endif
