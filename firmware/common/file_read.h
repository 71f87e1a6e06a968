/* The one way the app and the host tool read a whole file. The file is opened with O_NONBLOCK and
 * O_CLOEXEC (and O_NOFOLLOW where asked), checked with fstat to be a regular file no larger than the
 * caller's bound, and only then read: a FIFO, a device node, a directory or a huge sparse file is refused
 * with a message instead of blocking the caller or filling its memory. */
#ifndef EB_COMMON_FILE_READ_H
#define EB_COMMON_FILE_READ_H

#include <stddef.h>

enum {
    EB_READ_NOFOLLOW = 1, /* a symbolic link is refused (ELOOP), not followed */
};

/* Reads the file into buf (at most cap bytes). Returns the length, or -1 with "path: reason" in err
 * (missing, not a regular file, larger than cap, a read error, or a file that grew while read); errno is
 * EFBIG when the file is larger than cap, EINVAL when it is not a regular file, else what the failing call
 * set. */
long eb_file_read_into(const char *path, void *buf, size_t cap, int flags, char *err, size_t errcap);

/* The whole file in a malloc'd buffer with a NUL after its last byte (*len excludes it; len may be
 * NULL). At most `max` bytes (0: 1 GiB). NULL with err on failure. */
char *eb_file_read_all(const char *path, size_t max, int flags, size_t *len, char *err, size_t errcap);

#endif
