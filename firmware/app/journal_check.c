/* Validating an existing journal without writing a byte to it: first the 100-byte SQLite header by hand
 * (garbage and truncation are recognised before SQLite sees the file), then an immutable read-only
 * connection (no locks, no -wal/-shm files, no recovery) for PRAGMA quick_check, the application id, the
 * schema version and the tables. Only a file that passes is opened for writing. */
#include "app/journal_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNTOUCHED "; the file was left untouched (move it away to start a new journal, or restore a backup)"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_header(const char *path, int64_t size, const unsigned char *h, char *err, size_t cap)
{
    if (size < 100 || memcmp(h, "SQLite format 3", 16) != 0) {
        snprintf(err, cap, "journal %s is not an SQLite database (%lld bytes, %s)" UNTOUCHED, path, (long long)size,
                 size < 100 ? "shorter than the 100-byte header" : "no SQLite header: garbage or another format");
        return -1;
    }
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    if (page < 512 || (page & (page - 1)) != 0) {
        snprintf(err, cap, "journal %s: header page size %u is invalid (corrupt header)" UNTOUCHED, path, page);
        return -1;
    }
    uint32_t pages = be32(h + 28);
    int count_valid = pages != 0 && be32(h + 24) == be32(h + 92);
    if (count_valid && size < (int64_t)pages * page) {
        snprintf(err, cap, "journal %s is truncated: its header describes %u pages of %u bytes (%lld bytes) but "
                 "the file has %lld bytes" UNTOUCHED, path, pages, page, (long long)pages * page, (long long)size);
        return -1;
    }
    if (size % page != 0) {
        snprintf(err, cap, "journal %s is truncated or damaged: %lld bytes is not a whole number of %u-byte pages"
                 UNTOUCHED, path, (long long)size, page);
        return -1;
    }
    return 0;
}

/* "file:" URI of path with ?immutable=1; '%', '?' and '#' are escaped. */
static int immutable_uri(const char *path, char *buf, size_t cap)
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
    return (size_t)snprintf(buf + at, cap - at, "?immutable=1") < cap - at ? 0 : -1;
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
        snprintf(err, err_cap, "journal %s: cannot read its header: %s" UNTOUCHED, path, sqlite3_errmsg(db));
        return -1;
    }
    if ((uint32_t)app != EB_JOURNAL_APPLICATION_ID) {
        snprintf(err, err_cap, "journal %s is an SQLite database but not an edgebox journal (application_id "
                 "0x%08x, expected 0x%08x)" UNTOUCHED, path, (unsigned)app, EB_JOURNAL_APPLICATION_ID);
        return -1;
    }
    if (version != EB_JOURNAL_SCHEMA_VERSION) {
        snprintf(err, err_cap, "journal %s has schema version %lld; this edgeboxd reads version %d only (no "
                 "migration from %lld)" UNTOUCHED, path, (long long)version, EB_JOURNAL_SCHEMA_VERSION,
                 (long long)version);
        return -1;
    }
    for (const char *const *t = eb_journal_tables; *t; t++)
        if (!table_exists(db, *t)) {
            snprintf(err, err_cap, "journal %s: table '%s' is missing (schema version %d)" UNTOUCHED, path, *t,
                     EB_JOURNAL_SCHEMA_VERSION);
            return -1;
        }
    return 0;
}

static int quick_check(sqlite3 *db, const char *path, char *err, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    int ok = first && strcmp(first, "ok") == 0;
    if (!ok)
        snprintf(err, cap, "journal %s is corrupt (integrity check: %s)" UNTOUCHED, path,
                 first ? first : sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

static int check_with_sqlite(const char *path, char *err, size_t cap)
{
    char uri[1200];
    if (immutable_uri(path, uri, sizeof uri) != 0) {
        snprintf(err, cap, "journal %s: path too long", path);
        return -1;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, cap, "journal %s: cannot open for checking: %s" UNTOUCHED, path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    rc = quick_check(db, path, err, cap);
    if (rc == 0)
        rc = eb_journal_check_schema(db, path, err, cap);
    sqlite3_close(db);
    return rc;
}

int eb_journal_check_file(const char *path, char *err, size_t err_cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_cap, "journal %s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unsigned char h[100] = {0};
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    if (n < 0) {
        snprintf(err, err_cap, "journal %s: %s", path, strerror(errno));
        return -1;
    }
    if (check_header(path, (int64_t)st.st_size, h, err, err_cap) != 0)
        return -1;
    return check_with_sqlite(path, err, err_cap);
}
