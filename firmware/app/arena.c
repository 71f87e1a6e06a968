/* Two-level segregated-fit allocator; see arena.h for the contract.
 *
 * Every block starts with a 16-byte header: the size of the previous block (valid only while that
 * block is free) and this block's size with two flag bits. A free block keeps its free-list links in
 * its payload. Free blocks never touch each other (they merge on free), and each region ends in a
 * zero-sized "used" sentinel so merging stops there without a bounds check. */
#include "app/arena.h"

#include <string.h>

struct eb_arena_block {
    size_t prev_size;
    size_t size; /* bytes including this header | USED | PREV_USED */
    eb_arena_block_t *next_free, *prev_free;
};

enum { USED = 1, PREV_USED = 2, FLAGS = 3 };
#define HDR ((size_t)16)
#define MIN_BLOCK ((size_t)32)
#define SMALL ((size_t)256) /* below: one exact bin per 16 bytes */
#define MAX_REQUEST ((size_t)1 << 46)

static size_t bsize(const eb_arena_block_t *b) { return b->size & ~(size_t)FLAGS; }
static eb_arena_block_t *at(void *p, size_t off) { return (eb_arena_block_t *)((char *)p + off); }
static eb_arena_block_t *next_of(eb_arena_block_t *b) { return at(b, bsize(b)); }
static eb_arena_block_t *of_payload(const void *p) { return (eb_arena_block_t *)((char *)p - HDR); }
static void *payload(eb_arena_block_t *b) { return (char *)b + HDR; }
static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }
static int log2_floor(size_t x) { return 63 - __builtin_clzll((unsigned long long)x); }

static void mapping(size_t size, int *fl, int *sl)
{
    if (size < SMALL) {
        *fl = 0;
        *sl = (int)(size >> 4);
    } else {
        int f = log2_floor(size);
        *fl = f - 7;
        *sl = (int)((size >> (f - 4)) & (EB_ARENA_SL - 1));
    }
}

/* The bin from which every block is large enough: round up to the next subdivision first. */
static void mapping_search(size_t size, int *fl, int *sl)
{
    if (size >= SMALL)
        size += ((size_t)1 << (log2_floor(size) - 4)) - 1;
    mapping(size, fl, sl);
}

static void bin_insert(eb_arena_t *a, eb_arena_block_t *b)
{
    int fl, sl;
    mapping(bsize(b), &fl, &sl);
    b->prev_free = NULL;
    b->next_free = a->bins[fl][sl];
    if (b->next_free)
        b->next_free->prev_free = b;
    a->bins[fl][sl] = b;
    a->fl_bitmap |= 1ull << fl;
    a->sl_bitmap[fl] = (uint16_t)(a->sl_bitmap[fl] | (1u << sl));
}

static void bin_remove(eb_arena_t *a, eb_arena_block_t *b)
{
    int fl, sl;
    mapping(bsize(b), &fl, &sl);
    if (b->prev_free)
        b->prev_free->next_free = b->next_free;
    else
        a->bins[fl][sl] = b->next_free;
    if (b->next_free)
        b->next_free->prev_free = b->prev_free;
    if (!a->bins[fl][sl]) {
        a->sl_bitmap[fl] = (uint16_t)(a->sl_bitmap[fl] & ~(1u << sl));
        if (!a->sl_bitmap[fl])
            a->fl_bitmap &= ~(1ull << fl);
    }
}

/* Near exhaustion the one block that fits may sit in the request's own bin, which the rounded search
 * skips: look through that bin before giving up. */
static eb_arena_block_t *bin_scan_exact(eb_arena_t *a, size_t need)
{
    int fl, sl;
    mapping(need, &fl, &sl);
    if (fl >= EB_ARENA_FL)
        return NULL;
    for (eb_arena_block_t *b = a->bins[fl][sl]; b; b = b->next_free)
        if (bsize(b) >= need)
            return b;
    return NULL;
}

