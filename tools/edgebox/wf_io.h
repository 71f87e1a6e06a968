/* Files for the validation toolchain: atomic writes (temp file, fsync, rename,
 * fsync of the directory), so a process killed at any point leaves either the old or the new file. */
#ifndef EB_TOOLS_WF_IO_H
#define EB_TOOLS_WF_IO_H

#include "core/bar.h"
#include "tools/edgebox/model_compile.h" /* eb_read_file: whole-file reads */

#include <stddef.h>
#include <stdint.h>

int eb_wf_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errcap);
/* mkdir -p for one or two levels; 0 when the directory exists afterwards. */
int eb_wf_mkdir(const char *path, char *err, size_t errcap);

/* Reads a bar CSV (app/bars_csv.h) into a malloc'd array, keeping bars with from_ms <= open time < to_ms
 * (INT64_MIN / INT64_MAX for everything). -1 with the reader's message on bad input or no bars. */
int eb_wf_load_bars(const char *path, int64_t from_ms, int64_t to_ms, eb_bar_t **bars, size_t *n, char *err,
                    size_t errcap);

/* A time argument: UTC milliseconds, or YYYY-MM-DD (midnight UTC). -1 on a malformed value. */
int eb_wf_parse_time(const char *s, int64_t *ms);
/* --from (c 'f') / --to (c 't') of command `cmd`: parses into *from or *to; prints the error and returns
 * -1 on a malformed value. */
int eb_wf_time_option(const char *cmd, int c, const char *arg, int64_t *from, int64_t *to);

#endif
