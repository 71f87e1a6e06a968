/* The kill switch (SPEC section 9). The physical button always wins:
 *
 * - the line is opened first thing after the config, so from then on every edge is queued (by the kernel,
 *   or by the simulation's event file) with its time, and none is lost while start-up is busy;
 * - edges, the level read now and the passing of time go through the debounce and latch of
 *   hal/logic/button.h, in time order, on every GPIO wake-up, every 50 ms, and between start-up steps;
 * - the disarm reason is derived from the button's state wherever it is read (status.h), so the two can
 *   never disagree: the first raw edge of a press disarms, the debounced press latches;
 * - a latch cancels the open entry orders, flattens every position (by default) and is journalled in one
 *   transaction; until that transaction is on disk it is retried, and the daemon trades nothing meanwhile;
 * - a line that cannot be read is a latched fault with its own reason (kill_switch_fault), logged and
 *   journalled, that clears only by the re-arm rule (released, then a long press, or the API);
 * - only a release plus a long press (or the API) re-arms. */
#ifndef EB_APP_DAEMON_KILL_H
#define EB_APP_DAEMON_KILL_H

#include "app/daemon/internal.h"

/* Start-up step "gpio": every line requested, edges queued from now. 0, or -1 with err. */
int eb_dkill_open(eb_daemon_t *d, char *err, size_t cap);
/* Start-up step "kill switch": the latch from the journal, the level read at open and the edges since.
 * 0, or -1 with err (the journal's latch unreadable). */
int eb_dkill_init(eb_daemon_t *d, char *err, size_t cap);
/* Takes queued edges and the current level, lets time pass, acts on what happened. Called from the GPIO
 * descriptor, the 50 ms timer and between start-up steps. */
void eb_dkill_service(eb_daemon_t *d);
/* From now on a latch may cancel and flatten (the journal's positions are resumed). A latch that happened
 * before (a button held at start-up, a press during start-up) is acted on at once. */
void eb_dkill_enable_halt(eb_daemon_t *d);
/* Writes what the journal lacks: a latch not yet on disk (with its halt) or a re-arm. recover.c calls it
 * after the re-run bars. */
void eb_dkill_settle(eb_daemon_t *d);
/* Once per loop iteration, before anything else: acts when a debounce or long-press deadline has come
 * (no I/O otherwise). Returns the ms until the next deadline (for the loop's wait), INT32_MAX for none. */
int eb_dkill_tick(eb_daemon_t *d, int64_t now_mono_ms);
/* Before every trading decision: an edge still waiting on the line's descriptor (the loop may run the bar
 * before the descriptor's turn in the same pass) is taken now, so no decision is made on a stale level.
 * One poll(2) with no wait when nothing is pending. */
void eb_dkill_before_decision(eb_daemon_t *d);
/* The API's re-arm (api_routes.c), under the button's own rule: latched and released now (a pressed, held
 * or unreadable line refuses). Journalled like a long press, naming `by`. Returns EB_BUTTON_REARM_*. */
int eb_dkill_rearm(eb_daemon_t *d, const char *by);
void eb_dkill_on_gpio(void *ctx, int fd, short revents);
void eb_dkill_close(eb_daemon_t *d);

#endif