static eb_arena_block_t *bin_find(eb_arena_t *a, size_t need)
{
    int fl, sl;
    mapping_search(need, &fl, &sl);
    if (fl >= EB_ARENA_FL)
        return bin_scan_exact(a, need);
    unsigned sl_map = a->sl_bitmap[fl] & (~0u << sl);
    if (!sl_map) {
        uint64_t fl_map = fl + 1 < 64 ? a->fl_bitmap & (~0ull << (fl + 1)) : 0;
        if (!fl_map)
            return bin_scan_exact(a, need);
        fl = __builtin_ctzll(fl_map);
        sl_map = a->sl_bitmap[fl];
    }
    return a->bins[fl][__builtin_ctz(sl_map)];
}

/* Marks b (already out of the free lists) as a free block of its size and merges its neighbours. */
static void release(eb_arena_t *a, eb_arena_block_t *b)
{
    size_t size = bsize(b);
    eb_arena_block_t *next = at(b, size);
    if (!(next->size & USED)) {
        bin_remove(a, next);
        size += bsize(next);
    }
    if (!(b->size & PREV_USED)) {
        eb_arena_block_t *prev = at(b, 0 - b->prev_size);
        bin_remove(a, prev);
        size += bsize(prev);
        b = prev;
    }
    b->size = size | PREV_USED; /* a free block's predecessor is always in use */
    next = at(b, size);
    next->prev_size = size;
    next->size &= ~(size_t)PREV_USED;
    bin_insert(a, b);
}

/* Cuts b (in use) down to `keep` bytes when the rest makes a block of its own, and frees the rest.
 * Returns the bytes cut off. */
static size_t trim(eb_arena_t *a, eb_arena_block_t *b, size_t keep)
{
    size_t size = bsize(b);
    if (size - keep < MIN_BLOCK)
        return 0;
    b->size = keep | (b->size & FLAGS);
    eb_arena_block_t *rest = at(b, keep);
    rest->size = (size - keep) | USED | PREV_USED;
    release(a, rest);
    return size - keep;
}

