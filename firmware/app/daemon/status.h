/* What the daemon shows: the arming set (the engine's own reasons, such as the breakers, plus those owned
 * outside it), journalled on every change; systemd's STATUS= line; the three LEDs.
 *
 * The kill switch's reasons are not stored anywhere: they are computed from the button's state each time
 * they are read (latched or pressed: kill_switch; unreadable line: kill_switch_fault), so the state and the
 * reason cannot disagree, in any order of events. */
#ifndef EB_APP_DAEMON_STATUS_H
#define EB_APP_DAEMON_STATUS_H

#include "app/daemon/internal.h"

/* The reasons owned outside the engine: d->external plus the kill switch's. */
eb_arming_t eb_dstatus_external(const eb_daemon_t *d);
/* Everything: the engine's reasons and the external ones (before the pipeline exists, the external ones). */
eb_arming_t eb_dstatus_arming(const eb_daemon_t *d);
/* Hands the external reasons (the button, the operator, faults) to the engine, so the LEDs see them. */
void eb_dstatus_sync(eb_daemon_t *d);
/* Syncs the external reasons to the engine, journals a change of the set, refreshes STATUS=. */
void eb_dstatus_update(eb_daemon_t *d);
void eb_dstatus_line(eb_daemon_t *d);
void eb_dstatus_leds(eb_daemon_t *d, int64_t now_ms);

#endif
