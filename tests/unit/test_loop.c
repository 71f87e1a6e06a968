/* The event loop: priority order of ready descriptors, timers (one-shot, periodic, no catch-up storm),
 * table limits, stop; and what callbacks may do inside a pass: timers they create wait for the next pass,
 * a descriptor number they close and reuse gets no stale event, timer ids are never reused. */
#include "app/loop.h"
#include "tests/support/check.h"

#include <poll.h>
#include <unistd.h>

static int64_t fake_now;
static int64_t fake_clock(void) { return fake_now; }

static char order[16];
static int norder;
static void record(void *ctx, int fd, short revents)
{
    (void)revents;
    char buf[8];
    if (read(fd, buf, sizeof buf) < 0)
        return;
    order[norder++] = *(const char *)ctx;
}

TEST(ready_fds_run_in_priority_order)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    int a[2], g[2], c[2];
    CHECK(pipe(a) == 0 && pipe(g) == 0 && pipe(c) == 0);
    /* added lowest priority first, on purpose */
    CHECK_EQ_INT(eb_loop_add_fd(&l, a[0], POLLIN, EB_LOOP_PRIO_NORMAL, record, "n"), 0);
    CHECK_EQ_INT(eb_loop_add_fd(&l, c[0], POLLIN, EB_LOOP_PRIO_CONTROL, record, "c"), 0);
    CHECK_EQ_INT(eb_loop_add_fd(&l, g[0], POLLIN, EB_LOOP_PRIO_GPIO, record, "g"), 0);
    CHECK(write(a[1], "x", 1) == 1 && write(c[1], "x", 1) == 1 && write(g[1], "x", 1) == 1);
    norder = 0;
    CHECK_EQ_INT(eb_loop_run_once(&l, 100), 3);
    CHECK(norder == 3 && memcmp(order, "gcn", 3) == 0);
    eb_loop_remove_fd(&l, c[0]);
    CHECK_EQ_INT(l.nfds, 2);
    CHECK(write(c[1], "x", 1) == 1 && write(a[1], "x", 1) == 1);
    norder = 0;
    CHECK_EQ_INT(eb_loop_run_once(&l, 100), 1); /* the removed one is not dispatched */
    CHECK(norder == 1 && order[0] == 'n');
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(g[i]);
        close(c[i]);
    }
}

static int fired[4];
static void tick(void *ctx, int64_t now) { (void)now; fired[*(int *)ctx]++; }

TEST(timers)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    fake_now = 1000;
    static int zero = 0, one = 1;
    memset(fired, 0, sizeof fired);
    int64_t periodic = eb_loop_add_timer(&l, 10, 10, tick, &zero);
    CHECK(periodic >= 0);
    CHECK(eb_loop_add_timer(&l, 5, 0, tick, &one) >= 0);
    CHECK_EQ_INT(eb_loop_run_once(&l, 0), 0);
    fake_now = 1005;
    eb_loop_run_once(&l, 0);
    CHECK(fired[0] == 0 && fired[1] == 1);
    fake_now = 1010;
    eb_loop_run_once(&l, 0);
    CHECK(fired[0] == 1 && fired[1] == 1); /* one-shot stays spent */
    fake_now = 1100; /* a stall of 9 periods: one call, then the next slot from now */
    eb_loop_run_once(&l, 0);
    eb_loop_run_once(&l, 0);
    CHECK_EQ_INT(fired[0], 2);
    fake_now = 1110;
    eb_loop_run_once(&l, 0);
    CHECK_EQ_INT(fired[0], 3);
    eb_loop_cancel_timer(&l, periodic);
    fake_now = 2000;
    eb_loop_run_once(&l, 0);
    CHECK_EQ_INT(fired[0], 3);
}

static void nop(void *ctx, int64_t now) { (void)ctx; (void)now; }
static void nop_fd(void *ctx, int fd, short r) { (void)ctx; (void)fd; (void)r; }
static int g_stale_events;
static void nop_fd_count(void *ctx, int fd, short r) { (void)ctx; (void)fd; (void)r; g_stale_events++; }

TEST(tables_are_bounded)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    for (int i = 0; i < EB_LOOP_MAX_TIMERS; i++)
        CHECK(eb_loop_add_timer(&l, 1000, 0, nop, NULL) >= 0);
    CHECK_EQ_INT(eb_loop_add_timer(&l, 1000, 0, nop, NULL), -1);
    for (int i = 0; i < EB_LOOP_MAX_FDS; i++)
        eb_loop_add_fd(&l, 100 + i, POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd, NULL);
    CHECK_EQ_INT(eb_loop_add_fd(&l, 999, POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd, NULL), -1);
    CHECK_EQ_INT(eb_loop_add_fd(&l, -1, POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd, NULL), -1);
}

static void stopper(void *ctx, int64_t now) { (void)now; eb_loop_stop(ctx); }

TEST(stop_ends_dispatch)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    fake_now = 0;
    memset(fired, 0, sizeof fired);
    static int two = 2;
    eb_loop_add_timer(&l, 0, 0, stopper, &l);
    eb_loop_add_timer(&l, 0, 0, tick, &two);
    eb_loop_run_once(&l, 0);
    CHECK(l.stop);
    CHECK_EQ_INT(fired[2], 0);
}

