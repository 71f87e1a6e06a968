#include "app/daemon/jwrite.h"

#include "app/daemon/log.h"
#include "app/daemon/snapshot.h"
#include "app/daemon/telegram_notify.h"
#include "common/errf.h"
#include "hal/io/clock.h"

#include <stdlib.h>
#include <string.h>

#define COMMIT_BARS 1000
#define COMMIT_MS 1000

int eb_dj_failing(const eb_daemon_t *d) { return d->jw.failing; }

int eb_dj_begin(eb_daemon_t *d)
{
    if (!d->jw.j || d->jw.failing || d->jw.bad)
        return 0;
    if (d->jw.in_txn)
        return 1;
    if (eb_dj_check(d, eb_journal_begin(d->jw.j), "begin") != 0)
        return 0;
    d->jw.in_txn = 1;
    return 1;
}

int eb_dj_check(eb_daemon_t *d, int rc, const char *what)
{
    if (rc >= 0)
        return rc;
    if (!d->jw.bad)
        snprintf(d->jw.first_error, sizeof d->jw.first_error, "%s: %s", what, eb_journal_error(d->jw.j));
    d->jw.bad = 1;
    d->stats.journal_errors++;
    return rc;
}

/* Back to the last commit, in the file and in memory. */
static void roll_back(eb_daemon_t *d)
{
    if (d->jw.in_txn && eb_journal_rollback(d->jw.j) != 0) {
        /* SQLite may have rolled the transaction back itself (SQLITE_FULL): nothing is left to undo */
    }
    d->jw.in_txn = 0;
    d->jw.bad = 0;
    if (d->jw.pipe_committed && d->pipe) {
        d->t = d->jw.committed;
        memcpy(d->pipe_mem, d->jw.pipe_committed, d->pipe_size);
    }
    d->jw.bars_since_commit = 0;
    if (!d->jw.outage) {
        eb_dlog(d, 2, "journal write failed (%s); trading disarmed, rolled back to the last commit, retrying "
                      "every second", d->jw.first_error);
        eb_dtg_notifyf(d, EB_DTG_ERROR, "journal write failed (%s): trading disarmed, retrying every second",
                       d->jw.first_error);
        d->jw.outage = 1;
        d->jw.failed_since_mono = eb_clock_monotonic_ms();
    }
    d->jw.failing = 1;
    d->external = eb_arming_set(d->external, EB_DISARM_JOURNAL);
    d->faults |= EB_FAULT_JOURNAL;
    d->jw.next_retry_mono = eb_clock_monotonic_ms() + 1000;
}

/* What the journal now holds, as the state to go back to. */
static void keep_committed(eb_daemon_t *d)
{
    d->jw.bars_since_commit = 0;
    d->jw.nbacklog = 0;
    d->jw.last_commit_mono = eb_clock_monotonic_ms();
    if (d->jw.pipe_committed && d->pipe) {
        d->jw.committed = d->t;
        memcpy(d->jw.pipe_committed, d->pipe_mem, d->pipe_size);
    }
}

int eb_dj_commit(eb_daemon_t *d, int force)
{
    if (d->jw.bad) {
        roll_back(d);
        return -1;
    }
    if (!d->jw.in_txn)
        return 0;
    int64_t now = eb_clock_monotonic_ms();
    if (!force && d->jw.bars_since_commit < COMMIT_BARS && now - d->jw.last_commit_mono < COMMIT_MS)
        return 0;
    if (eb_dj_check(d, eb_dsnap_write(d), "snapshot") != 0 ||
        eb_dj_check(d, eb_journal_commit(d->jw.j), "commit") != 0) {
        roll_back(d);
        return -1;
    }
    d->jw.in_txn = 0;
    keep_committed(d);
    return 0;
}

void eb_dj_event(eb_daemon_t *d, int64_t t, const char *kind, const char *detail)
{
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_event_add(d->jw.j, t, kind, detail), "event");
    eb_dj_commit(d, 1);
}

void eb_dj_note_bar(eb_daemon_t *d, const eb_bar_t *bar)
{
    if (d->jw.nbacklog == EB_DAEMON_BACKLOG)
        eb_dj_commit(d, 1); /* never reached with commits every 1000 bars; keeps the ring exact anyway */
    if (d->jw.nbacklog < EB_DAEMON_BACKLOG)
        d->jw.backlog[d->jw.nbacklog++] = *bar;
    d->jw.bars_since_commit++;
}

int eb_dj_mark_committed(eb_daemon_t *d, char *err, size_t cap)
{
    if (!d->jw.pipe_committed) {
        d->jw.pipe_committed = malloc(d->pipe_size);
        if (!d->jw.pipe_committed)
            return eb_errf(err, cap, "no memory for the pipeline's commit copy (%zu B; appliance.arena_mib too small)",
                           d->pipe_size);
    }
    if (eb_dj_commit(d, 1) != 0)
        return eb_errf(err, cap, "the journal takes no write (%s)", d->jw.first_error);
    keep_committed(d);
    return 0;
}

int eb_dj_take_backlog(eb_daemon_t *d, eb_bar_t *out, int cap)
{
    int n = d->jw.nbacklog < cap ? d->jw.nbacklog : cap;
    memcpy(out, d->jw.backlog, (size_t)n * sizeof *out);
    d->jw.nbacklog = 0;
    return n;
}

void eb_dj_retry_begin(eb_daemon_t *d)
{
    d->jw.failing = 0;
    d->jw.bad = 0;
    /* The bars since the last commit run again as an uninterrupted run ran them: with the journal reason
     * standing, an entry whose intent met the full disk would be refused on its second run and the box
     * would trade differently from then on. A retry that fails sets the reason again (roll_back) before
     * anything is sent: an intent is committed before its request leaves. */
    d->external = eb_arming_clear(d->external, EB_DISARM_JOURNAL);
}

void eb_dj_recovered(eb_daemon_t *d, int rerun)
{
    int64_t outage_ms = eb_clock_monotonic_ms() - d->jw.failed_since_mono;
    d->jw.outage = 0;
    d->external = eb_arming_clear(d->external, EB_DISARM_JOURNAL);
    d->faults &= ~EB_FAULT_JOURNAL;
    eb_dlog(d, 5, "journal writable again after %lld ms; %d bar(s) run again from the last commit",
            (long long)outage_ms, rerun);
    eb_dtg_notifyf(d, EB_DTG_ERROR, "journal writable again after %lld s", (long long)(outage_ms / 1000));
}
