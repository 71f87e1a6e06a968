#include "app/replay.h"

#include <stdint.h>
#include <string.h>

int eb_replay_open(eb_replay_t *r, const char *path, double speed)
{
    memset(r, 0, sizeof *r);
    r->speed = speed;
    return eb_bars_csv_open(&r->csv, path);
}

/* Reads ahead one bar so its due time is known. */
static int peek(eb_replay_t *r)
{
    if (r->have_next || r->eof)
        return r->have_next;
    int rc = eb_bars_csv_next(&r->csv, &r->next);
    if (rc == 1)
        r->have_next = 1;
    else if (rc == 0)
        r->eof = 1;
    return rc;
}

int64_t eb_replay_due(eb_replay_t *r, int64_t now_mono_ms)
{
    if (peek(r) != 1)
        return r->eof ? INT64_MAX : now_mono_ms; /* an error is due at once, to be reported */
    if (!r->started || r->speed <= 0)
        return now_mono_ms;
    return r->t0_mono_ms + (int64_t)((double)(r->next.open_time_ms - r->t0_bar_ms) / r->speed);
}

int eb_replay_take(eb_replay_t *r, int64_t now_mono_ms, eb_bar_t *bar)
{
    int rc = peek(r);
    if (rc != 1)
        return rc;
    if (!r->started) {
        r->started = 1;
        r->t0_mono_ms = now_mono_ms;
        r->t0_bar_ms = r->next.open_time_ms;
    }
    *bar = r->next;
    r->have_next = 0;
    return 1;
}

void eb_replay_close(eb_replay_t *r) { eb_bars_csv_close(&r->csv); }