/* A timer callback that creates a due timer: the new one must not run in the same pass. */
static eb_loop_t *g_loop;
static void spawner(void *ctx, int64_t now)
{
    (void)now;
    static int three = 3;
    if (fired[*(int *)ctx]++ == 0) /* it keeps its slot (periodic): the new timer lands after it */
        CHECK(eb_loop_add_timer(g_loop, 0, 0, tick, &three) > 0);
}

TEST(timers_created_in_a_pass_wait_for_the_next)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    g_loop = &l;
    fake_now = 0;
    memset(fired, 0, sizeof fired);
    static int zero = 0;
    CHECK(eb_loop_add_timer(&l, 0, 1000, spawner, &zero) > 0);
    CHECK_EQ_INT(eb_loop_run_once(&l, 0), 1);
    CHECK(fired[0] == 1 && fired[3] == 0); /* created this pass, due now, yet not run */
    CHECK_EQ_INT(eb_loop_run_once(&l, 0), 1);
    CHECK_EQ_INT(fired[3], 1);
}

/* Callback 1 closes descriptor B (ready in this pass) and opens a new one that gets B's number. */
static int g_pipe_b[2], g_new_fd = -1;
static void closer(void *ctx, int fd, short r)
{
    (void)fd;
    (void)r;
    char buf[8];
    CHECK(read(*(int *)ctx, buf, sizeof buf) > 0);
    eb_loop_remove_fd(g_loop, g_pipe_b[0]);
    close(g_pipe_b[0]);
    int p[2];
    CHECK(pipe(p) == 0);
    g_new_fd = p[0]; /* the lowest free number: B's */
    close(p[1]);     /* the new one is readable (EOF) only in a later poll */
    CHECK_EQ_INT(eb_loop_add_fd(g_loop, g_new_fd, POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd_count, NULL), 0);
}

TEST(reused_fd_gets_no_stale_event)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    g_loop = &l;
    int a[2];
    CHECK(pipe(a) == 0 && pipe(g_pipe_b) == 0);
    CHECK_EQ_INT(eb_loop_add_fd(&l, a[0], POLLIN, EB_LOOP_PRIO_GPIO, closer, &a[0]), 0);
    CHECK_EQ_INT(eb_loop_add_fd(&l, g_pipe_b[0], POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd_count, NULL), 0);
    CHECK(write(a[1], "x", 1) == 1 && write(g_pipe_b[1], "x", 1) == 1);
    g_stale_events = 0;
    CHECK_EQ_INT(eb_loop_run_once(&l, 100), 1); /* closer only: B's event is not delivered to its successor */
    CHECK_EQ_INT(g_new_fd, g_pipe_b[0]);
    CHECK_EQ_INT(g_stale_events, 0);
    CHECK_EQ_INT(eb_loop_run_once(&l, 100), 1); /* the new descriptor's own event (EOF) */
    CHECK_EQ_INT(g_stale_events, 1);
    close(a[0]);
    close(a[1]);
    close(g_pipe_b[1]);
    close(g_new_fd);
}

TEST(timer_ids_are_never_reused)
{
    eb_loop_t l;
    eb_loop_init(&l, fake_clock);
    fake_now = 0;
    int64_t last = 0;
    for (int i = 0; i < 3 * EB_LOOP_MAX_TIMERS; i++) {
        int64_t id = eb_loop_add_timer(&l, 0, 0, nop, NULL);
        CHECK_MSG(id > last, "id %lld after %lld", (long long)id, (long long)last);
        last = id;
        if (i % 2)
            eb_loop_cancel_timer(&l, id);
        else
            eb_loop_run_once(&l, 0); /* fires and frees the slot */
    }
    /* a spent id cancels nothing, even when its slot holds another timer now */
    int64_t a = eb_loop_add_timer(&l, 0, 0, nop, NULL);
    eb_loop_run_once(&l, 0);
    memset(fired, 0, sizeof fired);
    static int one = 1;
    int64_t b = eb_loop_add_timer(&l, 0, 0, tick, &one);
    CHECK(b != a);
    eb_loop_cancel_timer(&l, a);
    eb_loop_run_once(&l, 0);
    CHECK_EQ_INT(fired[1], 1);
    CHECK_EQ_INT(eb_loop_add_fd(&l, 5, POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd, NULL), 0);
    CHECK_EQ_INT(eb_loop_add_fd(&l, 5, POLLIN, EB_LOOP_PRIO_NORMAL, nop_fd, NULL), -1); /* once only */
}

int main(void)
{
    RUN(ready_fds_run_in_priority_order);
    RUN(timers);
    RUN(tables_are_bounded);
    RUN(stop_ends_dispatch);
    RUN(timers_created_in_a_pass_wait_for_the_next);
    RUN(reused_fd_gets_no_stale_event);
    RUN(timer_ids_are_never_reused);
    return eb_check_report();
}
