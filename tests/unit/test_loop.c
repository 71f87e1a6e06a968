/* The event loop: priority order of ready descriptors, timers (one-shot, periodic, no catch-up storm),
 * table limits, stop. */
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
    int periodic = eb_loop_add_timer(&l, 10, 10, tick, &zero);
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

int main(void)
{
    RUN(ready_fds_run_in_priority_order);
    RUN(timers);
    RUN(tables_are_bounded);
    RUN(stop_ends_dispatch);
    return eb_check_report();
}
