#include "app/bars_csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const field_names[6] = {"open_time_ms", "open", "high", "low", "close", "volume"};

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* The text of field i up to the next comma, for messages (at most 40 characters). */
static int field_len(const char *s)
{
    int n = 0;
    while (s[n] && s[n] != ',' && n < 40)
        n++;
    return n;
}

static int parse_time(const char *s, const char **end, int64_t *out, char *err, size_t cap)
{
    char *e;
    errno = 0;
    long long v = strtoll(s, &e, 10);
    if (e == s || (*e && *e != ',') || errno || v < 0 || *s == ' ' || *s == '+')
        return fail(err, cap, "field 'open_time_ms': '%.*s' is not a whole number of milliseconds >= 0",
                    field_len(s), s);
    *out = v;
    *end = e;
    return 0;
}

static int parse_num(const char *s, int i, const char **end, double *out, char *err, size_t cap)
{
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || (*e && *e != ',') || *s == ' ' || !isfinite(v) || errno == ERANGE)
        return fail(err, cap, "field '%s': '%.*s' is not a finite number", field_names[i], field_len(s), s);
    *out = v;
    *end = e;
    return 0;
}

int eb_bars_csv_parse_line(const char *line, eb_bar_t *bar, char *err, size_t cap)
{
    eb_bar_t b = {0};
    double *vals[5] = {&b.open, &b.high, &b.low, &b.close, &b.volume};
    const char *s = line, *e = line;
    if (parse_time(s, &e, &b.open_time_ms, err, cap) != 0)
        return -1;
    for (int i = 0; i < 5; i++) {
        if (*e != ',')
            return fail(err, cap, "field '%s': missing (6 fields expected)", field_names[i + 1]);
        s = e + 1;
        if (parse_num(s, i + 1, &e, vals[i], err, cap) != 0)
            return -1;
    }
    if (*e)
        return fail(err, cap, "field 'volume': followed by '%.40s' (6 fields expected)", e);
    eb_bar_status_t st = eb_bar_check(&b);
    if (st == EB_BAR_NON_POSITIVE) {
        int i = b.open <= 0 ? 1 : b.high <= 0 ? 2 : b.low <= 0 ? 3 : 4;
        return fail(err, cap, "field '%s': %s", field_names[i], eb_bar_status_text(st));
    }
    if (st == EB_BAR_OUTSIDE_RANGE) {
        const char *f = (b.open < b.low || b.open > b.high) ? "open" : "close";
        return fail(err, cap, "field '%s': %s", f, eb_bar_status_text(st));
    }
    if (st != EB_BAR_OK)
        return fail(err, cap, "field '%s': %s", eb_bar_status_field(st), eb_bar_status_text(st));
    *bar = b;
    return 0;
}

/* Reads one line into r->buf without its newline (and a trailing CR). 1: a line, 0: EOF, -1: too long,
 * -2: a NUL byte (read byte by byte: fgets would hide it and make the line look cut). */
static int read_line(eb_bars_csv_t *r)
{
    size_t n = 0;
    int c = getc_unlocked(r->fp);
    if (c == EOF)
        return 0;
    r->line++;
    for (; c != EOF && c != '\n'; c = getc_unlocked(r->fp)) {
        if (c == 0)
            return -2;
        if (n == EB_BARS_CSV_LINE_MAX)
            return -1;
        r->buf[n++] = (char)c;
    }
    r->buf[n] = 0;
    if (n > 0 && r->buf[n - 1] == '\r')
        r->buf[--n] = 0;
    return 1;
}

