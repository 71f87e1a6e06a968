/* A fixed-memory allocator over caller-supplied regions (DESIGN.md, "Memory model").
 *
 * Two-level segregated fit (TLSF-like): O(1) malloc and free, boundary tags so neighbours merge at
 * once, 16-byte alignment, no hidden state outside eb_arena_t. It never asks the OS for memory: when
 * its regions are full it returns NULL to that caller and counts the failure, nothing else changes.
 *
 * Not thread-safe by itself; the process-wide instance (malloc_override.c) wraps it in a lock. */
#ifndef EB_APP_ARENA_H
#define EB_APP_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define EB_ARENA_FL 40 /* first-level classes: up to 2^47-byte blocks */
#define EB_ARENA_SL 16 /* second-level subdivisions of each power of two */
#define EB_ARENA_MAX_REGIONS 4

typedef struct eb_arena_block eb_arena_block_t;

typedef struct {
    size_t in_use;     /* bytes in allocated blocks, headers included */
    size_t high_water; /* largest in_use seen */
    size_t capacity;   /* bytes in all regions */
    uint64_t allocs, frees, failures;
} eb_arena_stats_t;

typedef struct {
    uint32_t fl_bitmap;
    uint16_t sl_bitmap[EB_ARENA_FL];
    eb_arena_block_t *bins[EB_ARENA_FL][EB_ARENA_SL];
    struct { char *start, *end; } regions[EB_ARENA_MAX_REGIONS];
    int nregions;
    eb_arena_stats_t stats;
} eb_arena_t;

void eb_arena_init(eb_arena_t *a);
/* Hands [mem, mem+size) to the arena. Returns 0, or -1 when the region is too small or too many. */
int eb_arena_add_region(eb_arena_t *a, void *mem, size_t size);
void *eb_arena_malloc(eb_arena_t *a, size_t n);
void *eb_arena_calloc(eb_arena_t *a, size_t count, size_t n);
void *eb_arena_realloc(eb_arena_t *a, void *p, size_t n);
void *eb_arena_memalign(eb_arena_t *a, size_t align, size_t n);
void eb_arena_free(eb_arena_t *a, void *p);
size_t eb_arena_usable_size(const eb_arena_t *a, const void *p);
int eb_arena_owns(const eb_arena_t *a, const void *p);
/* Walks every block and free list; returns 0 when consistent, else a negative code (tests). */
int eb_arena_check(const eb_arena_t *a);

#endif
