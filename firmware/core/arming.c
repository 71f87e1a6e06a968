#include "core/arming.h"

#include "core/name_table.h"

#include <string.h>

static const char *const reason_names[] = {
    [EB_DISARM_KILL_SWITCH] = "kill_switch",
    [EB_DISARM_MASTER_SWITCH] = "master_switch",
    [EB_DISARM_BREAKER_DAILY] = "breaker_daily",
    [EB_DISARM_BREAKER_WEEKLY] = "breaker_weekly",
    [EB_DISARM_BREAKER_MONTHLY] = "breaker_monthly",
    [EB_DISARM_STALE_DATA] = "stale_data",
    [EB_DISARM_NO_MODEL] = "no_model",
    [EB_DISARM_UNRECONCILED] = "unreconciled",
    [EB_DISARM_CLOCK] = "clock",
    [EB_DISARM_JOURNAL] = "journal",
    [EB_DISARM_NOT_PROMOTED] = "not_promoted",
    [EB_DISARM_STARTING] = "starting",
    [EB_DISARM_KILL_SWITCH_FAULT] = "kill_switch_fault",
};
_Static_assert(sizeof reason_names / sizeof reason_names[0] == EB_DISARM_COUNT, "a name for every disarm reason");

const char *eb_disarm_reason_name(eb_disarm_reason_t r) { return EB_NAME_AT(reason_names, r); }

int eb_disarm_reason_from_name(const char *name, eb_disarm_reason_t *r)
{
    int i = EB_NAME_FIND(reason_names, name);
    if (i >= 0 && r)
        *r = (eb_disarm_reason_t)i;
    return i >= 0 ? 0 : -1;
}

size_t eb_arming_format(eb_arming_t m, char *buf, size_t cap)
{
    size_t need = 0, used = 0;
    int truncated = 0;
    if (buf && cap > 0)
        buf[0] = '\0';
    for (int i = 0; i < (int)EB_DISARM_COUNT; i++) {
        if (!(m & EB_DISARM_BIT(i)))
            continue;
        size_t len = strlen(reason_names[i]) + (need > 0 ? 1u : 0u);
        need += len;
        /* Whole reasons only: a half name would be a different, wrong label. */
        if (!truncated && buf && used + len < cap) {
            if (used > 0)
                buf[used++] = ',';
            memcpy(buf + used, reason_names[i], strlen(reason_names[i]) + 1u);
            used += strlen(reason_names[i]);
        } else {
            truncated = 1;
        }
    }
    return need;
}

eb_disarm_reason_t eb_arming_first(eb_arming_t m)
{
    for (int i = 0; i < (int)EB_DISARM_COUNT; i++)
        if (m & EB_DISARM_BIT(i))
            return (eb_disarm_reason_t)i;
    return EB_DISARM_COUNT;
}
