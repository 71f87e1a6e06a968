/* Bars from a CSV file on an accelerated clock (paper mode's replay source). With speed X a bar that
 * closed d ms after the first one is delivered d/X ms after the first delivery; speed 0 ("max") delivers
 * one bar per loop iteration, so the kill switch is still looked at between any two bars. */
#ifndef EB_APP_REPLAY_H
#define EB_APP_REPLAY_H

#include "app/bars_csv.h"

typedef struct {
    eb_bars_csv_t csv;
    double speed;
    int64_t t0_mono_ms, t0_bar_ms;
    eb_bar_t next;
    int have_next, started, eof;
} eb_replay_t;

/* 0, or -1 with the reader's message in r->csv.err. */
int eb_replay_open(eb_replay_t *r, const char *path, double speed);
/* Monotonic time at which the next bar is due (INT64_MAX at the end of the file). */
int64_t eb_replay_due(eb_replay_t *r, int64_t now_mono_ms);
/* 1: the next bar in *bar; 0: end of file; -1: a bad line (r->csv.err names file, line and field). */
int eb_replay_take(eb_replay_t *r, int64_t now_mono_ms, eb_bar_t *bar);
void eb_replay_close(eb_replay_t *r);

#endif
