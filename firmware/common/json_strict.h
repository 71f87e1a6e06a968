/* The one JSON reader of every config (appliance, strategy, daemon, board pins, the tool's configs):
 * cJSON parses, then a scan of the raw text refuses what cJSON lets through silently, each naming the
 * key path and the line: a duplicate key (cJSON keeps both and lookups take the first), text after the
 * value, an escaped NUL (cJSON cuts "ab\u0000cd" to "ab"), a raw NUL byte, and a number that overflows
 * a double (cJSON stores inf, which prints as null). */
#ifndef EB_COMMON_JSON_STRICT_H
#define EB_COMMON_JSON_STRICT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* The tree of text[0..len) (the caller frees it with cJSON_Delete), or NULL with "name:LINE: reason"
 * in err. */
cJSON *eb_json_strict_parse(const char *text, size_t len, const char *name, char *err, size_t cap);

#endif
