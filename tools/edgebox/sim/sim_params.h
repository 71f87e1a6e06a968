/* The parameters of one request: the query string and a form body (application/x-www-form-urlencoded),
 * split at '&' and '=', percent-decoded ('+' is a space, as form decoding has it) into a fixed buffer.
 * The raw text stays with the request: signatures are checked over the bytes received, not these. */
#ifndef EB_TOOLS_SIM_PARAMS_H
#define EB_TOOLS_SIM_PARAMS_H

#include <stddef.h>

#define EB_SIM_MAX_PARAMS 32
#define EB_SIM_PARAMS_TEXT 8192

typedef struct {
    const char *key[EB_SIM_MAX_PARAMS], *value[EB_SIM_MAX_PARAMS];
    size_t n;
    char text[EB_SIM_PARAMS_TEXT];
    size_t used;
} eb_sim_params_t;

/* Adds the pairs of s[0..len) to p. -1 with err on a bad %XX escape, too many pairs or too much text. */
int eb_sim_params_add(eb_sim_params_t *p, const char *s, size_t len, char *err, size_t cap);
/* The first value of key, or NULL. An empty value counts as absent (Binance: "was empty/null"). */
const char *eb_sim_param(const eb_sim_params_t *p, const char *key);
/* A decimal integer parameter >= 0 (times, ids, limits): 1 with *out, 0 when absent, -1 when malformed. */
int eb_sim_param_int(const eb_sim_params_t *p, const char *key, long long *out);

#endif
