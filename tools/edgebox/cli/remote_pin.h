/* Certificate pinning for `--host https://H:PORT --fingerprint AA:BB:...` (docs/api.md "TLS"): the box's
 * certificate is self-signed, so no CA can vouch for it; instead the SHA-256 of its DER, as edgeboxd logs
 * it and GET /api/v1/status shows it, must match, or the handshake fails before any request (and so the
 * token) is sent. libcurl here is built on mbedTLS: its CURLOPT_SSL_CTX_FUNCTION hands over the
 * mbedtls_ssl_config, where a verify callback decides on the certificate. */
#ifndef EB_TOOLS_CLI_REMOTE_PIN_H
#define EB_TOOLS_CLI_REMOTE_PIN_H

#include <curl/curl.h>

/* "AA:BB:..." (32 hex pairs, either case) into 32 bytes: 0, or -1 when it is not that. */
int eb_remote_pin_parse(const char *s, unsigned char pin[32]);

/* The connection made by c accepts only the certificate whose SHA-256 is pin (kept by the caller until
 * the transfer ends). CURLE_OK, or the libcurl error when the TLS backend cannot take the callback. */
CURLcode eb_remote_pin_apply(CURL *c, const unsigned char pin[32]);

#endif
