/* The kill-switch button as pure logic (time comes in; no I/O): software debounce, normally-open or
 * normally-closed wiring, and the latch of SPEC section 9.
 *
 *   ARMED --press--> LATCHED_HELD --release--> LATCHED --press--> REARM_TIMING --held long_press_ms-->
 *   REARM_READY --release--> ARMED.   REARM_TIMING --release (too short)--> LATCHED.
 *   LATCHED --eb_button_rearm() (the authenticated API)--> ARMED.
 *
 * A press latches; releasing does not re-arm. Re-arming needs the button released AND an explicit act:
 * a long press that starts after the release and is itself released (so a held button can never re-arm),
 * or the API while the button is released. The press that latched never counts as the re-arm press.
 * Debounce: a level counts once it has held for debounce_ms without a change (bounces and glitches shorter
 * than that are ignored); the press is timed from its first stable sample, so the latch lands debounce_ms
 * after the contact settles. The caller samples on every GPIO edge and calls eb_button_tick() by
 * eb_button_deadline() so a settled level is noticed without a further edge.
 *
 * Times never run backwards inside the button: a sample older than the last one (an edge timestamped by
 * the kernel, read after a later tick) counts at the last time seen. A line that cannot be read is a
 * fault: it latches like a press (an unreadable button counts as pressed: fail safe) and clears only by
 * the re-arm rule, once the line reads again. */
#ifndef EB_HAL_BUTTON_H
#define EB_HAL_BUTTON_H

#include <stddef.h>
#include <stdint.h>

typedef enum { EB_BUTTON_NORMALLY_OPEN = 0, EB_BUTTON_NORMALLY_CLOSED = 1 } eb_button_wiring_t;

typedef struct {
    eb_button_wiring_t wiring; /* default normally open */
    int64_t debounce_ms;       /* 0..1000, default 20 */
    int64_t long_press_ms;     /* 500..60000 and > debounce_ms, default 3000 */
} eb_button_config_t;

typedef enum {
    EB_KILL_ARMED = 0,
    EB_KILL_LATCHED_HELD,  /* latched, the button is still down */
    EB_KILL_LATCHED,       /* latched, released: waiting for a long press or the API */
    EB_KILL_REARM_TIMING,  /* latched, a re-arm press is being timed */
    EB_KILL_REARM_READY,   /* latched, long press complete: releasing re-arms */
    EB_KILL_STATE_COUNT
} eb_kill_state_t;

/* Event bits returned by init/sample/tick. */
enum {
    EB_BUTTON_EV_PRESS = 1,        /* debounced press */
    EB_BUTTON_EV_RELEASE = 2,      /* debounced release */
    EB_BUTTON_EV_LATCHED = 4,      /* armed -> latched: disarm, cancel, flatten, journal */
    EB_BUTTON_EV_REARM_READY = 8,  /* the long press is long enough (LED feedback) */
    EB_BUTTON_EV_REARMED = 16,     /* latched -> armed (a fault is cleared with it): journal it */
    EB_BUTTON_EV_FAULT = 32        /* the line became unreadable: log and journal it */
};

typedef struct {
    eb_button_config_t cfg;
    eb_kill_state_t state;
    int raw, stable;                 /* 1 = pressed (wiring already applied) */
    int64_t raw_since, stable_since; /* when each last changed */
    int64_t last_ms;                 /* the latest time seen: earlier samples count at this time */
    int fault;                       /* the line could not be read since the last re-arm */
} eb_button_t;

eb_button_config_t eb_button_config_default(void);
/* 0, or -1 with a message naming the field, the value and the allowed range. */
int eb_button_config_check(const eb_button_config_t *c, char *err, size_t err_cap);

/* Start-up: `latched` comes from the journal, `level` is the line read before anything trades. A button
 * held down at start-up latches at once (no debounce history to wait for; failing safe). Returns events. */
int eb_button_init(eb_button_t *b, const eb_button_config_t *c, int latched, int level, int64_t now_ms);
/* A new physical level (0/1) read at now_ms. Returns event bits. */
int eb_button_sample(eb_button_t *b, int level, int64_t now_ms);
/* The line could not be read at now_ms: latched as a held press (LATCHED_HELD) with the fault flag set.
 * Returns EB_BUTTON_EV_FAULT on the first fault since a re-arm, plus EB_BUTTON_EV_LATCHED when it was armed. */
int eb_button_fault(eb_button_t *b, int64_t now_ms);
/* Time passes without a new level. Returns event bits. */
int eb_button_tick(eb_button_t *b, int64_t now_ms);
/* When tick() next has something to decide (INT64_MAX: nothing pending). */
int64_t eb_button_deadline(const eb_button_t *b);

enum { EB_BUTTON_REARM_OK = 0, EB_BUTTON_REARM_NOT_LATCHED = -1, EB_BUTTON_REARM_PRESSED = -2 };
/* The API re-arm: only while latched and the button is (and reads) released; clears a fault too. */
int eb_button_rearm(eb_button_t *b);

int eb_button_latched(const eb_button_t *b);
int eb_button_pressed(const eb_button_t *b); /* debounced */
int eb_button_faulted(const eb_button_t *b); /* a read fault not yet cleared by a re-arm */
eb_kill_state_t eb_button_state(const eb_button_t *b);
const char *eb_kill_state_name(eb_kill_state_t s); /* "armed", "latched_held", "latched", ... */

#endif
