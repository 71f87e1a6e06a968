/* Internal to firmware/app/journal*.c: the handle, the prepared statements and shared helpers. */
#ifndef EB_APP_JOURNAL_INTERNAL_H
#define EB_APP_JOURNAL_INTERNAL_H

#include "app/journal.h"

#include <sqlite3.h>

typedef enum {
    JS_BEGIN, JS_COMMIT, JS_ROLLBACK, JS_SAVEPOINT, JS_RELEASE, JS_ROLLBACK_TO,
    JS_ORDER_INSERT, JS_ORDER_GET, JS_ORDER_UPDATE, JS_ORDER_LOG, JS_ORDERS_OPEN, JS_FILL_INSERT,
    JS_POS_PUT, JS_POS_DELETE, JS_POS_ALL, JS_EQ_PUT, JS_EQ_LAST, JS_DECISION_INSERT,
    JS_EVENT_INSERT, JS_EVENTS_RECENT, JS_EVENTS_RECENT_KIND, JS_STATE_SET, JS_STATE_GET, JS_LC_SET, JS_LC_GET,
    JS_COUNT
} eb_journal_stmt_t;

struct eb_journal {
    sqlite3 *db;
    sqlite3_stmt *st[JS_COUNT];
    char path[512];
    char err[1024];
};

/* How every refusal of an existing journal ends. Moving only journal.db away is not enough to start afresh:
 * the state directory would still show earlier use (daemon.c refuses a lost journal). */
#define EB_JOURNAL_UNTOUCHED "; the file was left untouched (restore a backup of journal.db with its -wal, or move the " \
                             "whole state directory away to start afresh)"

extern const char *const eb_journal_sql[JS_COUNT];
/* The schema (one string of statements) and the tables it creates. */
extern const char eb_journal_schema_sql[];
extern const char *const eb_journal_tables[];

/* Sets j->err from a format; always returns -1. */
int eb_journal_fail(eb_journal_t *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Steps a statement that returns no rows, resets it; -1 with the SQLite message naming `what`. */
int eb_journal_exec(eb_journal_t *j, eb_journal_stmt_t s, const char *what);
/* One atomic step (SAVEPOINT ... RELEASE, or ROLLBACK TO on rc != 0), inside or outside a caller's
 * transaction. step_end returns 0 or -1 and keeps the first error message. */
int eb_journal_step_begin(eb_journal_t *j);
int eb_journal_step_end(eb_journal_t *j, int rc);
/* Resets and clears a statement's bindings (after reading rows). */
void eb_journal_done(eb_journal_t *j, eb_journal_stmt_t s);
/* Ends a walk over rows: a step error (unless cb stopped it) becomes the error; returns the result. */
int eb_journal_walk_end(eb_journal_t *j, eb_journal_stmt_t s, int stop, int rc, const char *what);
/* Binds text (NULL -> NULL), a double (NaN -> NULL). */
void eb_journal_bind_text(sqlite3_stmt *st, int i, const char *s);
void eb_journal_bind_real(sqlite3_stmt *st, int i, double v);
/* Copies a text column into buf (NULL -> ""); a real column (NULL -> NaN). */
void eb_journal_col_text(sqlite3_stmt *st, int i, char *buf, size_t cap);
double eb_journal_col_real(sqlite3_stmt *st, int i);
/* 1 when s is non-NULL and shorter than cap. */
int eb_journal_fits(const char *s, size_t cap);

/* Validation of an existing file without writing to it (journal_check.c). */
int eb_journal_check_file(const char *path, char *err, size_t err_cap);
/* The schema version, application id and tables of an open connection; used by the check and after open. */
int eb_journal_check_schema(sqlite3 *db, const char *path, char *err, size_t err_cap);

/* The journal's own invariants, beyond SQLite's pages (journal_invariants.c): 0, or -1 with the table, the
 * row id and what is wrong. */
int eb_journal_check_invariants(sqlite3 *db, const char *path, char *err, size_t err_cap);

/* The kill-switch latch's second copy, killswitch.latched beside the journal (journal_latch.c). */
int eb_journal_latch_copy_set(const char *journal_path, int latched, char *err, size_t cap);
/* 1 present, 0 absent, -1 when it cannot be told (err says why). */
int eb_journal_latch_copy_get(const char *journal_path, char *err, size_t cap);

#endif
