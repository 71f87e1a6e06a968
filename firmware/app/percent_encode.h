/* RFC 3986 percent-encoding of one query component, as Binance has required of signed payloads since
 * 2026-01-15 (docs/live-trading.md): the unreserved set (A-Z a-z 0-9 - . _ ~) is kept, every other byte is
 * %XX with upper-case hex. A space is %20, never '+': the venue hashes the bytes it receives, and '+' is
 * not what a form decoder on the other side would give back for every client. */
#ifndef EB_APP_PERCENT_ENCODE_H
#define EB_APP_PERCENT_ENCODE_H

#include <stddef.h>

/* Bytes the encoding of in[0..len) takes, without the terminating NUL. */
size_t eb_percent_encoded_len(const char *in, size_t len);

/* Writes the encoding of in[0..len) (any byte, NUL included) and a NUL into out. Returns its length, or
 * -1 with the sizes in err when out cannot hold it; then out (when cap > 0) is the empty string, never a
 * cut-off encoding. */
long eb_percent_encode(const char *in, size_t len, char *out, size_t cap, char *err, size_t errcap);

#endif
