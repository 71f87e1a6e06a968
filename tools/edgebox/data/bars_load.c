#include "tools/edgebox/data/bars_load.h"

#include "app/bars_csv.h"
#include "common/errf.h"

#include <stdio.h>
#include <stdlib.h>

int eb_bars_load(const char *path, int64_t from_ms, int64_t to_ms, eb_bar_t **bars, size_t *n, char *err,
                 size_t cap)
{
    eb_bars_csv_t r;
    *bars = NULL;
    *n = 0;
    if (eb_bars_csv_open(&r, path) != 0) {
        return eb_errf(err, cap, "%s", r.err);
    }
    size_t count = 0, room = 0;
    eb_bar_t *v = NULL, b;
    int rc;
    while ((rc = eb_bars_csv_next(&r, &b)) == 1) {
        /* Finite is not enough: squares and sums of 1e300 overflow in the features, and XGBoost then
         * fails naming no file or line. */
        const char *big = b.high > EB_BARS_MAX_PRICE ? "high" : b.volume > EB_BARS_MAX_VOLUME ? "volume" : NULL;
        if (big) {
            rc = -1;
            snprintf(r.err, sizeof r.err, "%s:%ld: field '%s': %g is larger than the tool handles (prices up to %g, "
                     "volume up to %g)", r.name, r.line, big, big[0] == 'h' ? b.high : b.volume, EB_BARS_MAX_PRICE,
                     EB_BARS_MAX_VOLUME);
            break;
        }
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
        eb_errf(err, cap, "%s", r.err);
        free(v);
        eb_bars_csv_close(&r);
        return -1;
    }
    eb_bars_csv_close(&r);
    *bars = v;
    *n = count;
    return 0;
}
