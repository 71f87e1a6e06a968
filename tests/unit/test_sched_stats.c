/* hal/io/sched_stats: the counters the daemon reads around each decision move when the kernel does what
 * they count (a page fault served, the CPU taken away), and only the calling thread's. */
#define _GNU_SOURCE
#include "hal/io/sched_stats.h"
#include "tests/support/check.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGES 64

TEST(fresh_pages_count_as_minor_faults)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, (size_t)(PAGES * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED)
        return;
    eb_sched_stats_t a, b;
    CHECK_EQ_INT(eb_sched_stats_thread(&a), 0);
    for (int i = 0; i < PAGES; i++)
        m[(long)i * page] = 1; /* the first touch of each page is a fault */
    CHECK_EQ_INT(eb_sched_stats_thread(&b), 0);
    CHECK_MSG(b.minor_faults - a.minor_faults >= PAGES, "%lld faults for %d fresh pages",
              (long long)(b.minor_faults - a.minor_faults), PAGES);
    for (int i = 0; i < PAGES; i++)
        m[(long)i * page] = 2; /* touched again: no new fault */
    CHECK_EQ_INT(eb_sched_stats_thread(&a), 0);
    CHECK_MSG(a.minor_faults - b.minor_faults < PAGES / 4, "%lld faults for pages already mapped",
              (long long)(a.minor_faults - b.minor_faults));
    munmap(m, (size_t)(PAGES * page));
}

static volatile int g_stop;

static void *spin(void *arg)
{
    (void)arg;
    while (!g_stop)
        ;
    return NULL;
}

/* Two busy threads on one CPU: the scheduler must take the CPU from this one, and says so. */
TEST(sharing_a_cpu_counts_preemptions)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
        CHECK_SKIP("sched_setaffinity refused");
        return;
    }
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setaffinity_np(&at, sizeof one, &one);
    CHECK_EQ_INT(pthread_create(&t, &at, spin, NULL), 0);
    eb_sched_stats_t a, b;
    CHECK_EQ_INT(eb_sched_stats_thread(&a), 0);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do /* busy for 200 ms: several time slices */
        clock_gettime(CLOCK_MONOTONIC, &now);
    while ((now.tv_sec - t0.tv_sec) * 1000000000LL + (now.tv_nsec - t0.tv_nsec) < 200000000LL);
    CHECK_EQ_INT(eb_sched_stats_thread(&b), 0);
    g_stop = 1;
    pthread_join(t, NULL);
    pthread_attr_destroy(&at);
    CHECK_MSG(b.preemptions > a.preemptions, "no preemption counted in 200 ms sharing a CPU with a busy thread");
}

int main(void)
{
    RUN(fresh_pages_count_as_minor_faults);
    RUN(sharing_a_cpu_counts_preemptions);
    return eb_check_report();
}
