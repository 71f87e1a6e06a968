#include "app/daemon/recover.h"

#include "app/daemon/bar.h"
#include "app/daemon/jwrite.h"
#include "app/daemon/kill.h"
#include "app/daemon/models.h"
#include "app/daemon/status.h"
#include "hal/io/clock.h"

#include <stdio.h>

void eb_drecover_timer(void *ctx, int64_t now_ms)
{
    eb_daemon_t *d = ctx;
    if (!eb_dj_failing(d) || now_ms < d->jw.next_retry_mono)
        return;
    static eb_bar_t bars[EB_DAEMON_BACKLOG]; /* the daemon is single-threaded: one copy, off the stack */
    int n = eb_dj_take_backlog(d, bars, EB_DAEMON_BACKLOG);
    eb_dj_retry_begin(d);
    int i = 0;
    for (; i < n && !eb_dj_failing(d); i++)
        eb_dbar_on_bar(d, &bars[i]); /* bars with orders commit as they go */
    if (eb_dj_failing(d)) {
        /* rolled back to the last commit that held: the bars since it are back in the backlog; the rest
         * follow them */
        for (; i < n; i++)
            eb_dj_note_bar(d, &bars[i]);
        return;
    }
    eb_dkill_settle(d);
    /* the outage itself goes on record, and proves the journal takes a write again */
    char detail[sizeof d->jw.first_error + 120];
    snprintf(detail, sizeof detail, "journal writes failed for %lld ms (%s); %d bar(s) run again",
             (long long)(now_ms - d->jw.failed_since_mono), d->jw.first_error, n);
    if (eb_dj_begin(d))
        eb_dj_check(d, eb_journal_event_add(d->jw.j, eb_clock_realtime_ms(), "error", detail), "event");
    if (eb_dj_commit(d, 1) != 0)
        return; /* rolled back: the bars since the last commit that held are in the backlog again */
    eb_dj_recovered(d, n);
    eb_dstatus_update(d);
    eb_dmodels_scan(d); /* blobs that waited for the journal */
}
