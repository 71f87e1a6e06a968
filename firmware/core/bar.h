/* A closed OHLCV bar: the one input of the core. Time travels with the bar, never from a clock. */
#ifndef EB_CORE_BAR_H
#define EB_CORE_BAR_H

#include <stdint.h>

typedef struct {
    int64_t open_time_ms; /* UTC milliseconds of the bar's open */
    double open, high, low, close, volume;
} eb_bar_t;

typedef enum {
    EB_BAR_OK = 0,
    EB_BAR_NOT_FINITE,     /* a price or the volume is NaN or infinite */
    EB_BAR_NON_POSITIVE,   /* a price <= 0 */
    EB_BAR_HIGH_BELOW_LOW, /* H < L */
    EB_BAR_OUTSIDE_RANGE,  /* O or C outside [L, H] */
    EB_BAR_NEGATIVE_VOLUME,
} eb_bar_status_t;

/* Checks one bar on its own; returns the first problem found. */
eb_bar_status_t eb_bar_check(const eb_bar_t *bar);
/* The field a status is about ("high", "volume", ...) and a sentence for error messages. */
const char *eb_bar_status_field(eb_bar_status_t s);
const char *eb_bar_status_text(eb_bar_status_t s);

#endif
