/* The one way the app and the host tool replace a file: a temp file beside it (name.tmp.<pid>), written
 * in full with `mode` (set with fchmod, so the umask cannot widen or narrow it), fsync'd, renamed over
 * the name, then the directory fsync'd. After a crash or power cut the file holds either the old or the
 * new content, never a mix; on failure the old file is untouched and the temp file removed. */
#ifndef EB_COMMON_FILE_WRITE_H
#define EB_COMMON_FILE_WRITE_H

#include <stddef.h>
#include <sys/types.h>

/* 0, or -1 with "path: reason" in err. */
int eb_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err, size_t cap);

#endif
