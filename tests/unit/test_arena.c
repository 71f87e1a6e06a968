/* The arena allocator on its own, over buffers the test owns (runs under ASan too). */
#include "app/arena.h"
#include "tests/support/check.h"

#include <stdint.h>
#include <stdlib.h>

static _Alignas(64) unsigned char region[1 << 20];

static eb_arena_t *fresh(size_t size)
{
    static eb_arena_t a;
    eb_arena_init(&a);
    if (eb_arena_add_region(&a, region, size) != 0)
        return NULL;
    return &a;
}

TEST(malloc_free_basics)
{
    eb_arena_t *a = fresh(sizeof region);
    CHECK(a != NULL);
    size_t cap = a->stats.capacity;
    CHECK(cap > sizeof region - 64);
    void *p = eb_arena_malloc(a, 100), *q = eb_arena_malloc(a, 1);
    CHECK(p && q && p != q);
    CHECK_EQ_INT((uintptr_t)p % 16, 0);
    CHECK_EQ_INT((uintptr_t)q % 16, 0);
    CHECK(eb_arena_usable_size(a, p) >= 100);
    CHECK(eb_arena_owns(a, p) && !eb_arena_owns(a, &cap));
    memset(p, 0xAB, 100);
    CHECK_EQ_INT(a->stats.in_use, 128 + 32);
    CHECK_EQ_INT(eb_arena_check(a), 0);
    eb_arena_free(a, p);
    eb_arena_free(a, q);
    eb_arena_free(a, NULL);
    CHECK_EQ_INT(a->stats.in_use, 0);
    CHECK_EQ_INT(a->stats.high_water, 160);
    CHECK_EQ_INT(eb_arena_check(a), 0);
    /* Everything merged back: the whole capacity is one block again. */
    void *all = eb_arena_malloc(a, cap - 16);
    CHECK(all != NULL);
    eb_arena_free(a, all);
}

TEST(exhaustion_fails_only_the_caller)
{
    eb_arena_t *a = fresh(64 * 1024);
    void *ptrs[4096];
    int n = 0;
    while (n < 4096 && (ptrs[n] = eb_arena_malloc(a, 1000)) != NULL)
        n++;
    CHECK(n > 50 && n < 4096);
    CHECK_EQ_INT(a->stats.failures, 1);
    CHECK(eb_arena_malloc(a, 1u << 30) == NULL);
    CHECK(eb_arena_calloc(a, SIZE_MAX / 2, 4) == NULL); /* count * size overflows */
    CHECK_EQ_INT(a->stats.failures, 3);
    CHECK_EQ_INT(eb_arena_check(a), 0);
    /* realloc that cannot grow leaves the block and its contents alone */
    memset(ptrs[0], 0x5A, 1000);
    CHECK(eb_arena_realloc(a, ptrs[0], 1u << 20) == NULL);
    CHECK(((unsigned char *)ptrs[0])[999] == 0x5A);
    for (int i = 0; i < n; i++)
        eb_arena_free(a, ptrs[i]);
    CHECK_EQ_INT(a->stats.in_use, 0);
    CHECK(eb_arena_malloc(a, 1000) != NULL); /* and it works again */
    CHECK_EQ_INT(eb_arena_check(a), 0);
}

TEST(realloc_keeps_contents)
{
    eb_arena_t *a = fresh(sizeof region);
    unsigned char *p = eb_arena_malloc(a, 40);
    for (int i = 0; i < 40; i++)
        p[i] = (unsigned char)i;
    p = eb_arena_realloc(a, p, 4000); /* grows in place into the free space after it */
    CHECK(p != NULL);
    int same = 1;
    for (int i = 0; i < 40; i++)
        same &= p[i] == i;
    CHECK(same);
    unsigned char *blocker = eb_arena_malloc(a, 16);
    unsigned char *moved = eb_arena_realloc(a, p, 8000); /* must move now */
    CHECK(moved && moved != p);
    same = 1;
    for (int i = 0; i < 40; i++)
        same &= moved[i] == i;
    CHECK(same);
    moved = eb_arena_realloc(a, moved, 8); /* shrink in place */
    CHECK(moved && moved[7] == 7);
    CHECK(eb_arena_realloc(a, moved, 0) == NULL); /* frees, like glibc */
    eb_arena_free(a, blocker);
    CHECK_EQ_INT(a->stats.in_use, 0);
    CHECK_EQ_INT(eb_arena_check(a), 0);
}

