/* The journal (SPEC section 9, DESIGN.md "Journal"; schema in docs/journal.md): one SQLite file in WAL mode
 * with synchronous=FULL, so a committed row survives a power cut. Orders, their transitions and fills,
 * positions, equity, decisions, events (kill switch, breakers, model changes, arming changes), a key-value
 * state table (kill-switch latch, anti-rollback counter, ...) and the strategy lifecycle. A restart reads
 * back the same state.
 *
 * Opening never harms an existing file: it is validated first without SQLite writing anything (the header
 * by hand, then an immutable read-only connection: integrity, application id, schema version, tables), and
 * a file that fails is refused with a message saying what is wrong and that it was left untouched. A new
 * journal is built under a temporary name and linked into place, so a crash never leaves a half-made one
 * and an existing file is never replaced. Locking is SQLite's ordinary WAL locking, so readers work while
 * the daemon writes; the daemon keeps a second daemon out with its state directory's lock file
 * (app/state_lock.h).
 *
 * All statements are prepared at open and reused (no per-call allocation beyond SQLite's own caches).
 * Every function returns 0 on success and -1 on error (eb_journal_error() says why), except where noted.
 * Times are passed in (UTC ms); the journal reads no clock. */
#ifndef EB_APP_JOURNAL_H
#define EB_APP_JOURNAL_H

#include "core/arming.h"
#include "core/order_state.h"

#include <stddef.h>
#include <stdint.h>

/* Every journal call's result must be looked at: a failed write that nobody sees is how state gets lost. */
#define EB_JOURNAL_MUST_CHECK __attribute__((warn_unused_result))

#define EB_JOURNAL_SCHEMA_VERSION 1
#define EB_JOURNAL_APPLICATION_ID 0x45424a31 /* "EBJ1": PRAGMA application_id */

/* 1 when the order state machine allows from -> to (see docs/journal.md). */
int eb_order_transition_ok(eb_order_state_t from, eb_order_state_t to);

#define EB_JOURNAL_ID_MAX 40     /* client ids are <= 36 (core/order_id.h); exchange and trade ids */
#define EB_JOURNAL_SYMBOL_MAX 24
#define EB_JOURNAL_TEXT_MAX 128

typedef struct {
    char client_id[EB_JOURNAL_ID_MAX];
    char exchange_id[EB_JOURNAL_ID_MAX];   /* "" until acknowledged */
    char symbol[EB_JOURNAL_SYMBOL_MAX];
    char type[16];                         /* "market", "limit", "stop_market", ... */
    int side;                              /* +1 buy, -1 sell */
    double qty, price, stop_price;         /* NaN: not applicable */
    eb_order_state_t state;
    double filled_qty, avg_price;          /* avg_price NaN until a fill */
    int64_t bar_ms, created_ms, updated_ms;
    char reason[EB_JOURNAL_TEXT_MAX];      /* why it exists: "entry", "stop", "flatten", "kill_switch", ... */
} eb_journal_order_t;

typedef struct {
    char client_id[EB_JOURNAL_ID_MAX];
    char trade_id[EB_JOURNAL_ID_MAX];      /* the exchange's (or the paper engine's) trade id */
    double qty, price, fee;
    char fee_asset[16];
    int64_t time_ms;
} eb_journal_fill_t;

typedef struct {
    char symbol[EB_JOURNAL_SYMBOL_MAX];
    int side;                              /* +1 long, -1 short */
    double qty, qty_initial, entry, r_dist, stop;
    int stop_kind, trailing, partial_done; /* as core/position.h keeps them */
    int64_t opened_ms, updated_ms;
} eb_journal_position_t;

typedef struct {
    int64_t time_ms;
    double equity, cash, unrealized;
} eb_journal_equity_t;

typedef struct {
    int64_t bar_ms;
    char action[16];                       /* "buy", "sell", "hold", "close", ... */
    double p_buy, p_sell, p_neutral;       /* NaN when no model ran */
    char reason[EB_JOURNAL_TEXT_MAX];      /* the named reason of a refusal, or "" */
    char model_id[EB_JOURNAL_ID_MAX];
} eb_journal_decision_t;

typedef struct {
    int64_t id, time_ms;
    char kind[16];
    char detail[256];
} eb_journal_event_t;

typedef struct eb_journal eb_journal_t;

/* Opens (or creates) the journal at path. On refusal *out is NULL and err says what is wrong. */
EB_JOURNAL_MUST_CHECK int eb_journal_open(eb_journal_t **out, const char *path, char *err, size_t err_cap);
void eb_journal_close(eb_journal_t *j);
const char *eb_journal_error(const eb_journal_t *j);
const char *eb_journal_path(const eb_journal_t *j);

/* Groups writes into one durable commit (e.g. a fill, the order's new state and the position). */
EB_JOURNAL_MUST_CHECK int eb_journal_begin(eb_journal_t *j);
EB_JOURNAL_MUST_CHECK int eb_journal_commit(eb_journal_t *j);
EB_JOURNAL_MUST_CHECK int eb_journal_rollback(eb_journal_t *j);

/* --- orders ------------------------------------------------------------------------------------- */
/* Inserts o in state intent (o->state is ignored). A client id already present is an error. */
EB_JOURNAL_MUST_CHECK int eb_journal_order_intent(eb_journal_t *j, const eb_journal_order_t *o, int64_t now_ms);
/* Moves an order to `to` if the state machine allows it, and logs the transition. exchange_id NULL or ""
 * and NaN quantities keep the stored values; filled_qty may only grow and never exceed qty. */
