/* Base64 encoding, RFC 4648 section 4: the standard alphabet (A-Z a-z 0-9 + /) with '=' padding, no line
 * breaks. KuCoin's KC-API-SIGN and KC-API-PASSPHRASE are this encoding of an HMAC-SHA256. */
#ifndef EB_APP_BASE64_H
#define EB_APP_BASE64_H

#include <stddef.h>

/* Characters the encoding of len bytes takes, without the terminating NUL (always a multiple of 4). */
size_t eb_base64_len(size_t len);

/* Writes the encoding of in[0..len) and a NUL into out. Returns its length, or -1 with the sizes in err
 * when out cannot hold it; then out (when cap > 0) is the empty string. */
long eb_base64_encode(const void *in, size_t len, char *out, size_t cap, char *err, size_t errcap);

#endif
