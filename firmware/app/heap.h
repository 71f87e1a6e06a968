/* The process-wide heap of the static daemon: malloc, free, calloc, realloc and the aligned variants
 * all come from one eb_arena_t (malloc_override.c), so curl, SQLite, mbedTLS, cJSON and libc allocate
 * from memory reserved at start-up. Until eb_heap_reserve() runs, a small built-in bootstrap region
 * serves whatever libc allocates before main(). */
#ifndef EB_APP_HEAP_H
#define EB_APP_HEAP_H

#include "app/arena.h"

#include <stddef.h>

#define EB_HEAP_BOOTSTRAP_BYTES ((size_t)1 << 20)

/* Maps `bytes` once and hands them to the arena. 0, or -1 with errno (ENOMEM, EBUSY if done before). */
int eb_heap_reserve(size_t bytes);
void eb_heap_stats(eb_arena_stats_t *out);
/* Walks the whole heap; 0 when consistent. */
int eb_heap_check(void);
/* Makes every page of the reserved region present and writable (a bar must not wait for a first-touch
 * fault). Returns the number of pages touched (0 without an arena). */
size_t eb_heap_prefault(void);
/* Non-zero when this binary really runs on the arena (malloc_override.o linked in). */
int eb_heap_is_arena(void);

/* What the OS gave the process: the program break and the anonymous mappings (heap growth shows up
 * in one of them). Reads /proc/self/maps; returns 0 or -1. */
typedef struct {
    size_t brk_bytes;      /* [heap] size */
    size_t anon_bytes;     /* private anonymous mappings, thread stacks included */
    unsigned anon_count;
} eb_os_memory_t;
int eb_os_memory(eb_os_memory_t *out);

#endif