static size_t block_need(size_t n)
{
    size_t need = round16(n + HDR);
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

void eb_arena_init(eb_arena_t *a) { memset(a, 0, sizeof *a); }

int eb_arena_add_region(eb_arena_t *a, void *mem, size_t size)
{
    char *start = (char *)round16((size_t)mem);
    char *end = (char *)(((size_t)mem + size) & ~(size_t)15);
    if (a->nregions == EB_ARENA_MAX_REGIONS || end <= start || (size_t)(end - start) < MIN_BLOCK + HDR)
        return -1;
    size_t free_size = (size_t)(end - start) - HDR;
    eb_arena_block_t *b = at(start, 0);
    b->size = free_size | USED | PREV_USED;
    eb_arena_block_t *sentinel = at(start, free_size);
    sentinel->size = 0 | USED | PREV_USED;
    a->regions[a->nregions].start = start;
    a->regions[a->nregions].end = end;
    a->nregions++;
    a->stats.capacity += free_size;
    release(a, b);
    return 0;
}

static void count_in_use(eb_arena_t *a, size_t size)
{
    a->stats.in_use += size;
    if (a->stats.in_use > a->stats.high_water)
        a->stats.high_water = a->stats.in_use;
}

void *eb_arena_malloc(eb_arena_t *a, size_t n)
{
    if (n > MAX_REQUEST) {
        a->stats.failures++;
        return NULL;
    }
    size_t need = block_need(n);
    eb_arena_block_t *b = bin_find(a, need);
    if (!b) {
        a->stats.failures++;
        return NULL;
    }
    bin_remove(a, b);
    b->size |= USED;
    next_of(b)->size |= PREV_USED;
    trim(a, b, need);
    a->stats.allocs++;
    count_in_use(a, bsize(b));
    return payload(b);
}

void eb_arena_free(eb_arena_t *a, void *p)
{
    if (!p)
        return;
    eb_arena_block_t *b = of_payload(p);
    a->stats.frees++;
    a->stats.in_use -= bsize(b);
    release(a, b);
}

void *eb_arena_calloc(eb_arena_t *a, size_t count, size_t n)
{
    size_t total;
    if (__builtin_mul_overflow(count, n, &total)) {
        a->stats.failures++;
        return NULL;
    }
    void *p = eb_arena_malloc(a, total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *eb_arena_realloc(eb_arena_t *a, void *p, size_t n)
{
    if (!p)
        return eb_arena_malloc(a, n);
    if (n == 0) {
        eb_arena_free(a, p);
        return NULL;
    }
    if (n > MAX_REQUEST) {
        a->stats.failures++;
        return NULL;
    }
    eb_arena_block_t *b = of_payload(p);
    size_t need = block_need(n), cur = bsize(b);
    if (need <= cur) {
        a->stats.in_use -= trim(a, b, need);
        return p;
    }
    eb_arena_block_t *next = next_of(b);
    if (!(next->size & USED) && cur + bsize(next) >= need) { /* grow in place */
        size_t grown = cur + bsize(next);
        bin_remove(a, next);
        b->size = grown | (b->size & FLAGS);
        next_of(b)->size |= PREV_USED;
        trim(a, b, need);
        count_in_use(a, bsize(b) - cur);
        return p;
    }
    void *q = eb_arena_malloc(a, n);
    if (!q)
        return NULL; /* the old block is untouched, as realloc promises */
    memcpy(q, p, cur - HDR);
    eb_arena_free(a, p);
    return q;
}

void *eb_arena_memalign(eb_arena_t *a, size_t align, size_t n)
{
    if (align & (align - 1)) {
        a->stats.failures++;
        return NULL;
    }
    if (align <= 16)
        return eb_arena_malloc(a, n);
    if (n > MAX_REQUEST) {
        a->stats.failures++;
        return NULL;
    }
    char *p = eb_arena_malloc(a, n + align + MIN_BLOCK);
    if (!p)
        return NULL;
    size_t gap = (size_t)(((size_t)p + align - 1) & ~(align - 1)) - (size_t)p;
    if (gap == 0)
        return p;
    if (gap < MIN_BLOCK)
        gap += align; /* the front piece must be able to stand as a free block */
    eb_arena_block_t *front = of_payload(p);
    size_t size = bsize(front);
    eb_arena_block_t *b = at(front, gap);
    b->size = (size - gap) | USED | PREV_USED;
    front->size = gap | (front->size & FLAGS);
    a->stats.in_use -= gap;
    release(a, front);
    return payload(b);
}

size_t eb_arena_usable_size(const eb_arena_t *a, const void *p)
{
    (void)a;
    return p ? bsize(of_payload(p)) - HDR : 0;
}

int eb_arena_owns(const eb_arena_t *a, const void *p)
{
    for (int i = 0; i < a->nregions; i++)
        if ((const char *)p >= a->regions[i].start && (const char *)p < a->regions[i].end)
            return 1;
    return 0;
}

static int in_bins(const eb_arena_t *a, const eb_arena_block_t *b)
{
    int fl, sl;
    mapping(bsize(b), &fl, &sl);
    for (const eb_arena_block_t *f = a->bins[fl][sl]; f; f = f->next_free)
        if (f == b)
            return 1;
    return 0;
}

int eb_arena_check(const eb_arena_t *a)
{
    size_t used = 0, nfree = 0, listed = 0;
    for (int r = 0; r < a->nregions; r++) {
        eb_arena_block_t *b = at(a->regions[r].start, 0);
        int prev_used = 1;
        size_t prev_size = 0;
        while (bsize(b) != 0) {
            if (((b->size & PREV_USED) != 0) != prev_used)
                return -1;
            if (!prev_used && b->prev_size != prev_size)
                return -2;
            if (!(b->size & USED)) {
                if (!prev_used)
                    return -3; /* two free neighbours should have merged */
                if (!in_bins(a, b))
                    return -4;
                nfree++;
            } else {
                used += bsize(b);
            }
            prev_used = (b->size & USED) != 0;
            prev_size = bsize(b);
            b = next_of(b);
            if ((char *)b >= a->regions[r].end)
                return -5;
        }
    }
    for (int fl = 0; fl < EB_ARENA_FL; fl++)
        for (int sl = 0; sl < EB_ARENA_SL; sl++) {
            if (((a->sl_bitmap[fl] >> sl) & 1) != (a->bins[fl][sl] != NULL))
                return -6;
            for (const eb_arena_block_t *f = a->bins[fl][sl]; f; f = f->next_free)
                listed++;
        }
    if (listed != nfree)
        return -7;
    return used == a->stats.in_use ? 0 : -8;
}
