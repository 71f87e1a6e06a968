#include "app/state_lock.h"

#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define JOURNAL_MARK "journal opened\n"

static int lock_path(const char *dir, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", dir, EB_STATE_LOCK_FILE);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The pid the holder wrote on the first line; 0 when none can be read (it may be writing it now). */
static long holder_pid(int fd)
{
    char text[32] = {0};
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    return n > 0 ? strtol(text, NULL, 10) : 0;
}

static int write_at(int fd, const char *text, off_t at)
{
    size_t len = strlen(text);
    ssize_t w = pwrite(fd, text, len, at);
    return w == (ssize_t)len ? 0 : -1;
}

int eb_state_lock(const char *dir, char *err, size_t cap)
{
    char path[4096];
    if (lock_path(dir, path, sizeof path) != 0)
        return eb_errf(err, cap, "state directory %s: path too long for its lock file", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0)
        return eb_errf(err, cap, "lock file %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        long pid = e == EWOULDBLOCK ? holder_pid(fd) : 0;
        close(fd);
        if (e != EWOULDBLOCK)
            return eb_errf(err, cap, "lock file %s: %s", path, strerror(e));
        if (pid > 0)
            return eb_errf(err, cap, "state directory %s is in use by another process (edgeboxd pid %ld holds %s); "
                                     "one daemon per state directory", dir, pid, path);
        return eb_errf(err, cap, "state directory %s is in use by another process (it holds %s); one daemon per "
                                 "state directory", dir, path);
    }
    /* keep the history line, replace the pid */
    char old[64] = {0};
    ssize_t n = pread(fd, old, sizeof old - 1, 0);
    int had = n > 0 && strstr(old, JOURNAL_MARK) != NULL;
    char line[64];
    snprintf(line, sizeof line, "%ld\n%s", (long)getpid(), had ? JOURNAL_MARK : "");
    if (ftruncate(fd, 0) != 0 || write_at(fd, line, 0) != 0) {
        int e = errno;
        close(fd);
        return eb_errf(err, cap, "lock file %s: cannot write our pid: %s", path, strerror(e));
    }
    return fd;
}

int eb_state_lock_mark_journal(int fd, char *err, size_t cap)
{
    char line[64];
    snprintf(line, sizeof line, "%ld\n%s", (long)getpid(), JOURNAL_MARK);
    if (ftruncate(fd, 0) != 0 || write_at(fd, line, 0) != 0 || fsync(fd) != 0)
        return eb_errf(err, cap, "lock file %s: cannot record the journal: %s", EB_STATE_LOCK_FILE, strerror(errno));
    return 0;
}

int eb_state_lock_had_journal(const char *dir)
{
    char path[4096], text[64] = {0};
    if (lock_path(dir, path, sizeof path) != 0)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    return n > 0 && strstr(text, JOURNAL_MARK) != NULL;
}
