/* A whole bar CSV (app/bars_csv.h) in memory, for the commands that need every bar at once. */
#ifndef EB_TOOLS_DATA_BARS_LOAD_H
#define EB_TOOLS_DATA_BARS_LOAD_H

#include "core/bar.h"

#include <stddef.h>
#include <stdint.h>

/* Bounds of the bars the tool trains and validates on: far above any market, far below where the
 * features' squares and sums overflow a double. */
#define EB_BARS_MAX_PRICE 1e12
#define EB_BARS_MAX_VOLUME 1e18

/* Reads the CSV into a malloc'd array, keeping bars with from_ms <= open time < to_ms (INT64_MIN /
 * INT64_MAX for everything). -1 with the reader's message on bad input, no bars, or a price or volume
 * beyond the bounds above ("FILE:LINE: field 'high': ..."). */
int eb_bars_load(const char *path, int64_t from_ms, int64_t to_ms, eb_bar_t **bars, size_t *n, char *err,
                 size_t errcap);

#endif
