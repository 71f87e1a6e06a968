#include "core/order_state.h"

#include "core/name_table.h"

static const char *const state_names[] = {
    [EB_ORDER_INTENT] = "intent",
    [EB_ORDER_SENT] = "sent",
    [EB_ORDER_ACKNOWLEDGED] = "acknowledged",
    [EB_ORDER_PARTIALLY_FILLED] = "partially_filled",
    [EB_ORDER_FILLED] = "filled",
    [EB_ORDER_CANCELLED] = "cancelled",
    [EB_ORDER_REJECTED] = "rejected",
    [EB_ORDER_UNKNOWN] = "unknown",
};
_Static_assert(sizeof state_names / sizeof state_names[0] == EB_ORDER_STATE_COUNT, "a name for every order state");

const char *eb_order_state_name(eb_order_state_t s) { return EB_NAME_AT(state_names, s); }

int eb_order_state_from_name(const char *name, eb_order_state_t *out)
{
    int i = EB_NAME_FIND(state_names, name);
    if (i >= 0)
        *out = (eb_order_state_t)i;
    return i >= 0 ? 0 : -1;
}

int eb_order_state_terminal(eb_order_state_t s)
{
    return s == EB_ORDER_FILLED || s == EB_ORDER_CANCELLED || s == EB_ORDER_REJECTED;
}
