/* Arming (DESIGN.md "Arming", SPEC section 9): trading may open positions only while no disarm reason is
 * set. The reasons form a bitmask; each has a stable lower-case name used for systemd STATUS= lines,
 * Prometheus labels (edgebox_disarm_reason{reason="..."}), the HTTP API and the journal.
 *
 * The values are stable (they are stored in journals as names, never as numbers, but keep the order): new
 * reasons go at the end. Setting a reason is immediate. Clearing follows that reason's own rule, which lives with its owner (the
 * kill switch needs release plus an explicit re-arm, a breaker clears itself on recovery or period roll):
 * this module only keeps the bits and their names. Stops keep being managed while disarmed. */
#ifndef EB_CORE_ARMING_H
#define EB_CORE_ARMING_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    EB_DISARM_KILL_SWITCH = 0, /* physical button pressed or latched */
    EB_DISARM_MASTER_SWITCH,   /* trading switched off in the config or by the API */
    EB_DISARM_BREAKER_DAILY,   /* circuit breakers of SPEC section 7 */
    EB_DISARM_BREAKER_WEEKLY,
    EB_DISARM_BREAKER_MONTHLY,
    EB_DISARM_STALE_DATA,      /* newest closed bar older than two intervals plus grace */
    EB_DISARM_NO_MODEL,        /* no valid model loaded */
    EB_DISARM_UNRECONCILED,    /* journal / exchange state not (yet) reconciled */
    EB_DISARM_CLOCK,           /* clock not synchronised or exchange offset too large */
    EB_DISARM_JOURNAL,         /* journal write failed */
    EB_DISARM_NOT_PROMOTED,    /* lifecycle: live mode for a strategy not promoted from paper */
    EB_DISARM_STARTING,        /* start-up not finished (backfill, warm-up) */
    EB_DISARM_KILL_SWITCH_FAULT, /* the kill-switch line could not be read: latched like a press */
    EB_DISARM_COUNT
} eb_disarm_reason_t;

typedef uint32_t eb_arming_t; /* bit r set = reason r present; 0 = armed */

#define EB_DISARM_BIT(r) ((eb_arming_t)1u << (unsigned)(r))
#define EB_DISARM_ALL (EB_DISARM_BIT(EB_DISARM_COUNT) - 1u)
#define EB_DISARM_BREAKERS \
    (EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY) | EB_DISARM_BIT(EB_DISARM_BREAKER_WEEKLY) | \
     EB_DISARM_BIT(EB_DISARM_BREAKER_MONTHLY))

/* "kill_switch", "master_switch", "breaker_daily", ...; NULL for a value outside the enum. */
const char *eb_disarm_reason_name(eb_disarm_reason_t r);
/* Reverse lookup; returns 0 and sets *r, or -1 for an unknown name. */
int eb_disarm_reason_from_name(const char *name, eb_disarm_reason_t *r);

static inline int eb_arming_is_armed(eb_arming_t m) { return m == 0; }
static inline int eb_arming_has(eb_arming_t m, eb_disarm_reason_t r) { return (m & EB_DISARM_BIT(r)) != 0; }
static inline eb_arming_t eb_arming_set(eb_arming_t m, eb_disarm_reason_t r) { return m | EB_DISARM_BIT(r); }
static inline eb_arming_t eb_arming_clear(eb_arming_t m, eb_disarm_reason_t r) { return m & ~EB_DISARM_BIT(r); }

/* The reasons in enum order joined by ',' ("" when armed) into buf (always NUL-terminated when cap > 0,
 * truncated at a reason boundary if too small). Returns the length the full text needs, like snprintf. */
size_t eb_arming_format(eb_arming_t m, char *buf, size_t cap);
/* The highest-priority reason present (lowest enum value), or EB_DISARM_COUNT when armed. */
eb_disarm_reason_t eb_arming_first(eb_arming_t m);

#endif
