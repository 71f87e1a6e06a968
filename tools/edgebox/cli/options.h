/* Option values shared by several commands. */
#ifndef EB_TOOLS_CLI_OPTIONS_H
#define EB_TOOLS_CLI_OPTIONS_H

#include <stdint.h>

/* --from (c 'f') / --to (c 't') of command `cmd`: UTC ms or an ISO date (common/time_parse.h) into *from
 * or *to; prints the error naming the option and returns -1 on a malformed value. */
int eb_cli_time_option(const char *cmd, int c, const char *arg, int64_t *from, int64_t *to);

/* A numeric option: the whole of arg, decimal, in lo..hi (no overflow, no sign on the unsigned form, a
 * finite double; `open` makes the double's bounds exclusive). Otherwise prints "edgebox CMD: --OPT: 'ARG'
 * is not allowed (allowed: ALLOWED)" and returns -1, leaving *out as it was. */
int eb_cli_int(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi, const char *allowed,
               int64_t *out);
int eb_cli_uint(const char *cmd, const char *opt, const char *arg, uint64_t lo, uint64_t hi, const char *allowed,
                uint64_t *out);
int eb_cli_double(const char *cmd, const char *opt, const char *arg, double lo, double hi, int open,
                  const char *allowed, double *out);

#endif
