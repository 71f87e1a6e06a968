#include "app/percent_encode.h"

#include "common/errf.h"

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

size_t eb_percent_encoded_len(const char *in, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += unreserved((unsigned char)in[i]) ? 1 : 3;
    return n;
}

long eb_percent_encode(const char *in, size_t len, char *out, size_t cap, char *err, size_t errcap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t need = eb_percent_encoded_len(in, len);
    if (need >= cap) {
        if (cap)
            out[0] = '\0';
        return eb_errf(err, errcap, "percent-encode: the encoding takes %zu bytes and a NUL, the buffer holds %zu",
                       need, cap);
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (unreserved(c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return (long)o;
}