TEST(memalign_honours_alignment)
{
    eb_arena_t *a = fresh(sizeof region);
    size_t aligns[] = {16, 32, 64, 128, 4096, 65536};
    void *ptrs[6];
    for (int i = 0; i < 6; i++) {
        ptrs[i] = eb_arena_memalign(a, aligns[i], 100 + (size_t)i * 50);
        CHECK_MSG(ptrs[i] && (uintptr_t)ptrs[i] % aligns[i] == 0, "align %zu", aligns[i]);
        memset(ptrs[i], 1, 100);
    }
    CHECK(eb_arena_memalign(a, 48, 10) == NULL); /* not a power of two */
    CHECK_EQ_INT(eb_arena_check(a), 0);
    for (int i = 0; i < 6; i++)
        eb_arena_free(a, ptrs[i]);
    CHECK_EQ_INT(a->stats.in_use, 0);
    CHECK_EQ_INT(eb_arena_check(a), 0);
}

TEST(region_too_small_is_refused)
{
    eb_arena_t a;
    eb_arena_init(&a);
    CHECK_EQ_INT(eb_arena_add_region(&a, region, 40), -1);
    CHECK_EQ_INT(a.nregions, 0);
    CHECK(eb_arena_malloc(&a, 1) == NULL);
}

TEST(two_regions)
{
    eb_arena_t a;
    eb_arena_init(&a);
    CHECK_EQ_INT(eb_arena_add_region(&a, region, 4096), 0);
    CHECK_EQ_INT(eb_arena_add_region(&a, region + 8192, 65536), 0);
    void *big = eb_arena_malloc(&a, 30000); /* only fits in the second */
    CHECK(big && (unsigned char *)big >= region + 8192);
    void *small = eb_arena_malloc(&a, 100);
    CHECK(small != NULL);
    CHECK_EQ_INT(eb_arena_check(&a), 0);
    eb_arena_free(&a, big);
    eb_arena_free(&a, small);
    CHECK_EQ_INT(eb_arena_check(&a), 0);
}

/* xorshift64*: a fixed, seeded stream for the random workload. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Random malloc/calloc/realloc/memalign/free against a shadow of every live block's contents:
 * a block's bytes never change behind its owner's back and blocks never overlap. */
TEST(random_workload_against_shadow)
{
    eb_arena_t *a = fresh(sizeof region);
    enum { SLOTS = 256 };
    struct { unsigned char *p; size_t n; unsigned char tag; } live[SLOTS] = {{0}};
    uint64_t s = 0x9E3779B97F4A7C15ull;
    int corrupt = 0, inconsistent = 0;
    for (int op = 0; op < 200000; op++) {
        int i = (int)(rnd(&s) % SLOTS);
        if (live[i].p) {
            for (size_t k = 0; k < live[i].n; k++)
                corrupt += live[i].p[k] != live[i].tag;
            if (rnd(&s) % 3 == 0) {
                size_t n = rnd(&s) % 3000;
                unsigned char *q = eb_arena_realloc(a, live[i].p, n);
                if (q || n == 0) {
                    size_t keep = n < live[i].n ? n : live[i].n;
                    for (size_t k = 0; k < keep; k++)
                        corrupt += q[k] != live[i].tag;
                    live[i].p = q;
                    live[i].n = n;
                    if (q)
                        memset(q, live[i].tag, n);
                }
            } else {
                eb_arena_free(a, live[i].p);
                live[i].p = NULL;
            }
        } else {
            size_t n = rnd(&s) % 2 ? rnd(&s) % 64 : rnd(&s) % 8000;
            int kind = (int)(rnd(&s) % 4);
            unsigned char *p = kind == 0   ? eb_arena_calloc(a, 1, n)
                               : kind == 1 ? eb_arena_memalign(a, (size_t)32 << (rnd(&s) % 6), n)
                                           : eb_arena_malloc(a, n);
            if (p) {
                if (kind == 0)
                    for (size_t k = 0; k < n; k++)
                        corrupt += p[k] != 0;
                live[i].p = p;
                live[i].n = n;
                live[i].tag = (unsigned char)(op & 0xFF);
                memset(p, live[i].tag, n);
            }
        }
        if (op % 10000 == 0)
            inconsistent += eb_arena_check(a) != 0;
    }
    CHECK_EQ_INT(corrupt, 0);
    CHECK_EQ_INT(inconsistent, 0);
    CHECK_EQ_INT(eb_arena_check(a), 0);
    for (int i = 0; i < SLOTS; i++)
        eb_arena_free(a, live[i].p);
    CHECK_EQ_INT(a->stats.in_use, 0);
    CHECK(a->stats.high_water > 100000);
    CHECK_EQ_INT(eb_arena_check(a), 0);
}

int main(void)
{
    RUN(malloc_free_basics);
    RUN(exhaustion_fails_only_the_caller);
    RUN(realloc_keeps_contents);
    RUN(memalign_honours_alignment);
    RUN(region_too_small_is_refused);
    RUN(two_regions);
    RUN(random_workload_against_shadow);
    return eb_check_report();
}
