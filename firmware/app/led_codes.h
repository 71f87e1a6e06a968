/* Which blink code the alarm LED shows for a set of disarm reasons (docs/leds.md, "Blink codes"). The
 * LED patterns themselves are hal's (hal/logic/leds.h), which knows no trading; the choice of code per
 * reason is made here, by a table keyed by reason, not by the enum's order. */
#ifndef EB_APP_LED_CODES_H
#define EB_APP_LED_CODES_H

#include "core/arming.h"

/* The code of one reason: 1..10, or 0 for the reasons shown another way (kill_switch: its own fast blink;
 * starting: the heartbeat; kill_switch_fault: steady on, as an error). */
int eb_led_code(eb_disarm_reason_t r);
/* The code the alarm shows for the set: that of the highest-priority reason present that has one (the
 * lowest code wins), 0 when none has. */
int eb_led_code_for(eb_arming_t m);

#endif
