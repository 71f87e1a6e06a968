/* The daemon's event loop (DESIGN.md "Main loop"): single-threaded, poll()-based, fixed tables, no
 * allocation. File descriptors carry a priority: in every iteration the ready ones are handled in
 * priority order (GPIO edges first, so a blocked operation never delays the kill switch), then the timers
 * that are due. Four calls do almost everything: add_fd, add_timer, run_once, stop.
 *
 * Three rules make callbacks safe to add and remove things from inside a pass (as Redis' ae.c does):
 * - a timer created during a pass first runs in a later pass, never in the one that created it;
 * - a descriptor is known by its registration, not its number: when a callback closes a descriptor and a
 *   new one gets the same number in the same pass, the new one gets no event meant for the old;
 * - timer ids are never reused while the loop lives (64-bit, counting up). */
#ifndef EB_APP_LOOP_H
#define EB_APP_LOOP_H

#include <poll.h> /* POLLIN, POLLOUT for eb_loop_add_fd */
#include <stdint.h>

#define EB_LOOP_MAX_FDS 96
#define EB_LOOP_MAX_TIMERS 96

enum { EB_LOOP_PRIO_GPIO = 0, EB_LOOP_PRIO_CONTROL = 1, EB_LOOP_PRIO_NORMAL = 2 };

typedef void (*eb_loop_fd_cb)(void *ctx, int fd, short revents);
typedef void (*eb_loop_timer_cb)(void *ctx, int64_t now_ms);

typedef struct {
    struct { int fd; short events; int prio; eb_loop_fd_cb cb; void *ctx; uint64_t reg; } fds[EB_LOOP_MAX_FDS];
    struct { int64_t due_ms, interval_ms, id; uint64_t pass_added; eb_loop_timer_cb cb; void *ctx; int active; } timers[EB_LOOP_MAX_TIMERS];
    int nfds;
    int stop;
    uint64_t iterations;
    uint64_t next_reg;     /* registrations of descriptors, counting up */
    int64_t next_timer_id; /* ids of timers, counting up from 1 */
    int64_t (*clock_ms)(void); /* monotonic; replaceable in tests */
} eb_loop_t;

void eb_loop_init(eb_loop_t *l, int64_t (*clock_ms)(void));
/* Returns 0, or -1 when the table is full (or fd < 0). A descriptor already registered is refused (-1). */
int eb_loop_add_fd(eb_loop_t *l, int fd, short events, int prio, eb_loop_fd_cb cb, void *ctx);
/* The events a registered descriptor waits for (e.g. POLLOUT while output is queued). 0, or -1. */
int eb_loop_set_events(eb_loop_t *l, int fd, short events);
void eb_loop_remove_fd(eb_loop_t *l, int fd);
/* A timer fires first after `first_ms`, then every `interval_ms` (0: once). Returns its id (> 0, never
 * reused) or -1 when the table is full. */
int64_t eb_loop_add_timer(eb_loop_t *l, int64_t first_ms, int64_t interval_ms, eb_loop_timer_cb cb, void *ctx);
/* Cancels a timer; an id that has fired (one-shot), been cancelled or never existed is ignored. */
void eb_loop_cancel_timer(eb_loop_t *l, int64_t id);
/* Waits at most `max_wait_ms` (and no longer than the next timer) and dispatches. Returns the number of
 * callbacks run, or -1 if poll failed for a reason other than a signal. */
int eb_loop_run_once(eb_loop_t *l, int max_wait_ms);
void eb_loop_stop(eb_loop_t *l);

#endif
