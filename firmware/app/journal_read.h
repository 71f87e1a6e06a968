/* A second connection to the journal, read-only, for the operator API's read endpoints (GET
 * /api/v1/events, /api/v1/trades, /api/v1/equity). WAL lets it read while the daemon writes, and it sees only committed
 * transactions, never the daemon's open one (which a failed commit may still roll back). It never waits
 * for a lock: a busy database answers EB_JOURNAL_READ_BUSY at once, so a request cannot hold the loop.
 * Each walk is bounded by its caller's limit, and its statements are prepared once, at open. */
#ifndef EB_APP_JOURNAL_READ_H
#define EB_APP_JOURNAL_READ_H

#include "app/journal.h"

#define EB_JOURNAL_READ_BUSY (-2)

typedef struct eb_journal_reader eb_journal_reader_t;

/* One execution: a fill with its order's symbol, side (+1 buy, -1 sell), type and reason. */
typedef struct {
    int64_t id, time_ms;
    char client_id[EB_JOURNAL_ID_MAX], trade_id[EB_JOURNAL_ID_MAX];
    char symbol[EB_JOURNAL_SYMBOL_MAX], type[16], reason[EB_JOURNAL_TEXT_MAX], fee_asset[16];
    int side;
    double qty, price, fee;
} eb_journal_trade_t;

/* Opens path read-only (the journal must exist). On refusal *out is NULL and err says why. */
int eb_journal_reader_open(eb_journal_reader_t **out, const char *path, char *err, size_t cap);
void eb_journal_reader_close(eb_journal_reader_t *r);
const char *eb_journal_reader_error(const eb_journal_reader_t *r);

/* The newest `limit` events (of `kind`, or all with NULL), newest first, each handed to cb (a non-zero
 * return stops the walk). Returns the rows handed over, -1 on an error, or EB_JOURNAL_READ_BUSY. */
int eb_journal_read_events(eb_journal_reader_t *r, const char *kind, int limit,
                           int (*cb)(void *ctx, const eb_journal_event_t *e), void *ctx);
/* The newest `limit` decisions (one per bar: action, class probabilities, refusal reason, model), newest
 * first, likewise. */
int eb_journal_read_decisions(eb_journal_reader_t *r, int limit,
                              int (*cb)(void *ctx, int64_t id, const eb_journal_decision_t *d), void *ctx);
/* The newest `limit` fills, newest first, likewise. */
int eb_journal_read_trades(eb_journal_reader_t *r, int limit, int (*cb)(void *ctx, const eb_journal_trade_t *t),
                           void *ctx);
/* The newest `limit` equity rows (one per bar, by its open time), newest first, likewise. */
int eb_journal_read_equity(eb_journal_reader_t *r, int limit, int (*cb)(void *ctx, const eb_journal_equity_t *e),
                           void *ctx);

#endif
