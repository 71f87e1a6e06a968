/* Journal transactions for the daemon. Everything a bar (or a press, an install) changes is written in one
 * transaction and committed together with the engine snapshot; "journal first, then act" holds because
 * what a failed transaction recorded is undone in memory too:
 *
 * - a write that fails marks the open transaction bad; later writes in it are skipped;
 * - at the commit a bad transaction is rolled back, and so is the daemon: the traded state and the
 *   pipeline's memory go back to their copies from the last commit, and the bars since then stay in the
 *   backlog. The `journal` disarm reason is set, the alarm LED goes steady on, and the failure is logged
 *   once. No bar is taken and no order sent while it stands;
 * - recover.c retries: it re-runs the backlog through the bar path in a new transaction. When that commits,
 *   the journal holds what an uninterrupted run would have written, and the reason clears.
 *
 * Start-up writes go through the same functions; a start-up that cannot commit refuses to start. */
#ifndef EB_APP_DAEMON_JWRITE_H
#define EB_APP_DAEMON_JWRITE_H

#include "app/daemon/internal.h"

/* 1 when writes may go ahead (a transaction is open, and not bad), 0 while the journal is failing or the
 * transaction already failed: the caller skips its writes (what it changes in memory is undone later). */
int eb_dj_begin(eb_daemon_t *d);
/* The result of a journal call: rc < 0 marks the transaction bad (the first `what` and the journal's
 * message are kept for the log line). Returns rc. */
int eb_dj_check(eb_daemon_t *d, int rc, const char *what);
/* Commits when forced or when enough has piled up (1000 bars or 1 s). 0 committed or nothing to do, -1 the
 * transaction failed and the daemon was rolled back (see above). */
int eb_dj_commit(eb_daemon_t *d, int force);
/* One event in its own transaction, committed at once. */
void eb_dj_event(eb_daemon_t *d, int64_t t, const char *kind, const char *detail);
/* A bar taken: kept until it is committed. */
void eb_dj_note_bar(eb_daemon_t *d, const eb_bar_t *bar);
/* The current state is what the journal holds (after start-up's resume). 0, or -1 when the copy cannot be
 * reserved. */
int eb_dj_mark_committed(eb_daemon_t *d, char *err, size_t cap);
/* The journal is failing: no bars, no orders. */
int eb_dj_failing(const eb_daemon_t *d);
/* recover.c: the backlog is handed over (copied into out, at most cap) and emptied; returns its length. */
int eb_dj_take_backlog(eb_daemon_t *d, eb_bar_t *out, int cap);
/* recover.c: tries again from here (clears `failing` so the bar path runs; a failure sets it again). */
void eb_dj_retry_begin(eb_daemon_t *d);
/* recover.c: the retry committed; the journal reason and the fault clear. */
void eb_dj_recovered(eb_daemon_t *d, int rerun);

#endif
