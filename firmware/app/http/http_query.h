/* Query-string parameters (the target after '?') for the read endpoints, on the request's own bytes and
 * without allocation. Only a plain form is accepted: name=value pairs joined by '&', each name once and
 * one of the route's, each value 1..EB_HTTP_QUERY_VALUE_MAX bytes of letters, digits, '_', '-' and '.'.
 * A '%' is refused, so nothing needs decoding, and a typo in a name is an error rather than ignored. */
#ifndef EB_APP_HTTP_HTTP_QUERY_H
#define EB_APP_HTTP_HTTP_QUERY_H

#include "app/http/http_parse.h"

#define EB_HTTP_QUERY_VALUE_MAX 32

/* 0 when q has that form with names from `names` (NULL-terminated); otherwise -1 and why in err. */
int eb_http_query_check(eb_http_slice_t q, const char *const names[], char *err, size_t cap);
/* The value of `name` into out (NUL-terminated, cap > EB_HTTP_QUERY_VALUE_MAX): 1 found, 0 absent.
 * Call it on a query eb_http_query_check accepted. */
int eb_http_query_get(eb_http_slice_t q, const char *name, char *out, size_t cap);
/* The integer value of `name` in lo..hi (0 <= lo <= hi <= LONG_MAX / 10), or dflt when absent: 0, or -1
 * and why in err. */
int eb_http_query_int(eb_http_slice_t q, const char *name, long lo, long hi, long dflt, long *out, char *err,
                      size_t cap);

#endif
