/* libFuzzer: the HTTP request parser. Any bytes give DONE, INCOMPLETE or ERROR with a documented status
 * and a reason; every slice lies inside the input; every prefix of the input is INCOMPLETE or fails the
 * same way (so a request split across reads is parsed as one), and a pipelined rest parses on its own.
 * FUZZ_SOURCES: firmware/app/http/http_parse.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/http/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const eb_http_slice_t *s, const char *b, size_t n)
{
    if (s->n && (s->p < b || s->p + s->n > b + n))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *b = malloc(size ? size : 1); /* exact size: ASan sees a read one past the end */
    memcpy(b, data, size);
    eb_http_limits_t lim = eb_http_default_limits();
    lim.max_line = 256; /* small limits so the fuzzer reaches them */
    lim.max_head = 1024;
    lim.max_headers = 8;
    lim.max_body = 512;
    eb_http_req_t r, p;
    int w = eb_http_parse(b, size, &lim, &r);
    if (w == EB_HTTP_PARSE_ERROR) {
        int s = r.status;
        if (!r.reason || !(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505))
            abort();
    } else if (w == EB_HTTP_PARSE_DONE) {
        inside(&r.target, b, size);
        inside(&r.path, b, size);
        inside(&r.query, b, size);
        for (size_t i = 0; i < r.nheaders; i++) {
            inside(&r.names[i], b, size);
            inside(&r.values[i], b, size);
        }
        if (r.total_len > size || r.head_len > r.total_len || r.head_len > lim.max_head)
            abort();
        eb_http_parse(b + r.total_len, size - r.total_len, &lim, &p); /* the pipelined rest */
    } else if (w != EB_HTTP_PARSE_INCOMPLETE) {
        abort();
    }
    /* a few prefixes (all of them would be quadratic) */
    for (size_t k = 0; k < size; k += 1 + size / 16) {
        int q = eb_http_parse(b, k, &lim, &p);
        if (q == EB_HTTP_PARSE_DONE && w != EB_HTTP_PARSE_DONE)
            abort();
        if (q == EB_HTTP_PARSE_ERROR && (w != EB_HTTP_PARSE_ERROR || p.status != r.status))
            abort();
    }
    free(b);
    return 0;
}
