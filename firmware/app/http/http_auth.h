/* The bearer token check of control endpoints: "Authorization: Bearer <token>", compared in constant time
 * so the time a wrong guess takes says nothing about how much of it was right. */
#ifndef EB_APP_HTTP_AUTH_H
#define EB_APP_HTTP_AUTH_H

#include <stddef.h>

#include "app/http/http_parse.h"

/* 1 when a (alen bytes) equals b (blen bytes). The time depends only on blen (the expected token's
 * length, which is not secret), never on where the first difference is. */
int eb_http_token_equal(const char *a, size_t alen, const char *b, size_t blen);

/* 1 when the request carries "Authorization: Bearer <token>" (scheme case-insensitive) with exactly
 * `token`; 0 otherwise, and always 0 when no token is configured (tlen 0: control is closed). */
int eb_http_bearer_ok(const eb_http_req_t *req, const char *token, size_t tlen);

#endif
