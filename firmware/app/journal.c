/* Opening, creating and closing the journal; transactions; the shared statement helpers. */
#include "app/journal_internal.h"

#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int eb_journal_fail(eb_journal_t *j, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(j->err, sizeof j->err, "journal %s: %s", j->path, msg);
    return -1;
}

int eb_journal_exec(eb_journal_t *j, eb_journal_stmt_t s, const char *what)
{
    int rc = sqlite3_step(j->st[s]);
    int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!ok)
        eb_journal_fail(j, "%s: %s", what, sqlite3_errmsg(j->db));
    eb_journal_done(j, s);
    return ok ? 0 : -1;
}

void eb_journal_done(eb_journal_t *j, eb_journal_stmt_t s)
{
    sqlite3_reset(j->st[s]);
    sqlite3_clear_bindings(j->st[s]);
}

void eb_journal_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void eb_journal_bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

void eb_journal_col_text(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    snprintf(buf, cap, "%s", s ? s : "");
}

double eb_journal_col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int eb_journal_walk_end(eb_journal_t *j, eb_journal_stmt_t s, int stop, int rc, const char *what)
{
    if (!stop && rc != SQLITE_DONE)
        stop = eb_journal_fail(j, "reading %s: %s", what, sqlite3_errmsg(j->db));
    eb_journal_done(j, s);
    return stop;
}

int eb_journal_fits(const char *s, size_t cap) { return s && strlen(s) < cap; }

const char *eb_journal_error(const eb_journal_t *j) { return j->err; }
const char *eb_journal_path(const eb_journal_t *j) { return j->path; }

/* The directory entry of a newly linked file is durable only once its directory is synced. */
static void sync_parent(const char *path)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int build_schema(const char *tmp, char *err, size_t cap)
{
    sqlite3 *db = NULL;
    char head[256];
    snprintf(head, sizeof head, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; BEGIN; PRAGMA application_id=%d; "
             "PRAGMA user_version=%d;", (int)EB_JOURNAL_APPLICATION_ID, EB_JOURNAL_SCHEMA_VERSION);
    char *msg = NULL;
    int rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, head, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, eb_journal_schema_sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        eb_errf(err, cap, "journal %s: cannot create: %s", tmp, msg ? msg : db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_free(msg);
    if (sqlite3_close(db) != SQLITE_OK && rc == SQLITE_OK) /* closing checkpoints the WAL into the file */
        rc = SQLITE_ERROR;
    return rc == SQLITE_OK ? 0 : -1;
}

/* Builds the journal as path.new-PID and links it into place: link() fails rather than replace a file
 * that appeared meanwhile, and a crash leaves only the temporary name behind. */
static int create_new(const char *path, char *err, size_t cap)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.new-%d", path, (int)getpid());
    unlink(tmp);
    if (build_schema(tmp, err, cap) != 0) {
        unlink(tmp);
        return -1;
    }
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    int synced = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    int rc = synced && (link(tmp, path) == 0 || errno == EEXIST) ? 0 : -1;
    if (rc != 0)
        eb_errf(err, cap, "journal %s: cannot create: %s", path, strerror(errno));
    unlink(tmp);
    sync_parent(path);
    return rc;
}

static int configure(eb_journal_t *j)
{
    char *msg = NULL;
    /* Ordinary locking in WAL: readers (sqlite3, a backup) read while the daemon writes and never block
     * it. A second daemon is kept out by the state directory's lock file (app/state_lock.h), not here. The
     * short busy timeout covers a reader that is building the WAL index the moment we open. */
    sqlite3_busy_timeout(j->db, 200);
    int rc = sqlite3_exec(j->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                          NULL, NULL, &msg);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        eb_journal_fail(j, "busy: another process holds a lock on it");
    else if (rc != SQLITE_OK)
        eb_journal_fail(j, "cannot configure: %s", msg ? msg : sqlite3_errmsg(j->db));
    sqlite3_free(msg);
    return rc == SQLITE_OK ? 0 : -1;
}

static int prepare_all(eb_journal_t *j)
{
    for (int i = 0; i < JS_COUNT; i++)
        if (sqlite3_prepare_v3(j->db, eb_journal_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &j->st[i], NULL) != SQLITE_OK)
            return eb_journal_fail(j, "preparing statement %d: %s", i, sqlite3_errmsg(j->db));
    return 0;
}

int eb_journal_open(eb_journal_t **out, const char *path, char *err, size_t err_cap)
{
    *out = NULL;
    struct stat st;
    if (strlen(path) >= sizeof((eb_journal_t *)0)->path - 16) {
        return eb_errf(err, err_cap, "journal %s: path longer than %zu bytes", path,
                       sizeof((eb_journal_t *)0)->path - 17);
    }
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            return eb_errf(err, err_cap, "journal %s: %s", path, strerror(errno));
        }
        if (create_new(path, err, err_cap) != 0)
            return -1;
    }
    if (eb_journal_check_file(path, err, err_cap) != 0)
        return -1;
    eb_journal_t *j = calloc(1, sizeof *j);
    if (!j) {
        return eb_errf(err, err_cap, "journal %s: out of memory", path);
    }
    strcpy(j->path, path);
    int rc = sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK)
        eb_journal_fail(j, "cannot open: %s", j->db ? sqlite3_errmsg(j->db) : "out of memory");
    else if (configure(j) == 0 && eb_journal_check_schema(j->db, path, j->err, sizeof j->err) == 0 &&
             prepare_all(j) == 0) {
        *out = j;
        return 0;
    }
    eb_errf(err, err_cap, "%s", j->err);
    eb_journal_close(j);
    return -1;
}

void eb_journal_close(eb_journal_t *j)
{
    if (!j)
        return;
    for (int i = 0; i < JS_COUNT; i++)
        sqlite3_finalize(j->st[i]);
    sqlite3_close(j->db);
    free(j);
}

int eb_journal_step_begin(eb_journal_t *j) { return eb_journal_exec(j, JS_SAVEPOINT, "savepoint"); }

int eb_journal_step_end(eb_journal_t *j, int rc)
{
    if (rc == 0)
        return eb_journal_exec(j, JS_RELEASE, "release");
    char keep[sizeof j->err];
    memcpy(keep, j->err, sizeof keep); /* the first error is the one worth reporting */
    eb_journal_exec(j, JS_ROLLBACK_TO, "rollback");
    eb_journal_exec(j, JS_RELEASE, "release");
    memcpy(j->err, keep, sizeof keep);
    return -1;
}

int eb_journal_begin(eb_journal_t *j) { return eb_journal_exec(j, JS_BEGIN, "begin"); }
int eb_journal_commit(eb_journal_t *j) { return eb_journal_exec(j, JS_COMMIT, "commit"); }
int eb_journal_rollback(eb_journal_t *j) { return eb_journal_exec(j, JS_ROLLBACK, "rollback"); }
