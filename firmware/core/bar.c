#include "core/bar.h"

#include <math.h>

eb_bar_status_t eb_bar_check(const eb_bar_t *b)
{
    if (!isfinite(b->open) || !isfinite(b->high) || !isfinite(b->low) || !isfinite(b->close) ||
        !isfinite(b->volume))
        return EB_BAR_NOT_FINITE;
    if (b->open <= 0 || b->high <= 0 || b->low <= 0 || b->close <= 0)
        return EB_BAR_NON_POSITIVE;
    if (b->high < b->low)
        return EB_BAR_HIGH_BELOW_LOW;
    if (b->open < b->low || b->open > b->high || b->close < b->low || b->close > b->high)
        return EB_BAR_OUTSIDE_RANGE;
    if (b->volume < 0)
        return EB_BAR_NEGATIVE_VOLUME;
    return EB_BAR_OK;
}

const char *eb_bar_status_field(eb_bar_status_t s)
{
    switch (s) {
    case EB_BAR_OK: return "";
    case EB_BAR_NOT_FINITE: return "open/high/low/close/volume";
    case EB_BAR_NON_POSITIVE: return "open/high/low/close";
    case EB_BAR_HIGH_BELOW_LOW: return "high";
    case EB_BAR_OUTSIDE_RANGE: return "open/close";
    case EB_BAR_NEGATIVE_VOLUME: return "volume";
    }
    return "?";
}

const char *eb_bar_status_text(eb_bar_status_t s)
{
    switch (s) {
    case EB_BAR_OK: return "ok";
    case EB_BAR_NOT_FINITE: return "a value is not a finite number";
    case EB_BAR_NON_POSITIVE: return "prices must be > 0";
    case EB_BAR_HIGH_BELOW_LOW: return "high is below low";
    case EB_BAR_OUTSIDE_RANGE: return "open and close must lie within [low, high]";
    case EB_BAR_NEGATIVE_VOLUME: return "volume is negative";
    }
    return "unknown";
}
