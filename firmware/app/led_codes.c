#include "app/led_codes.h"

static const int codes[] = {
    [EB_DISARM_KILL_SWITCH] = 0,
    [EB_DISARM_MASTER_SWITCH] = 1,
    [EB_DISARM_BREAKER_DAILY] = 2,
    [EB_DISARM_BREAKER_WEEKLY] = 3,
    [EB_DISARM_BREAKER_MONTHLY] = 4,
    [EB_DISARM_STALE_DATA] = 5,
    [EB_DISARM_NO_MODEL] = 6,
    [EB_DISARM_UNRECONCILED] = 7,
    [EB_DISARM_CLOCK] = 8,
    [EB_DISARM_JOURNAL] = 9,
    [EB_DISARM_NOT_PROMOTED] = 10,
    [EB_DISARM_STARTING] = 0,
    [EB_DISARM_KILL_SWITCH_FAULT] = 0,
};
_Static_assert(sizeof codes / sizeof codes[0] == EB_DISARM_COUNT, "a blink code (or 0) for every disarm reason");

int eb_led_code(eb_disarm_reason_t r) { return (unsigned)r < EB_DISARM_COUNT ? codes[r] : 0; }

int eb_led_code_for(eb_arming_t m)
{
    int best = 0;
    for (int r = 0; r < (int)EB_DISARM_COUNT; r++) {
        int c = codes[r];
        if ((m & EB_DISARM_BIT(r)) && c > 0 && (best == 0 || c < best))
            best = c;
    }
    return best;
}
