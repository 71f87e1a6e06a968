#include "tools/edgebox/cli/options.h"

#include "common/time_parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int eb_cli_time_option(const char *cmd, int c, const char *arg, int64_t *from, int64_t *to)
{
    if (eb_time_parse_ms(arg, 1, c == 'f' ? from : to) == 0)
        return 0;
    fprintf(stderr, "edgebox %s: --%s: '%s' is not a time (UTC ms or YYYY-MM-DD[THH:MM[:SS]])\n", cmd,
            c == 'f' ? "from" : "to", arg);
    return -1;
}

static int refuse(const char *cmd, const char *opt, const char *arg, const char *allowed)
{
    fprintf(stderr, "edgebox %s: --%s: '%s' is not allowed (allowed: %s)\n", cmd, opt, arg, allowed);
    return -1;
}

int eb_cli_int(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi, const char *allowed,
               int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (!*arg || *end || errno || v < lo || v > hi)
        return refuse(cmd, opt, arg, allowed);
    *out = v;
    return 0;
}

int eb_cli_uint(const char *cmd, const char *opt, const char *arg, uint64_t lo, uint64_t hi, const char *allowed,
                uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (!*arg || *arg == '-' || *arg == '+' || *end || errno || v < lo || v > hi) /* strtoull takes "-1" */
        return refuse(cmd, opt, arg, allowed);
    *out = v;
    return 0;
}

int eb_cli_double(const char *cmd, const char *opt, const char *arg, double lo, double hi, int open,
                  const char *allowed, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    int inside = open ? v > lo && v < hi : v >= lo && v <= hi;
    if (!*arg || *end || errno || !isfinite(v) || !inside)
        return refuse(cmd, opt, arg, allowed);
    *out = v;
    return 0;
}
