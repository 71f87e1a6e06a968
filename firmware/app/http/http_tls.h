/* TLS for an operator surface bound to a non-loopback address (docs/api.md "TLS"): a P-256 key and a
 * self-signed certificate made once into the state directory and reused, and the per-connection TLS 1.2+
 * sessions the server runs on its non-blocking sockets. mbedTLS allocates with calloc, which the daemon's
 * malloc override serves from its arena: one session per open connection, freed when it closes. */
#ifndef EB_APP_HTTP_TLS_H
#define EB_APP_HTTP_TLS_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#define EB_TLS_FP_LEN (32 * 3) /* "AA:BB:..." of a SHA-256, with its NUL */

typedef struct {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context key;
    mbedtls_x509_crt crt;
    mbedtls_ssl_config conf;
    char fingerprint[EB_TLS_FP_LEN]; /* SHA-256 of the certificate's DER */
    int made;                        /* 1: the key and certificate were made by this start */
} eb_http_tls_t;

/* Loads <dir>/tls_key.pem and <dir>/tls_cert.pem, or makes them when neither exists (key 0600; CN the
 * host name or "edgebox", 10 years, the bind address as SAN unless it is 0.0.0.0). 0, or -1 with err;
 * on failure nothing needs freeing. */
int eb_http_tls_init(eb_http_tls_t *t, const char *dir, const char *bind_addr, char *err, size_t cap);
void eb_http_tls_free(eb_http_tls_t *t);

/* A server session on fd (its reads and writes never block), or NULL when out of memory. */
mbedtls_ssl_context *eb_http_tls_session(eb_http_tls_t *t, const int *fd);
void eb_http_tls_session_free(mbedtls_ssl_context *ssl);

#endif
