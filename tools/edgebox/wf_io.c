#include "tools/edgebox/wf_io.h"

#include "app/bars_csv.h"
#include "app/file_write.h"
#include "core/calendar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int eb_wf_write_atomic(const char *path, const void *data, size_t len, char *err, size_t cap)
{
    return eb_write_file_atomic(path, data, len, 0644, err, cap);
}

int eb_wf_mkdir(const char *path, char *err, size_t cap)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *p = copy + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(copy, 0755);
            *p = '/';
        }
    }
    struct stat st;
    if (mkdir(copy, 0755) != 0 && (stat(copy, &st) != 0 || !S_ISDIR(st.st_mode))) {
        snprintf(err, cap, "%s: cannot create directory: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int eb_wf_load_bars(const char *path, int64_t from_ms, int64_t to_ms, eb_bar_t **bars, size_t *n, char *err,
                    size_t cap)
{
    eb_bars_csv_t r;
    *bars = NULL;
    *n = 0;
    if (eb_bars_csv_open(&r, path) != 0) {
        snprintf(err, cap, "%s", r.err);
        return -1;
    }
    size_t count = 0, room = 0;
    eb_bar_t *v = NULL, b;
    int rc;
    while ((rc = eb_bars_csv_next(&r, &b)) == 1) {
        if (b.open_time_ms < from_ms || b.open_time_ms >= to_ms)
            continue;
        if (count == room) {
            room = room ? 2 * room : 65536;
            eb_bar_t *nv = realloc(v, room * sizeof *v);
            if (!nv) {
                rc = -1;
                snprintf(r.err, sizeof r.err, "%s: out of memory at %zu bars", path, count);
                break;
            }
            v = nv;
        }
        v[count++] = b;
    }
    if (rc == 0 && count == 0) {
        rc = -1;
        snprintf(r.err, sizeof r.err, "%s: no bars in the selected range", path);
    }
    if (rc != 0) {
        snprintf(err, cap, "%s", r.err);
        free(v);
        eb_bars_csv_close(&r);
        return -1;
    }
    eb_bars_csv_close(&r);
    *bars = v;
    *n = count;
    return 0;
}

int eb_wf_parse_time(const char *s, int64_t *ms)
{
    int y, m, d, used = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && s[used] == 0 && m >= 1 && m <= 12 && d >= 1 &&
        d <= 31) {
        eb_civil_t c = {y, m, d, 0};
        *ms = eb_calendar_to_ms(&c);
        return 0;
    }
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < 0)
        return -1;
    *ms = v;
    return 0;
}

int eb_wf_time_option(const char *cmd, int c, const char *arg, int64_t *from, int64_t *to)
{
    if (eb_wf_parse_time(arg, c == 'f' ? from : to) == 0)
        return 0;
    fprintf(stderr, "edgebox %s: --%s: '%s' is not a time (UTC ms or YYYY-MM-DD)\n", cmd, c == 'f' ? "from" : "to", arg);
    return -1;
}
