/* The three status LEDs as a pure function of a few facts and the time (no I/O; the main loop writes the
 * result with eb_gpio_set every ~50 ms). Patterns are documented in docs/leds.md; a test checks that table
 * against this code. This file knows no trading: which blink code a disarm reason shows is the app's
 * choice (app/led_codes.h), handed in as a number.
 *
 *   heartbeat  the main loop is alive: a 100 ms flash every second; flickering at 4 Hz while starting.
 *              A heartbeat stuck on or off means the loop is hung.
 *   mode       paper: slow blink (1 s on, 1 s off); live: steady on.
 *   alarm      in priority order: kill switch latched: fast blink (5 Hz); kill switch long press complete:
 *              off (release now to re-arm); error: steady on; a blink code: N short flashes then a pause;
 *              else off. */
#ifndef EB_HAL_LOGIC_LEDS_H
#define EB_HAL_LOGIC_LEDS_H

#include "hal/logic/button.h"

#include <stdint.h>

typedef struct {
    int starting;         /* start-up not finished: the heartbeat flickers */
    eb_kill_state_t kill; /* the kill-switch latch (hal/logic/button.h) */
    int kill_disarmed;    /* the kill switch disarms (e.g. a raw press not yet debounced) */
    int error;            /* a fault needing the operator (journal, GPIO): steady on */
    int blink_code;       /* 0: none; N > 0: N flashes then a pause (at most EB_LEDS_BLINK_MAX) */
    int live;             /* 1 live trading, 0 paper */
} eb_leds_input_t;

typedef struct {
    int heartbeat, mode, alarm; /* 1 = on */
} eb_leds_t;

/* Blink-code timing (a flash is BLINK_ON_MS on, then off until BLINK_SLOT_MS; a pause ends the frame). */
#define EB_LEDS_BLINK_ON_MS 150
#define EB_LEDS_BLINK_SLOT_MS 500
#define EB_LEDS_BLINK_PAUSE_MS 1500
#define EB_LEDS_BLINK_MAX 15

eb_leds_t eb_leds_compute(const eb_leds_input_t *in, int64_t now_ms);
/* The number of flashes the alarm LED shows for the state, 0 when it shows no blink code (the kill switch
 * or an error outranks it). */
int eb_leds_blink_code(const eb_leds_input_t *in);

#endif
