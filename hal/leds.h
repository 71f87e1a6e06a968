/* The three status LEDs as a pure function of the daemon's state and the time (no I/O; the main loop
 * writes the result with eb_gpio_set every ~50 ms). Patterns are documented in docs/leds.md; a test
 * checks that table against this code.
 *
 *   heartbeat  the main loop is alive: a 100 ms flash every second; flickering at 4 Hz while starting
 *              (reason `starting` set). A heartbeat stuck on or off means the loop is hung.
 *   mode       paper: slow blink (1 s on, 1 s off); live: steady on.
 *   alarm      in priority order: kill switch latched: fast blink (5 Hz); kill switch long press complete:
 *              off (release now to re-arm); error: steady on; another disarm reason: blink code, N short
 *              flashes then a pause, N = the reason's number in core/arming.h (the highest-priority
 *              reason present); armed: off. */
#ifndef EB_HAL_LEDS_H
#define EB_HAL_LEDS_H

#include "core/arming.h"
#include "hal/button.h"

#include <stdint.h>

typedef struct {
    eb_arming_t disarm;   /* the disarm reasons (core/arming.h) */
    eb_kill_state_t kill; /* the kill-switch latch (hal/button.h) */
    int live;             /* 1 live trading, 0 paper */
    int error;            /* a fault needing the operator (e.g. journal refused, GPIO read failure) */
} eb_leds_input_t;

typedef struct {
    int heartbeat, mode, alarm; /* 1 = on */
} eb_leds_t;

/* Blink-code timing (a flash is BLINK_ON_MS on, then off until BLINK_SLOT_MS; a pause ends the frame). */
#define EB_LEDS_BLINK_ON_MS 150
#define EB_LEDS_BLINK_SLOT_MS 500
#define EB_LEDS_BLINK_PAUSE_MS 1500

eb_leds_t eb_leds_compute(const eb_leds_input_t *in, int64_t now_ms);
/* The number of flashes the alarm LED shows for the state, 0 when it shows no blink code. */
int eb_leds_blink_code(const eb_leds_input_t *in);

#endif
