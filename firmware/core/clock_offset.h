/* The clock offset to the exchange (SPEC section 8, issue 14), from its time endpoint (`/api/v3/time`,
 * `/fapi/v1/time`, KuCoin `/api/v1/timestamp`). Pure: no allocation, no I/O, no clock.
 *
 * Each sample is (local send ms, server time ms, local receive ms). The server read its clock somewhere
 * between our send and our receive, so the offset is server - midpoint, and the truth lies within
 * rtt / 2 of it either way (uncertainty = rtt / 2, rounded up): exact, whatever the asymmetry of the two
 * network legs. The best sample is the one with the lowest round trip of the last N (the newest of equal
 * ones): the least uncertain, and recent enough to follow drift.
 *
 * A signed request's timestamp is local + offset (eb_clock_venue_ms). The venue refuses one more than
 * recvWindow old or more than 1 s ahead (-1021), so the `clock` disarm reason is wanted while
 * |offset| + uncertainty > recv_window_ms / 2 (half the window: the other half is left to the network and
 * the venue), while the kernel reports the clock unsynchronised (the daemon asks adjtimex and passes the
 * flag in), and while there is no sample at all. It clears only once |offset| + uncertainty is at or below
 * clear_pct of that limit, so an offset hovering near the limit does not flap the reason. */
#ifndef EB_CORE_CLOCK_OFFSET_H
#define EB_CORE_CLOCK_OFFSET_H

#include "core/time_ms.h"

#include <stdint.h>

#define EB_CLOCK_SAMPLES_MAX 16

typedef struct {
    int samples;            /* N: the best of the last N samples is used, 1..16 (default 8) */
    int64_t recv_window_ms; /* the recvWindow the requests are signed with, 1..60000 (default 5000) */
    int clear_pct;          /* hysteresis: clears at or below this share of the limit, 1..100 (default 80) */
    int64_t max_rtt_ms;     /* a sample with a longer round trip is refused, 1..60000 (default 10000) */
} eb_clock_params_t;

typedef struct {
    int64_t send_ms, server_ms, recv_ms;
} eb_clock_sample_t;

typedef struct {
    eb_clock_params_t p;
    eb_clock_sample_t ring[EB_CLOCK_SAMPLES_MAX];
    int n, head;  /* samples held (<= p.samples), where the next goes */
    int disarm;   /* the `clock` reason is wanted (1 until the first good sample) */
} eb_clock_t;

void eb_clock_params_default(eb_clock_params_t *p);
/* -1 (c zeroed) when a parameter is out of range. */
int eb_clock_init(eb_clock_t *c, const eb_clock_params_t *p);
/* One sample. -1 (nothing kept) when a time is out of 0..EB_TIME_MS_MAX, server_ms is 0, recv_ms <
 * send_ms or the round trip exceeds max_rtt_ms. */
int eb_clock_add(eb_clock_t *c, int64_t send_ms, int64_t server_ms, int64_t recv_ms);
/* The best sample's offset (server - local) and uncertainty, in ms. -1 when there is no sample. */
int eb_clock_best(const eb_clock_t *c, int64_t *offset_ms, int64_t *uncertainty_ms);
/* Re-evaluates the `clock` reason with the kernel's flag; returns it (1: wanted) and keeps it in c. */
int eb_clock_update(eb_clock_t *c, int kernel_unsynchronised);
/* The timestamp for a signed request made at local_ms: local + offset. -1 when there is no sample or
 * local_ms is out of 0..EB_TIME_MS_MAX. */
int eb_clock_venue_ms(const eb_clock_t *c, int64_t local_ms, int64_t *venue_ms);

#endif
