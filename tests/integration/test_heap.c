/* The whole process on the arena (malloc_override.o linked in): libraries work on it, the OS heap does
 * not grow after the seal point, and exhaustion is reported and survived. */
#include "app/heap.h"
#include "app/selftest.h"
#include "tests/support/check.h"

#include <stdint.h>
#include <stdlib.h>

#define ARENA_MIB 32

TEST(libraries_run_on_the_arena)
{
    CHECK(eb_heap_is_arena());
    eb_arena_stats_t before, after;
    eb_heap_stats(&before);
    CHECK_EQ_INT(eb_selftest_run(stdout), 0);
    eb_heap_stats(&after);
    CHECK(after.allocs > before.allocs + 1000); /* SQLite, mbedTLS, cJSON, curl really allocated here */
    CHECK_EQ_INT(eb_heap_check(), 0);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

TEST(no_os_heap_growth_after_seal)
{
    enum { SLOTS = 1024 };
    static void *live[SLOTS];
    uint64_t s = 42;
    /* Warm up libc's own lazily allocated state, then seal: from here the OS must give nothing. */
    eb_os_memory_t sealed, now;
    CHECK_EQ_INT(eb_os_memory(&sealed), 0);
    size_t max_in_use = 0;
    for (long op = 0; op < 1000000; op++) {
        int i = (int)(rnd(&s) % SLOTS);
        if (live[i]) {
            free(live[i]);
            live[i] = NULL;
        } else {
            size_t n = rnd(&s) % 4 == 0 ? rnd(&s) % 65536 : rnd(&s) % 256;
            switch (rnd(&s) % 4) {
            case 0: live[i] = calloc(1, n); break;
            case 1: live[i] = realloc(malloc(n / 2 + 1), n + 1); break;
            case 2: live[i] = aligned_alloc(64, (n + 63) & ~(size_t)63); break;
            default: live[i] = malloc(n); break;
            }
            if (live[i])
                memset(live[i], 1, n < 16 ? n : 16);
        }
        if (op % 100000 == 0) {
            eb_arena_stats_t st;
            eb_heap_stats(&st);
            if (st.in_use > max_in_use)
                max_in_use = st.in_use;
        }
    }
    for (int i = 0; i < SLOTS; i++)
        free(live[i]);
    CHECK_EQ_INT(eb_os_memory(&now), 0);
    eb_arena_stats_t st;
    eb_heap_stats(&st);
    printf("1,000,000 alloc/free cycles: brk %zu -> %zu B, anonymous mappings %zu -> %zu B (%u -> %u), "
           "arena in use %zu B, high-water %zu B\n",
           sealed.brk_bytes, now.brk_bytes, sealed.anon_bytes, now.anon_bytes, sealed.anon_count,
           now.anon_count, st.in_use, st.high_water);
    CHECK_EQ_INT(now.brk_bytes, sealed.brk_bytes);
    CHECK_EQ_INT(now.anon_bytes, sealed.anon_bytes);
    CHECK(max_in_use > 1 << 20); /* the workload really used the arena */
    CHECK_EQ_INT(eb_heap_check(), 0);
}

TEST(exhaustion_is_reported_and_survived)
{
    eb_arena_stats_t before, after;
    eb_heap_stats(&before);
    void *chunks[ARENA_MIB * 2];
    int n = 0;
    while (n < ARENA_MIB * 2 && (chunks[n] = malloc(1 << 20)) != NULL)
        n++;
    CHECK(n > ARENA_MIB / 2 && n < ARENA_MIB * 2);
    void *small[4096];
    int m = 0;
    while (m < 4096 && (small[m] = malloc(512)) != NULL)
        m++;
    CHECK(m < 4096);
    eb_heap_stats(&after);
    CHECK(after.failures >= before.failures + 2);
    CHECK(after.in_use > after.capacity - (1 << 20));
    printf("exhaustion: %d x 1 MiB + %d x 512 B before NULL; failures counted: %llu\n", n, m,
           (unsigned long long)(after.failures - before.failures));
    /* While exhausted, a library call fails cleanly rather than crashing... */
    int failed_parts = eb_selftest_run(stdout);
    CHECK(failed_parts > 0);
    for (int i = 0; i < m; i++)
        free(small[i]);
    for (int i = 0; i < n; i++)
        free(chunks[i]);
    /* ...and once memory is back, everything works again. */
    CHECK_EQ_INT(eb_selftest_run(stdout), 0);
    CHECK_EQ_INT(eb_heap_check(), 0);
}

int main(void)
{
    if (eb_heap_reserve((size_t)ARENA_MIB << 20) != 0) {
        fprintf(stderr, "cannot reserve the arena\n");
        return 1;
    }
    RUN(libraries_run_on_the_arena);
    RUN(no_os_heap_growth_after_seal);
    RUN(exhaustion_is_reported_and_survived);
    return eb_check_report();
}
