/* The certificate pin of the remote commands (remote_pin.h), in mbedTLS's verify callback. */
#include "tools/edgebox/cli/remote_pin.h"

#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int eb_remote_pin_parse(const char *s, unsigned char pin[32])
{
    if (strlen(s) != 32 * 3 - 1)
        return -1;
    for (int i = 0; i < 32; i++) {
        const char *p = s + 3 * i;
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || (i < 31 && p[2] != ':'))
            return -1;
        char hex[3] = {p[0], p[1], 0};
        pin[i] = (unsigned char)strtoul(hex, NULL, 16);
    }
    return 0;
}

/* The box's own certificate (depth 0) is trusted when its hash is the pin, and refused otherwise: that
 * also covers the name check (the pin names the box, not a DNS name or the CN). A chain above it, which
 * a box does not send, would not be trusted either. */
static int verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    const unsigned char *pin = ctx;
    unsigned char h[32];
    if (depth == 0 && mbedtls_sha256_ret(crt->raw.p, crt->raw.len, h, 0) == 0 && memcmp(h, pin, sizeof h) == 0)
        *flags = 0;
    else
        *flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    return 0;
}

static CURLcode on_ssl_ctx(CURL *c, void *ssl_ctx, void *pin)
{
    (void)c;
    /* libcurl keeps mbedTLS's verification optional and refuses the connection itself on any flag left
     * (with CURLOPT_SSL_VERIFYPEER, its default), before a request is sent */
    mbedtls_ssl_conf_verify(ssl_ctx, verify, pin);
    return CURLE_OK;
}

CURLcode eb_remote_pin_apply(CURL *c, const unsigned char pin[32])
{
    CURLcode r = curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    if (r == CURLE_OK)
        r = curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)pin);
    return r;
}
