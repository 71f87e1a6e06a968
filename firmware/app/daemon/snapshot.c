#include "app/daemon/snapshot.h"

#include "common/errf.h"

#include <stdlib.h>
#include <string.h>

#define SNAP_MAGIC 0x45425332u /* "EBS2": with the lifecycle tracker */
#define SNAP_KEY "daemon.snapshot"

static void hex_encode(const void *src, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = src;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

static int hex_decode(const char *s, void *dst, size_t n)
{
    unsigned char *p = dst;
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        p[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

int eb_dsnap_reserve(eb_daemon_t *d, char *err, size_t cap)
{
    d->jw.snap_hex_cap = 2 * sizeof(eb_dsnapshot_t) + 1;
    d->jw.snap_hex = malloc(d->jw.snap_hex_cap);
    if (!d->jw.snap_hex)
        return eb_errf(err, cap, "no memory for the engine snapshot (appliance.arena_mib too small)");
    return 0;
}

int eb_dsnap_write(eb_daemon_t *d)
{
    if (!d->pipe || !d->pipe->engine.has_bar || !d->jw.snap_hex)
        return 0;
    static eb_dsnapshot_t snap; /* one, reused: the daemon is single-threaded and this keeps it off the stack */
    memset(&snap, 0, sizeof snap);
    snap.magic = SNAP_MAGIC;
    snap.engine_size = sizeof snap.engine;
    snap.broker_size = sizeof snap.broker;
    snap.last_bar_ms = d->pipe->engine.last_time_ms;
    snap.bars = d->t.bars;
    snap.engine = d->pipe->engine;
    snap.broker = d->t.venue;
    snap.lc = d->t.life.lc;
    snap.lc_last_day = d->t.life.last_day;
    snap.lc_last_reason = d->t.life.last_reason;
    hex_encode(&snap, sizeof snap, d->jw.snap_hex);
    return eb_journal_state_set(d->jw.j, SNAP_KEY, d->jw.snap_hex, snap.last_bar_ms);
}

int eb_dsnap_read(eb_daemon_t *d, eb_dsnapshot_t *out, char *err, size_t cap)
{
    int rc = eb_journal_state_get(d->jw.j, SNAP_KEY, d->jw.snap_hex, d->jw.snap_hex_cap);
    if (rc == 1)
        return 1;
    if (rc != 0 || hex_decode(d->jw.snap_hex, out, sizeof *out) != 0 || out->magic != SNAP_MAGIC ||
        out->engine_size != sizeof out->engine || out->broker_size != sizeof out->broker)
        return eb_errf(err, cap, "the journal's engine snapshot is from another build or damaged; not trading "
                                 "(the journal was left as it is; move it away to start afresh)");
    return 0;
}
