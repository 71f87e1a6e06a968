/* Validating an existing journal without writing a byte to it: first the 100-byte SQLite header by hand
 * (garbage is recognised before SQLite sees the file), then a read-only SQLite connection for PRAGMA
 * integrity_check, the application id, the schema version, the tables and the journal's own invariants
 * (journal_invariants.c). Only a file that passes is opened for writing.
 *
 * The main file alone is not the journal: in WAL mode the newest pages may live only in PATH-wal (after a
 * crash, or a disk that filled during a checkpoint: a main file "shorter" than its header says, with every
 * page in the WAL). So the main file's size is judged by hand only when there is no WAL; with a WAL,
 * SQLite reads the two together (an ordinary read-only connection: it may build the -shm index, but never
 * writes the database or the WAL, and never checkpoints). Without a WAL the connection is immutable (no
 * locks, no side files at all), so a refused file is left exactly as it was. */
#include "app/journal_internal.h"

#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNTOUCHED EB_JOURNAL_UNTOUCHED

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_header(const char *path, int64_t size, const unsigned char *h, int wal, char *err, size_t cap)
{
    if (size < 100 || memcmp(h, "SQLite format 3", 16) != 0) {
        return eb_errf(err, cap, "journal %s is not an SQLite database (%lld bytes, %s)" UNTOUCHED, path,
                       (long long)size,
                       size < 100 ? "shorter than the 100-byte header" : "no SQLite header: garbage or another format");
    }
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    if (page < 512 || (page & (page - 1)) != 0) {
        return eb_errf(err, cap, "journal %s: header page size %u is invalid (corrupt header)" UNTOUCHED, path, page);
    }
    if (wal)
        return 0; /* the WAL may hold the pages the main file lacks: SQLite judges the pair */
    uint32_t pages = be32(h + 28);
    int count_valid = pages != 0 && be32(h + 24) == be32(h + 92);
    if (count_valid && size < (int64_t)pages * page) {
        return eb_errf(err, cap, "journal %s is truncated: its header describes %u pages of %u bytes (%lld bytes) "
                       "but the file has %lld bytes" UNTOUCHED, path, pages, page, (long long)pages * page,
                       (long long)size);
    }
    if (size % page != 0) {
        return eb_errf(err, cap, "journal %s is truncated or damaged: %lld bytes is not a whole number of %u-byte pages"
                       UNTOUCHED, path, (long long)size, page);
    }
    return 0;
}

/* "file:" URI of path with `query` ("?immutable=1" or "?mode=ro"); '%', '?' and '#' are escaped. */
static int file_uri(const char *path, const char *query, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (at + 4 >= cap)
            return -1;
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21)
            at += (size_t)snprintf(buf + at, cap - at, "%%%02X", *p);
        else
            buf[at++] = (char)*p;
    }
    return (size_t)snprintf(buf + at, cap - at, "%s", query) < cap - at ? 0 : -1;
}

static int table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

static int pragma_int(sqlite3 *db, const char *sql, int64_t *v)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *v = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int eb_journal_check_schema(sqlite3 *db, const char *path, char *err, size_t err_cap)
{
    int64_t app = 0, version = 0;
    if (pragma_int(db, "PRAGMA application_id", &app) != SQLITE_OK ||
        pragma_int(db, "PRAGMA user_version", &version) != SQLITE_OK) {
        return eb_errf(err, err_cap, "journal %s: cannot read its header: %s" UNTOUCHED, path, sqlite3_errmsg(db));
    }
    if ((uint32_t)app != EB_JOURNAL_APPLICATION_ID) {
        return eb_errf(err, err_cap, "journal %s is an SQLite database but not an edgebox journal (application_id "
                       "0x%08x, expected 0x%08x)" UNTOUCHED, path, (unsigned)app, EB_JOURNAL_APPLICATION_ID);
    }
    if (version != EB_JOURNAL_SCHEMA_VERSION) {
        eb_errf(err, err_cap, "journal %s has schema version %lld; this edgeboxd reads version %d only (no "
                 "migration from %lld)" UNTOUCHED, path, (long long)version, EB_JOURNAL_SCHEMA_VERSION,
                 (long long)version);
        return -1;
    }
    for (const char *const *t = eb_journal_tables; *t; t++)
        if (!table_exists(db, *t)) {
            return eb_errf(err, err_cap, "journal %s: table '%s' is missing (schema version %d)" UNTOUCHED, path, *t,
                           EB_JOURNAL_SCHEMA_VERSION);
        }
    return 0;
}

static int integrity_check(sqlite3 *db, const char *path, char *err, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    int ok = first && strcmp(first, "ok") == 0;
    if (!ok)
        eb_errf(err, cap, "journal %s is corrupt (integrity check: %s)" UNTOUCHED, path,
                first ? first : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

static int check_with_sqlite(const char *path, int wal, char *err, size_t cap)
{
    char uri[1200];
    if (file_uri(path, wal ? "?mode=ro" : "?immutable=1", uri, sizeof uri) != 0) {
        return eb_errf(err, cap, "journal %s: path too long", path);
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK) {
        eb_errf(err, cap, "journal %s: cannot open for checking: %s" UNTOUCHED, path, db ? sqlite3_errmsg(db) : "out "
                "of memory");
        sqlite3_close(db);
        return -1;
    }
    rc = integrity_check(db, path, err, cap);
    if (rc == 0)
        rc = eb_journal_check_schema(db, path, err, cap);
    if (rc == 0)
        rc = eb_journal_check_invariants(db, path, err, cap);
    sqlite3_close(db);
    return rc;
}

/* 1 when PATH-wal exists and holds more than its 32-byte header (frames SQLite may need). */
static int has_wal(const char *path)
{
    char wal[1100];
    struct stat st;
    int n = snprintf(wal, sizeof wal, "%s-wal", path);
    return n > 0 && (size_t)n < sizeof wal && lstat(wal, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 32;
}

int eb_journal_check_file(const char *path, char *err, size_t err_cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        eb_errf(err, err_cap, "journal %s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unsigned char h[100] = {0};
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    if (n < 0) {
        return eb_errf(err, err_cap, "journal %s: %s", path, strerror(errno));
    }
    int wal = has_wal(path);
    if (check_header(path, (int64_t)st.st_size, h, wal, err, err_cap) != 0)
        return -1;
    return check_with_sqlite(path, wal, err, err_cap);
}
