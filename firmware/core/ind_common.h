/* Small helpers shared by the ind_* indicator modules (header only). Every module follows one pattern:
 *   size_t eb_X_size(periods)             bytes of state, a multiple of 8
 *   eb_X_t *eb_X_init(void *mem, periods) mem 8-byte aligned and eb_X_size() long; NULL on a bad period
 *   eb_X_step(s, input...)                O(1) amortised (O(log n) for the percentile), never allocates
 * and reports NaN while a value is not defined yet. */
#ifndef EB_CORE_IND_COMMON_H
#define EB_CORE_IND_COMMON_H

#include <stddef.h>

/* Largest period any module accepts: keeps every size computation far from overflow. */
#define EB_IND_MAX_PERIOD 100000

static inline size_t eb_ind_align8(size_t n) { return (n + 7u) & ~(size_t)7u; }

static inline int eb_ind_period_ok(int n) { return n >= 1 && n <= EB_IND_MAX_PERIOD; }

/* Next ring slot without a division. */
static inline int eb_ind_ring_next(int i, int n) { return i + 1 == n ? 0 : i + 1; }

#endif
