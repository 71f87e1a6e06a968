#include "app/loop.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

void eb_loop_init(eb_loop_t *l, int64_t (*clock_ms)(void))
{
    memset(l, 0, sizeof *l);
    l->clock_ms = clock_ms;
    l->next_reg = 1;
    l->next_timer_id = 1;
}

static int find_fd(const eb_loop_t *l, int fd)
{
    for (int i = 0; i < l->nfds; i++)
        if (l->fds[i].fd == fd)
            return i;
    return -1;
}

/* Keeps fds[] sorted by priority so dispatch order is simply table order. */
int eb_loop_add_fd(eb_loop_t *l, int fd, short events, int prio, eb_loop_fd_cb cb, void *ctx)
{
    if (l->nfds == EB_LOOP_MAX_FDS || fd < 0 || find_fd(l, fd) >= 0)
        return -1;
    int at = l->nfds;
    while (at > 0 && l->fds[at - 1].prio > prio) {
        l->fds[at] = l->fds[at - 1];
        at--;
    }
    l->fds[at].fd = fd;
    l->fds[at].events = events;
    l->fds[at].prio = prio;
    l->fds[at].cb = cb;
    l->fds[at].ctx = ctx;
    l->fds[at].reg = l->next_reg++;
    l->nfds++;
    return 0;
}

int eb_loop_set_events(eb_loop_t *l, int fd, short events)
{
    int i = find_fd(l, fd);
    if (i < 0)
        return -1;
    l->fds[i].events = events;
    return 0;
}

void eb_loop_remove_fd(eb_loop_t *l, int fd)
{
    int i = find_fd(l, fd);
    if (i < 0)
        return;
    memmove(&l->fds[i], &l->fds[i + 1], (size_t)(l->nfds - i - 1) * sizeof l->fds[0]);
    l->nfds--;
}

int64_t eb_loop_add_timer(eb_loop_t *l, int64_t first_ms, int64_t interval_ms, eb_loop_timer_cb cb, void *ctx)
{
    for (int i = 0; i < EB_LOOP_MAX_TIMERS; i++)
        if (!l->timers[i].active) {
            l->timers[i].due_ms = l->clock_ms() + first_ms;
            l->timers[i].interval_ms = interval_ms;
            l->timers[i].cb = cb;
            l->timers[i].ctx = ctx;
            l->timers[i].active = 1;
            l->timers[i].id = l->next_timer_id++;
            l->timers[i].pass_added = l->iterations;
            return l->timers[i].id;
        }
    return -1;
}

void eb_loop_cancel_timer(eb_loop_t *l, int64_t id)
{
    for (int i = 0; i < EB_LOOP_MAX_TIMERS; i++)
        if (l->timers[i].active && l->timers[i].id == id) {
            l->timers[i].active = 0;
            return;
        }
}

void eb_loop_stop(eb_loop_t *l) { l->stop = 1; }

static int64_t next_due(const eb_loop_t *l)
{
    int64_t due = INT64_MAX;
    for (int i = 0; i < EB_LOOP_MAX_TIMERS; i++)
        if (l->timers[i].active && l->timers[i].due_ms < due)
            due = l->timers[i].due_ms;
    return due;
}

/* The pass number is l->iterations (counted before dispatch): a timer added in this pass has
 * pass_added == iterations and waits for the next. */
static int run_timers(eb_loop_t *l)
{
    int ran = 0;
    int64_t now = l->clock_ms();
    for (int i = 0; i < EB_LOOP_MAX_TIMERS && !l->stop; i++) {
        if (!l->timers[i].active || l->timers[i].due_ms > now || l->timers[i].pass_added == l->iterations)
            continue;
        if (l->timers[i].interval_ms > 0) /* no catch-up storm after a stall: next slot from now */
            l->timers[i].due_ms = now + l->timers[i].interval_ms;
        else
            l->timers[i].active = 0;
        l->timers[i].cb(l->timers[i].ctx, now);
        ran++;
    }
    return ran;
}

int eb_loop_run_once(eb_loop_t *l, int max_wait_ms)
{
    struct pollfd pfd[EB_LOOP_MAX_FDS];
    uint64_t reg[EB_LOOP_MAX_FDS];
    int n = l->nfds;
    for (int i = 0; i < n; i++) {
        pfd[i].fd = l->fds[i].fd;
        pfd[i].events = l->fds[i].events;
        pfd[i].revents = 0;
        reg[i] = l->fds[i].reg;
    }
    int64_t wait = next_due(l) - l->clock_ms();
    if (wait < 0)
        wait = 0;
    if (wait > max_wait_ms)
        wait = max_wait_ms;
    int rc = poll(pfd, (nfds_t)n, (int)wait);
    if (rc < 0 && errno != EINTR)
        return -1;
    int ran = 0;
    l->iterations++;
    /* Dispatch from the snapshot: a callback may add or remove fds. An event goes to the registration it
     * was polled for, never to a new one that reuses the number. */
    for (int i = 0; i < n && rc > 0 && !l->stop; i++) {
        if (!pfd[i].revents)
            continue;
        int j = find_fd(l, pfd[i].fd);
        if (j >= 0 && l->fds[j].reg == reg[i]) {
            l->fds[j].cb(l->fds[j].ctx, pfd[i].fd, pfd[i].revents);
            ran++;
        }
    }
    if (!l->stop)
        ran += run_timers(l);
    return ran;
}
