/* The one reader of bar CSV files (header `open_time_ms,open,high,low,close,volume`), used by every
 * command, test and the backtest. It streams line by line through one fixed buffer (no allocation per
 * line) and refuses bad input with an error naming the file, line and field: wrong header, a field that is
 * not a number, a wrong field count, non-increasing or duplicate timestamps, H < L, O/C outside [L, H],
 * prices <= 0, negative volume, a NUL byte, a directory, a bar off the grid (a step that is no multiple
 * of the interval, nor a divisor of it). Gaps in time are not errors: each bar reports how many bar
 * intervals are missing before it (the interval is the smallest step seen so far, starting with the
 * first one). */
#ifndef EB_APP_BARS_CSV_H
#define EB_APP_BARS_CSV_H

#include "core/bar.h"

#include <stdint.h>
#include <stdio.h>

#define EB_BARS_CSV_HEADER "open_time_ms,open,high,low,close,volume"
#define EB_BARS_CSV_LINE_MAX 512

typedef struct {
    FILE *fp;
    int own_fp;
    const char *name;   /* for messages */
    long line;          /* 1-based number of the last line read */
    long bars;          /* bars returned */
    int64_t prev_time, interval_ms;
    long gap_bars;      /* missing bars before the bar last returned (0: none) */
    int64_t gap_from_ms;/* open time of the bar before the gap */
    char buf[EB_BARS_CSV_LINE_MAX + 2];
    char err[EB_BARS_CSV_LINE_MAX + 256];
} eb_bars_csv_t;

/* Opens path ("-" = stdin) and checks the header. 0 or -1 with r->err set (and nothing left open). */
int eb_bars_csv_open(eb_bars_csv_t *r, const char *path);
/* Same on an open stream (not closed by eb_bars_csv_close); name is used in messages. */
int eb_bars_csv_open_stream(eb_bars_csv_t *r, FILE *fp, const char *name);
/* 1: a bar in *bar; 0: end of file; -1: refused, r->err says "NAME:LINE: field 'F': problem". */
int eb_bars_csv_next(eb_bars_csv_t *r, eb_bar_t *bar);
void eb_bars_csv_close(eb_bars_csv_t *r);

/* Parses one data line (no newline) into *bar; -1 with a message "field 'F': ..." in err. Shared by the
 * reader and by tests; does not check time order. */
int eb_bars_csv_parse_line(const char *line, eb_bar_t *bar, char *err, size_t errcap);

#endif
