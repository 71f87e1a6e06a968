#include "app/daemon/source_replay.h"

#include "app/daemon/bar.h"
#include "app/daemon/jwrite.h"
#include "app/daemon/log.h"
#include "app/daemon/telegram_notify.h"
#include "common/errf.h"
#include "hal/io/clock.h"

int eb_dreplay_open(eb_daemon_t *d, char *err, size_t cap)
{
    if (eb_replay_open(&d->src.replay, d->app.replay_file, d->app.replay_speed) != 0)
        return eb_errf(err, cap, "appliance.replay_file: %s", d->src.replay.csv.err);
    d->src.replay_open = 1;
    return 0;
}

int eb_dreplay_next(eb_daemon_t *d, int64_t now)
{
    eb_dsource_t *s = &d->src;
    if (!s->replay_open || s->replay_done || eb_dj_failing(d))
        return 1000;
    int64_t due = eb_replay_due(&s->replay, now);
    if (due > now && due != INT64_MAX) /* INT64_MAX: the end, which take() reports */
        return (int)(due - now < 1000 ? due - now : 1000);
    eb_bar_t bar;
    int rc = eb_replay_take(&s->replay, now, &bar);
    if (rc == 1) {
        eb_dbar_on_bar(d, &bar);
        return 0;
    }
    s->replay_done = 1;
    if (rc < 0) {
        d->faults |= EB_FAULT_DATA;
        eb_dlog(d, 3, "bar source stopped: %s", s->replay.csv.err);
        eb_dtg_notifyf(d, EB_DTG_ERROR, "bar source stopped: %s", s->replay.csv.err);
        if (eb_dj_begin(d))
            eb_dj_check(d, eb_journal_event_add(d->jw.j, eb_clock_realtime_ms(), "error", s->replay.csv.err), "event");
    } else {
        eb_dlog(d, 5, "replay finished after %llu bars", (unsigned long long)d->t.bars);
    }
    eb_dj_commit(d, 1);
    return 1000;
}

int eb_dreplay_overdue(eb_daemon_t *d, int64_t now, int64_t limit_ms)
{
    return d->src.replay_open && !d->src.replay_done && !eb_dj_failing(d) &&
           now - eb_replay_due(&d->src.replay, now) > limit_ms;
}

void eb_dreplay_close(eb_daemon_t *d)
{
    if (d->src.replay_open)
        eb_replay_close(&d->src.replay);
    d->src.replay_open = 0;
}
