/* A file written as a stream and published whole: the text goes to a temp file beside the name
 * (name.tmp.<pid>, same directory so the rename is atomic), every write is checked, and only a complete,
 * fsync'd file is renamed over the name. On any failure the temp file is removed, so a full disk leaves
 * either the old file or none -- never a cut one. eb_write_file_atomic (file_write.h) is this for one
 * buffer. */
#ifndef EB_COMMON_FILE_OUT_H
#define EB_COMMON_FILE_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct {
    FILE *f; /* write here (fprintf, fwrite); NULL once closed */
    mode_t mode;
    int done; /* 1 after close: the temp file is complete and waits for rename */
    char path[4096], tmp[4120];
} eb_file_out_t;

/* Creates the temp file for path with `mode` (exact, whatever the umask). -1 with "path: reason". */
int eb_file_out_open(eb_file_out_t *o, const char *path, mode_t mode, char *err, size_t cap);

/* Flushes, checks the stream's error flag, fsyncs and closes the temp file; on failure removes it and
 * returns -1 with "path: reason" (e.g. "No space left on device"). */
int eb_file_out_close(eb_file_out_t *o, char *err, size_t cap);

/* Renames the closed temp file over the name and syncs the directory; removes it on failure. */
int eb_file_out_rename(eb_file_out_t *o, char *err, size_t cap);

/* close then rename. */
int eb_file_out_commit(eb_file_out_t *o, char *err, size_t cap);

/* Drops the output: closes and removes the temp file (safe after a failed call or a commit). */
void eb_file_out_abort(eb_file_out_t *o);

#endif
