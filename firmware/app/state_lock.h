/* One edgeboxd per state directory: an flock(2) on STATE/edgeboxd.lock, taken before the journal is
 * opened or created and held for the life of the process (the descriptor is O_CLOEXEC, so no child
 * inherits it, and the kernel drops the lock when the process dies, however it dies). The journal itself
 * is opened in ordinary WAL locking, so readers (sqlite3, a backup) work while the daemon writes.
 *
 * The file also keeps the directory's history: the holder's pid on its first line and, once the journal
 * has been opened there, a second line "journal opened". That line is one of the signs of earlier use
 * that make a missing journal a refusal rather than a silent fresh start (daemon.c, open_journal). */
#ifndef EB_APP_STATE_LOCK_H
#define EB_APP_STATE_LOCK_H

#include <stddef.h>

#define EB_STATE_LOCK_FILE "edgeboxd.lock"

/* Takes the lock on dir/edgeboxd.lock (created 0640 if missing) and writes our pid into it. Returns the
 * descriptor, or -1 with err naming the file and, when another process holds it, that process's pid. */
int eb_state_lock(const char *dir, char *err, size_t cap);
/* Records in the held lock file that the journal has been opened in this directory. 0 or -1 with err. */
int eb_state_lock_mark_journal(int fd, char *err, size_t cap);
/* 1 when dir/edgeboxd.lock says a journal was opened there before (read without taking the lock). */
int eb_state_lock_had_journal(const char *dir);

#endif
