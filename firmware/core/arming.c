#include "core/arming.h"

#include <string.h>

static const char *const reason_names[EB_DISARM_COUNT] = {
    "kill_switch", "master_switch", "breaker_daily", "breaker_weekly", "breaker_monthly", "stale_data",
    "no_model", "unreconciled", "clock", "journal", "not_promoted", "starting",
};

const char *eb_disarm_reason_name(eb_disarm_reason_t r)
{
    if ((int)r < 0 || r >= EB_DISARM_COUNT)
        return NULL;
    return reason_names[r];
}

int eb_disarm_reason_from_name(const char *name, eb_disarm_reason_t *r)
{
    if (!name)
        return -1;
    for (int i = 0; i < (int)EB_DISARM_COUNT; i++) {
        if (strcmp(name, reason_names[i]) == 0) {
            if (r)
                *r = (eb_disarm_reason_t)i;
            return 0;
        }
    }
    return -1;
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
