/* Constant-time comparison: every byte of the expected token is visited and folded into one
 * accumulator, whatever the input; a length mismatch is folded in the same way, not returned early. */
#include "app/http/http_auth.h"

#include <stdint.h>
#include <string.h>

int eb_http_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    volatile uint8_t diff = (uint8_t)(alen != blen);
    for (size_t i = 0; i < blen; i++) {
        uint8_t x = i < alen ? (uint8_t)a[i] : 0; /* depends on the caller's length, not on the secret */
        diff = (uint8_t)(diff | (x ^ (uint8_t)b[i]));
    }
    return diff == 0;
}

int eb_http_bearer_ok(const eb_http_req_t *req, const char *token, size_t tlen)
{
    if (tlen == 0)
        return 0;
    const eb_http_slice_t *v = eb_http_header(req, "authorization");
    if (!v || v->n < 7)
        return 0;
    static const char scheme[] = "bearer ";
    for (size_t i = 0; i < 7; i++) {
        char c = v->p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != scheme[i])
            return 0;
    }
    size_t a = 7;
    while (a < v->n && v->p[a] == ' ')
        a++;
    return eb_http_token_equal(v->p + a, v->n - a, token, tlen);
}
