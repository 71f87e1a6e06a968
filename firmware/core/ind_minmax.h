/* Rolling highest or lowest of the last n values with a monotonic deque: every value enters and leaves
 * the deque once, so a step is O(1) amortised; the deque lives in a ring of n slots. On ties the
 * earliest value is the extreme (its index is what eb_minmax_index reports). */
#ifndef EB_CORE_IND_MINMAX_H
#define EB_CORE_IND_MINMAX_H

#include <stddef.h>
#include <stdint.h>

typedef enum { EB_MINMAX_MAX = 1, EB_MINMAX_MIN = -1 } eb_minmax_kind_t;

typedef struct {
    double v; /* sign * value, so one code path keeps a decreasing deque for both kinds */
    int64_t t;
} eb_minmax_slot_t;

typedef struct {
    int n, head, len;
    double sign;
    int64_t t; /* index of the next value */
    eb_minmax_slot_t q[];
} eb_minmax_t;

size_t eb_minmax_size(int n);
eb_minmax_t *eb_minmax_init(void *mem, int n, eb_minmax_kind_t kind);
/* Adds x; returns the extreme of the last n values, NaN before n values. */
double eb_minmax_step(eb_minmax_t *m, double x);
/* The extreme and the 0-based index (in push order) of the value that holds it; NaN/-1 before n values. */
double eb_minmax_value(const eb_minmax_t *m);
int64_t eb_minmax_index(const eb_minmax_t *m);

#endif
