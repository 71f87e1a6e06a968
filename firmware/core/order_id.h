/* Deterministic client order ids (SPEC section 8): the same strategy, bar and intent sequence always give
 * the same id, so a restarted box re-derives the id of an order it may already have sent and can query it.
 * Format: STRATEGY-TTTTTTTTT-SSS where STRATEGY is the strategy name (at most 14 characters, any character
 * outside [A-Za-z0-9_-] replaced by '_'), T the bar open time in ms in base 36 (lower case) and S the
 * intent's sequence number within the bar in base 36. At most 14 + 1 + 13 + 1 + 7 = 36 characters. */
#ifndef EB_CORE_ORDER_ID_H
#define EB_CORE_ORDER_ID_H

#include <stddef.h>
#include <stdint.h>

#define EB_ORDER_ID_MAX 36
#define EB_ORDER_ID_STRATEGY_MAX 14

/* Writes the id and its NUL into out (cap >= EB_ORDER_ID_MAX + 1). Returns its length, or -1 when cap is
 * too small, bar_ms < 0 or the strategy name is empty. */
int eb_order_id_make(char *out, size_t cap, const char *strategy, int64_t bar_ms, uint32_t seq);
/* 1 when s is 1..36 characters of [A-Za-z0-9_-]. */
int eb_order_id_valid(const char *s);

#endif
