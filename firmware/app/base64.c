#include "app/base64.h"

#include "common/errf.h"

#include <stdint.h>

size_t eb_base64_len(size_t len) { return (len + 2) / 3 * 4; }

long eb_base64_encode(const void *in, size_t len, char *out, size_t cap, char *err, size_t errcap)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len > (SIZE_MAX - 3) / 4 * 3) { /* the multiplication by 4 would wrap */
        if (cap)
            out[0] = '\0';
        return eb_errf(err, errcap, "base64: %zu bytes are more than can be encoded", len);
    }
    if (eb_base64_len(len) >= cap) {
        if (cap)
            out[0] = '\0';
        return eb_errf(err, errcap, "base64: %zu bytes encode to %zu characters and a NUL, the buffer holds %zu",
                       len, eb_base64_len(len), cap);
    }
    const unsigned char *p = in;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
        out[o++] = abc[v & 63];
    }
    if (i < len) { /* one or two bytes left: two or three characters, padded to four */
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = abc[v >> 18];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return (long)o;
}
