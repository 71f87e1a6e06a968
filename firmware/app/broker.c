#include "app/broker.h"

#include "core/name_table.h"

static const char *const event_names[] = {
    [EB_BROKER_EV_ACCEPTED] = "accepted",
    [EB_BROKER_EV_FILLED] = "filled",
    [EB_BROKER_EV_CANCELLED] = "cancelled",
    [EB_BROKER_EV_REJECTED] = "rejected",
};
_Static_assert(sizeof event_names / sizeof event_names[0] == EB_BROKER_EV_COUNT, "a name for every broker event");

const char *eb_broker_event_name(eb_broker_event_kind_t k)
{
    return EB_NAME_AT(event_names, k);
}
