/* Signed endpoints (SIGNED in Binance's docs): X-MBX-APIKEY, timestamp and recvWindow, and the HMAC-SHA256
 * signature over the parameters exactly as they arrived: the query string followed by the body, with the
 * signature parameter taken out. The bytes are MAC'd as received (percent-encoded or not), so a client
 * that signs anything other than what it sends fails here as it would on the venue. */
#include <string.h>
#include <stdlib.h>

#include "app/http/http_auth.h"
#include "app/venue_sign_binance.h"
#include "tools/edgebox/sim/sim_binance.h"

/* Appends s[0..len) without its `signature=` pair to out; the signature's raw value goes into sig.
 * Returns how many signature pairs there were. */
static int strip_signature(const char *s, size_t len, char *out, size_t *olen, char *sig, size_t sigcap)
{
    int found = 0;
    size_t i = 0, start = *olen;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '&')
            j++;
        if (j - i >= 10 && memcmp(s + i, "signature=", 10) == 0) {
            size_t n = j - i - 10;
            if (n >= sigcap)
                n = sigcap - 1;
            memcpy(sig, s + i + 10, n);
            sig[n] = '\0';
            found++;
        } else {
            if (*olen > start)
                out[(*olen)++] = '&';
            memcpy(out + *olen, s + i, j - i);
            *olen += j - i;
        }
        i = j + 1;
    }
    return found;
}

static int is_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int eb_sim_bn_auth(eb_sim_binance_t *v, const eb_http_req_t *req, const char *body, const eb_sim_params_t *p,
                   eb_http_resp_t *r)
{
    const eb_http_slice_t *key = eb_http_header(req, "X-MBX-APIKEY");
    if (!key || key->n == 0)
        return eb_sim_bn_error(r, 401, -2014, "API-key format invalid.") == 0;
    if (!eb_http_token_equal(key->p, key->n, v->api_key, strlen(v->api_key)))
        return eb_sim_bn_error(r, 401, -2015, "Invalid API-key, IP, or permissions for action.") == 0;

    const char *ts = eb_sim_param(p, "timestamp"), *rw = eb_sim_param(p, "recvWindow");
    if (!is_digits(ts))
        return eb_sim_bn_error(r, 400, -1102,
                               "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.") == 0;
    long long window = 5000;
    if (rw) {
        if (!is_digits(rw) || strlen(rw) > 6)
            return eb_sim_bn_error(r, 400, -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,6}$'.") == 0;
        window = atoll(rw);
        if (window > 60000)
            return eb_sim_bn_error(r, 400, -1131, "recvWindow must be less than 60000") == 0;
    }
    long long t = strlen(ts) > 15 ? -1 : atoll(ts), now = (long long)v->now_ms();
    if (t < 0 || t >= now + 1000)
        return eb_sim_bn_error(r, 400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.") == 0;
    if (now - t > window)
        return eb_sim_bn_error(r, 400, -1021, "Timestamp for this request is outside of the recvWindow.") == 0;

    char *payload = v->payload;
    char sig[EB_BINANCE_SIG_HEX + 2], hex[EB_BINANCE_SIG_HEX + 1], err[160];
    size_t len = 0;
    sig[0] = '\0';
    int found = strip_signature(req->query.p, req->query.n, payload, &len, sig, sizeof sig);
    /* Binance's totalParams: the query string, then the body, concatenated as they are */
    size_t qlen = len, blen = 0;
    found += strip_signature(body, (size_t)req->content_length, payload + qlen, &blen, sig, sizeof sig);
    len = qlen + blen;
    if (found != 1)
        return eb_sim_bn_error(r, 400, -1102,
                               "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.") == 0;
    if (eb_binance_signature(payload, len, v->api_secret, hex, err, sizeof err) != 0)
        return -1;
    for (char *c = sig; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    if (!eb_http_token_equal(sig, strlen(sig), hex, EB_BINANCE_SIG_HEX))
        return eb_sim_bn_error(r, 400, -1022, "Signature for this request is not valid.") == 0;
    return 0;
}