EB_JOURNAL_MUST_CHECK int eb_journal_order_update(eb_journal_t *j, const char *client_id, eb_order_state_t to, const char *exchange_id,
                            double filled_qty, double avg_price, const char *detail, int64_t now_ms);
/* 0 found, 1 no such order, -1 error. */
EB_JOURNAL_MUST_CHECK int eb_journal_order_get(eb_journal_t *j, const char *client_id, eb_journal_order_t *out);
/* Calls cb for every non-terminal order, oldest first (what start-up reconciles). A non-zero return from
 * cb stops the walk and is returned. cb must not call eb_journal_orders_open itself. */
EB_JOURNAL_MUST_CHECK int eb_journal_orders_open(eb_journal_t *j, int (*cb)(void *ctx, const eb_journal_order_t *o), void *ctx);
/* Records a fill; the same (client_id, trade_id) again is ignored and returns 1 (replays are harmless). */
EB_JOURNAL_MUST_CHECK int eb_journal_fill_add(eb_journal_t *j, const eb_journal_fill_t *f);

/* --- positions, equity, decisions, events --------------------------------------------------------- */
EB_JOURNAL_MUST_CHECK int eb_journal_position_put(eb_journal_t *j, const eb_journal_position_t *p); /* insert or replace */
EB_JOURNAL_MUST_CHECK int eb_journal_position_delete(eb_journal_t *j, const char *symbol);
EB_JOURNAL_MUST_CHECK int eb_journal_positions_each(eb_journal_t *j, int (*cb)(void *ctx, const eb_journal_position_t *p), void *ctx);
EB_JOURNAL_MUST_CHECK int eb_journal_equity_add(eb_journal_t *j, const eb_journal_equity_t *e); /* one row per time_ms */
EB_JOURNAL_MUST_CHECK int eb_journal_equity_last(eb_journal_t *j, eb_journal_equity_t *out);   /* 0, 1 when none, -1 */
EB_JOURNAL_MUST_CHECK int eb_journal_decision_add(eb_journal_t *j, const eb_journal_decision_t *d);
/* kind: start, stop, kill_switch, arming, breaker, model, lifecycle, reconcile, stale_data, trade, error,
 * config (anything else is refused by the schema's CHECK). */
EB_JOURNAL_MUST_CHECK int eb_journal_event_add(eb_journal_t *j, int64_t time_ms, const char *kind, const char *detail);
/* The newest `limit` events (of `kind`, or all when NULL), newest first. Returns the number written. */
EB_JOURNAL_MUST_CHECK int eb_journal_events_recent(eb_journal_t *j, const char *kind, eb_journal_event_t *out, int limit);

/* --- state ---------------------------------------------------------------------------------------- */
/* Keys in use: killswitch.latched ("0"/"1"), arming.reasons (names joined by ','),
 * model.release_counter (decimal uint64). */
EB_JOURNAL_MUST_CHECK int eb_journal_state_set(eb_journal_t *j, const char *key, const char *value, int64_t now_ms);
EB_JOURNAL_MUST_CHECK int eb_journal_state_get(eb_journal_t *j, const char *key, char *buf, size_t cap); /* 0, 1 missing, -1 */
EB_JOURNAL_MUST_CHECK int eb_journal_state_set_u64(eb_journal_t *j, const char *key, uint64_t v, int64_t now_ms);
EB_JOURNAL_MUST_CHECK int eb_journal_state_get_u64(eb_journal_t *j, const char *key, uint64_t *v); /* 0, 1 missing, -1 */

/* The kill-switch latch, which survives restarts (SPEC section 9): the state key killswitch.latched and a
 * second copy, the file EB_JOURNAL_LATCH_FILE beside the journal (present: latched), so that losing the
 * journal does not lose the latch. Latched in either place reads as latched; a missing key and no file
 * read as not latched. set writes the file before the row (and removes it before a re-arm's row), so a
 * failure in between leaves the box latched. The caller journals the matching kill_switch event (with its
 * detail) in the same transaction if it wants them atomic. */
#define EB_JOURNAL_LATCH_FILE "killswitch.latched"
EB_JOURNAL_MUST_CHECK int eb_journal_killswitch_set(eb_journal_t *j, int latched, int64_t now_ms);
EB_JOURNAL_MUST_CHECK int eb_journal_killswitch_get(eb_journal_t *j, int *latched);

/* Arming changed: one "arming" event naming the reasons set and cleared and the resulting set, and the
 * state key arming.reasons, in one transaction. Nothing is written when old == now. */
EB_JOURNAL_MUST_CHECK int eb_journal_arming_changed(eb_journal_t *j, eb_arming_t old, eb_arming_t now, int64_t now_ms);
/* The last journalled arming set (0 and *m when present, 1 missing, -1). */
EB_JOURNAL_MUST_CHECK int eb_journal_arming_get(eb_journal_t *j, eb_arming_t *m);

/* stage: candidate, incubation, production, retired (core/lifecycle.h). */
EB_JOURNAL_MUST_CHECK int eb_journal_lifecycle_set(eb_journal_t *j, const char *strategy, const char *stage, int64_t since_ms, int64_t now_ms);
EB_JOURNAL_MUST_CHECK int eb_journal_lifecycle_get(eb_journal_t *j, const char *strategy, char *stage, size_t cap, int64_t *since_ms);

#endif
