#include "core/stale.h"

int64_t eb_stale_age_ms(int64_t newest_open_ms, int64_t now_ms)
{
    if (newest_open_ms == EB_STALE_NO_BAR)
        return INT64_MAX;
    return now_ms - newest_open_ms;
}

int eb_stale_is_stale(int64_t newest_open_ms, int64_t interval_ms, int64_t grace_ms, int64_t now_ms)
{
    if (newest_open_ms == EB_STALE_NO_BAR || interval_ms <= 0)
        return 1;
    if (grace_ms < 0)
        grace_ms = 0;
    return eb_stale_age_ms(newest_open_ms, now_ms) > 2 * interval_ms + grace_ms;
}
