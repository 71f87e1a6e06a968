/* The bar source "replay": bars from a CSV on an accelerated clock (app/replay.h), one per loop iteration
 * at most, so the kill switch is looked at between any two. No bar is taken while the journal fails. */
#ifndef EB_APP_DAEMON_SOURCE_REPLAY_H
#define EB_APP_DAEMON_SOURCE_REPLAY_H

#include "app/daemon/internal.h"

int eb_dreplay_open(eb_daemon_t *d, char *err, size_t cap);
/* Hands the bar that is due to the bar path. Returns how long the loop may wait for the next (ms). */
int eb_dreplay_next(eb_daemon_t *d, int64_t now_mono_ms);
/* The source is late by more than `limit_ms` (the watchdog withholds its ping). */
int eb_dreplay_overdue(eb_daemon_t *d, int64_t now_mono_ms, int64_t limit_ms);
void eb_dreplay_close(eb_daemon_t *d);

#endif
