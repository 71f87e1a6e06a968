#include "common/file_read.h"

#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX ((size_t)1 << 30)

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link"
         : "not a regular file";
}

/* Opens path for reading and checks it; the descriptor and its size, or -1 with err. */
static int open_regular(const char *path, int flags, off_t *size, char *err, size_t errcap)
{
    int oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (flags & EB_READ_NOFOLLOW ? O_NOFOLLOW : 0);
    int fd = open(path, oflags);
    if (fd < 0) {
        if (errno == ELOOP && (flags & EB_READ_NOFOLLOW))
            return eb_errf(err, errcap, "%s: a symbolic link (not followed; allowed: a regular file)", path);
        return eb_errf(err, errcap, "%s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return eb_errf(err, errcap, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        eb_errf(err, errcap, "%s: %s (allowed: a regular file)", path, kind_of(st.st_mode));
        errno = EINVAL;
        return -1;
    }
    *size = st.st_size;
    return fd;
}

/* Reads up to cap bytes, then checks that nothing follows (a file that grew past the bound). */
static long read_bounded(int fd, char *buf, size_t cap, int *too_big)
{
    size_t n = 0;
    *too_big = 0;
    for (;;) {
        char extra;
        ssize_t r = n < cap ? read(fd, buf + n, cap - n) : read(fd, &extra, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return (long)n;
        if (n >= cap) {
            *too_big = 1;
            return -1;
        }
        n += (size_t)r;
    }
}

long eb_file_read_into(const char *path, void *buf, size_t cap, int flags, char *err, size_t errcap)
{
    off_t size;
    int fd = open_regular(path, flags, &size, err, errcap);
    if (fd < 0)
        return -1;
    if ((unsigned long long)size > cap) {
        close(fd);
        eb_errf(err, errcap, "%s: %lld bytes, larger than the %zu allowed", path, (long long)size, cap);
        errno = EFBIG;
        return -1;
    }
    int too_big;
    long n = read_bounded(fd, buf, cap, &too_big);
    int e = errno;
    close(fd);
    if (n < 0 && too_big) {
        eb_errf(err, errcap, "%s: grew past the %zu bytes allowed while being read", path, cap);
        errno = EFBIG;
        return -1;
    }
    if (n < 0) {
        eb_errf(err, errcap, "%s: read failed: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    return n;
}

char *eb_file_read_all(const char *path, size_t max, int flags, size_t *len, char *err, size_t errcap)
{
    if (!max)
        max = DEFAULT_MAX;
    off_t size;
    int fd = open_regular(path, flags, &size, err, errcap);
    if (fd < 0)
        return NULL;
    if ((unsigned long long)size > max) {
        close(fd);
        eb_errf(err, errcap, "%s: %lld bytes, larger than the %zu allowed", path, (long long)size, max);
        return NULL;
    }
    /* room for the size fstat gave plus a little, so a file that grew meanwhile is noticed */
    size_t cap = (size_t)size + 1 < max ? (size_t)size + 1 : max;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        eb_errf(err, errcap, "%s: out of memory for %zu bytes", path, cap);
        return NULL;
    }
    int too_big;
    long n = read_bounded(fd, buf, cap, &too_big);
    int e = errno;
    close(fd);
    if (n < 0 || (size_t)n > (size_t)size) {
        free(buf);
        if (n < 0 && !too_big)
            eb_errf(err, errcap, "%s: read failed: %s", path, strerror(e));
        else
            eb_errf(err, errcap, "%s: changed size while being read (%lld bytes expected)", path, (long long)size);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}