int eb_bars_csv_open_stream(eb_bars_csv_t *r, FILE *fp, const char *name)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->name = name;
    r->prev_time = -1;
    int got = read_line(r);
    if (got == 1 && strcmp(r->buf, EB_BARS_CSV_HEADER) == 0)
        return 0;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(r->err, sizeof r->err, "%s: is a directory, not a bar CSV file", name);
    else if (got == 0 && ferror(fp))
        snprintf(r->err, sizeof r->err, "%s: read error: %s", name, strerror(errno));
    else if (got == 0)
        snprintf(r->err, sizeof r->err, "%s:1: empty file (expected header '%s')", name, EB_BARS_CSV_HEADER);
    else if (got == -2)
        snprintf(r->err, sizeof r->err, "%s:1: NUL byte at line 1 (a bar CSV is text)", name);
    else
        snprintf(r->err, sizeof r->err, "%s:1: field 'header': '%.60s' is not '%s'", name, r->buf,
                 EB_BARS_CSV_HEADER);
    r->fp = NULL;
    return -1;
}

int eb_bars_csv_open(eb_bars_csv_t *r, const char *path)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "r");
    if (!fp) {
        memset(r, 0, sizeof *r);
        snprintf(r->err, sizeof r->err, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (eb_bars_csv_open_stream(r, fp, is_stdin ? "<stdin>" : path) != 0) {
        if (!is_stdin)
            fclose(fp);
        return -1;
    }
    r->own_fp = !is_stdin;
    return 0;
}

static int refuse(eb_bars_csv_t *r, const char *msg)
{
    snprintf(r->err, sizeof r->err, "%s:%ld: %s", r->name, r->line, msg);
    return -1;
}

int eb_bars_csv_next(eb_bars_csv_t *r, eb_bar_t *bar)
{
    char msg[EB_BARS_CSV_LINE_MAX + 128];
    eb_bar_t b;
    int got = read_line(r);
    if (got == 0)
        return ferror(r->fp) ? refuse(r, "read error") : 0;
    if (got == -2) {
        snprintf(msg, sizeof msg, "NUL byte at line %ld (a bar CSV is text)", r->line);
        return refuse(r, msg);
    }
    if (got < 0)
        return refuse(r, "line longer than " "512" " characters");
    if (eb_bars_csv_parse_line(r->buf, &b, msg, sizeof msg) != 0)
        return refuse(r, msg);
    if (b.open_time_ms <= r->prev_time) {
        snprintf(msg, sizeof msg, "field 'open_time_ms': %lld %s the previous bar's %lld (times must increase)",
                 (long long)b.open_time_ms, b.open_time_ms == r->prev_time ? "duplicates" : "is before",
                 (long long)r->prev_time);
        return refuse(r, msg);
    }
    int64_t step = b.open_time_ms - r->prev_time;
    r->gap_bars = 0;
    if (r->bars > 0) {
        /* Bars keep to one grid: a step that is no multiple of the interval (or of which the interval is
         * no multiple) is refused here, naming this line, rather than shrinking the interval and turning
         * every later bar into a "gap" (one bar 1 ms late made 2,900 gaps of 2,999 bars). */
        if (r->interval_ms > 0 && (step > r->interval_ms ? step % r->interval_ms : r->interval_ms % step) != 0) {
            snprintf(msg, sizeof msg,
                     "field 'open_time_ms': %lld is off the bars' grid: %lld ms after the previous bar %lld, "
                     "not a multiple of the %lld ms interval (nor a divisor of it)",
                     (long long)b.open_time_ms, (long long)step, (long long)r->prev_time, (long long)r->interval_ms);
            return refuse(r, msg);
        }
        if (r->interval_ms == 0 || step < r->interval_ms)
            r->interval_ms = step;
        if (step > r->interval_ms) {
            r->gap_bars = (long)(step / r->interval_ms) - (step % r->interval_ms == 0);
            r->gap_from_ms = r->prev_time;
        }
    }
    r->prev_time = b.open_time_ms;
    r->bars++;
    *bar = b;
    return 1;
}

void eb_bars_csv_close(eb_bars_csv_t *r)
{
    if (r->fp && r->own_fp)
        fclose(r->fp);
    r->fp = NULL;
}
