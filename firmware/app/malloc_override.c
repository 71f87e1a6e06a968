/* Replaces the C library's allocator with the arena (DESIGN.md, "Memory model").
 *
 * Linked into edgeboxd and the integration tests only: glibc lets a program supply malloc, free,
 * calloc, realloc and the aligned variants (in a static link all of them must come from one place,
 * or libc's own malloc.o is pulled in beside ours). A spinlock makes it safe for curl's resolver
 * thread; there is no other thread. */
#include "app/heap.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static eb_arena_t g_arena;
static int g_ready;
static unsigned char *g_region; /* the reserved mapping, for eb_heap_prefault */
static size_t g_region_len;
static char g_lock;
static _Alignas(64) char g_bootstrap[EB_HEAP_BOOTSTRAP_BYTES];

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static void lock(void)
{
    while (__atomic_test_and_set(&g_lock, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&g_lock, __ATOMIC_RELAXED))
            cpu_relax();
}
static void unlock(void) { __atomic_clear(&g_lock, __ATOMIC_RELEASE); }

/* Called with the lock held. */
static eb_arena_t *arena(void)
{
    if (!g_ready) {
        eb_arena_init(&g_arena);
        eb_arena_add_region(&g_arena, g_bootstrap, sizeof g_bootstrap);
        g_ready = 1;
    }
    return &g_arena;
}

int eb_heap_reserve(size_t bytes)
{
    static int reserved;
    if (reserved) {
        errno = EBUSY;
        return -1;
    }
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -1;
    lock();
    int rc = eb_arena_add_region(arena(), mem, bytes);
    unlock();
    if (rc != 0) {
        munmap(mem, bytes);
        errno = ENOMEM;
        return -1;
    }
    reserved = 1;
    g_region = mem;
    g_region_len = bytes;
    return 0;
}

size_t eb_heap_prefault(void)
{
    /* Rewrites one byte per page with its own value: the page is made present and writable without
     * changing what a block allocated there holds (nothing else runs during start-up). */
    long page = sysconf(_SC_PAGESIZE);
    size_t step = page > 0 ? (size_t)page : 4096, n = 0;
    volatile unsigned char *p = g_region;
    for (size_t off = 0; p && off < g_region_len; off += step, n++)
        p[off] = p[off]; /* cppcheck-suppress selfAssignment ; volatile: the store is the point */
    return n;
}

void eb_heap_stats(eb_arena_stats_t *out)
{
    lock();
    *out = arena()->stats;
    unlock();
}

int eb_heap_check(void)
{
    lock();
    int rc = eb_arena_check(arena());
    unlock();
    return rc;
}

int eb_heap_is_arena(void) { return 1; }

void *malloc(size_t n)
{
    lock();
    void *p = eb_arena_malloc(arena(), n);
    unlock();
    if (!p)
        errno = ENOMEM;
    return p;
}

void free(void *p)
{
    if (!p)
        return;
    lock();
    eb_arena_free(arena(), p);
    unlock();
}

void *calloc(size_t count, size_t n)
{
    lock();
    void *p = eb_arena_calloc(arena(), count, n);
    unlock();
    if (!p)
        errno = ENOMEM;
    return p;
}

void *realloc(void *old, size_t n)
{
    lock();
    void *p = eb_arena_realloc(arena(), old, n);
    unlock();
    if (!p && n)
        errno = ENOMEM;
    return p;
}

void *memalign(size_t align, size_t n)
{
    if (align & (align - 1)) /* glibc rounds a non-power of two up */
        align = (size_t)1 << (64 - __builtin_clzll((unsigned long long)align));
    lock();
    void *p = eb_arena_memalign(arena(), align, n);
    unlock();
    if (!p)
        errno = ENOMEM;
    return p;
}

void *aligned_alloc(size_t align, size_t n) { return memalign(align, n); }

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t n) { return memalign((size_t)sysconf(_SC_PAGESIZE), n); }

void *pvalloc(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return memalign(page, (n + page - 1) & ~(page - 1));
}

size_t malloc_usable_size(void *p)
{
    lock();
    size_t n = eb_arena_usable_size(arena(), p);
    unlock();
    return n;
}
