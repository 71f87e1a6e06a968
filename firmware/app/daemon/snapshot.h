/* The engine snapshot (SPEC section 9: "a restart resumes the same state"). Every journal commit carries
 * the engine (positions, cash, breakers, limits, counters), the daemon's orders and the paper venue's book, and the
 * lifecycle tracker, taken at the last bar the commit covers, as one hex value of the state table. The
 * feature engine and the ATR history are not in it: they are a function of the bars alone, so start-up
 * rebuilds them by feeding the bars up to that one again (resume.c), then puts the snapshot back. A
 * snapshot of a different build (sizes differ) is refused rather than guessed at. */
#ifndef EB_APP_DAEMON_SNAPSHOT_H
#define EB_APP_DAEMON_SNAPSHOT_H

#include "app/daemon/internal.h"

typedef struct {
    uint32_t magic, engine_size, broker_size, reserved;
    int64_t last_bar_ms;
    uint64_t bars;
    eb_engine_t engine;
    eb_dvenue_t broker;
    eb_lc_track_t lc;
    int64_t lc_last_day;
    int32_t lc_last_reason, reserved2;
} eb_dsnapshot_t;

/* Reserves the hex buffer (start-up). 0, or -1 with err. */
int eb_dsnap_reserve(eb_daemon_t *d, char *err, size_t cap);
/* Writes the snapshot into the open transaction (nothing before the first bar). 0 or -1 (the journal's). */
int eb_dsnap_write(eb_daemon_t *d) __attribute__((warn_unused_result));
/* The journal's snapshot: 0 and *out, 1 none (a fresh journal), -1 another build or damaged (err). */
int eb_dsnap_read(eb_daemon_t *d, eb_dsnapshot_t *out, char *err, size_t cap);

#endif
