/* The client side of the operator API: options, the token file, one libcurl request, and what each
 * answer means as an exit status (remote.h). */
#include "tools/edgebox/cli/remote.h"

#include "tools/edgebox/cli/remote_pin.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ANSWER_MAX (4u << 20) /* the largest answer kept (the read endpoints stay far below) */

/* The token: one line in a regular file only its owner can read (a token others could read opens the
 * box's controls to them, so such a file is refused, as the daemon refuses its own). */
static int read_token(eb_remote_t *r, const char *path, const char *cmd)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "edgebox %s: --token-file %s: %s\n", cmd, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return EB_REMOTE_USAGE;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
        fprintf(stderr, "edgebox %s: --token-file %s: %s; it must be a regular file of mode 0600 (chmod 600 %s)\n",
                cmd, path, S_ISREG(st.st_mode) ? "readable by others" : "not a regular file", path);
        close(fd);
        return EB_REMOTE_USAGE;
    }
    ssize_t n = read(fd, r->token, sizeof r->token - 1);
    int e = errno;
    close(fd);
    if (n < 0) {
        fprintf(stderr, "edgebox %s: --token-file %s: %s\n", cmd, path, strerror(e));
        return EB_REMOTE_USAGE;
    }
    while (n > 0 && (r->token[n - 1] == '\n' || r->token[n - 1] == '\r' || r->token[n - 1] == ' '))
        n--;
    r->token[n] = '\0';
    if (n == 0 || (size_t)n >= sizeof r->token - 1 || strpbrk(r->token, " \r\n\t")) {
        memset(r->token, 0, sizeof r->token);
        fprintf(stderr, "edgebox %s: --token-file %s: not one line of a token (16..127 bytes, no spaces)\n", cmd, path);
        return EB_REMOTE_USAGE;
    }
    return EB_REMOTE_OK;
}

/* Takes argv[i] and, with has_value, argv[i+1] out of argv. */
static void take(int *argc, char **argv, int i, int has_value)
{
    int k = has_value ? 2 : 1;
    memmove(&argv[i], &argv[i + k], (size_t)(*argc - i - k + 1) * sizeof *argv);
    *argc -= k;
}

int eb_remote_setup(eb_remote_t *r, int *argc, char **argv, int need_token, const char *cmd)
{
    const char *host = NULL, *token_file = NULL, *fp = NULL;
    memset(r, 0, sizeof *r);
    r->timeout_s = 30;
    for (int i = 1; i < *argc;) {
        const char *o = argv[i];
        int is_opt = !strcmp(o, "--host") || !strcmp(o, "--token-file") || !strcmp(o, "--timeout") ||
                     !strcmp(o, "--fingerprint");
        if (!is_opt) {
            i++;
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "edgebox %s: %s needs a value\n", cmd, o);
            return EB_REMOTE_USAGE;
        }
        const char *v = argv[i + 1];
        if (!strcmp(o, "--host")) {
            host = v;
        } else if (!strcmp(o, "--token-file")) {
            token_file = v;
        } else if (!strcmp(o, "--fingerprint")) {
            fp = v;
        } else {
            char *end;
            r->timeout_s = strtol(v, &end, 10);
            if (*end || r->timeout_s < 1 || r->timeout_s > 3600) {
                fprintf(stderr, "edgebox %s: --timeout %s: seconds, 1..3600\n", cmd, v);
                return EB_REMOTE_USAGE;
            }
        }
        take(argc, argv, i, 1);
    }
    int tls = host && !strncmp(host, "https://", 8);
    if (tls)
        host += 8;
    if (!host || !host[0] || strpbrk(host, "/@?# ")) {
        fprintf(stderr, "edgebox %s: --host H[:PORT] is required (a host name or address, port 8080 by default)\n", cmd);
        return EB_REMOTE_USAGE;
    }
    const char *colon = strrchr(host, ':');
    int n = snprintf(r->url, sizeof r->url, "%s://%s%s", tls ? "https" : "http", host, colon ? "" : ":8080");
    if (n < 0 || (size_t)n >= sizeof r->url) {
        fprintf(stderr, "edgebox %s: --host is too long\n", cmd);
        return EB_REMOTE_USAGE;
    }
    /* the box's certificate is its own: without the pin nothing could tell it from another's */
    if (tls && (!fp || eb_remote_pin_parse(fp, r->pin) != 0)) {
        fprintf(stderr, "edgebox %s: --host https://... needs --fingerprint AA:BB:... (32 hex pairs): the box's "
                        "certificate SHA-256, as its log and GET /api/v1/status show it\n", cmd);
        return EB_REMOTE_USAGE;
    }
    if (fp && !tls) {
        fprintf(stderr, "edgebox %s: --fingerprint needs --host https://H[:PORT]\n", cmd);
        return EB_REMOTE_USAGE;
    }
    if (tls)
        snprintf(r->fingerprint, sizeof r->fingerprint, "%s", fp);
    if (need_token && !token_file) {
        fprintf(stderr, "edgebox %s: --token-file F is required: the box's API token (the file named by its "
                        "appliance.http.token_file), mode 0600\n", cmd);
        return EB_REMOTE_USAGE;
    }
    return token_file ? read_token(r, token_file, cmd) : EB_REMOTE_OK;
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    eb_remote_answer_t *a = ctx;
    size_t k = size * n;
    if (a->len + k > ANSWER_MAX)
        return 0; /* curl stops with a write error */
    char *b = realloc(a->body, a->len + k + 1);
    if (!b)
        return 0;
    memcpy(b + a->len, p, k);
    a->body = b;
    a->len += k;
    a->body[a->len] = '\0';
    return k;
}

static size_t on_read(char *p, size_t size, size_t n, void *ctx)
{
    size_t k = fread(p, size, n, ctx);
    return ferror((FILE *)ctx) ? CURL_READFUNC_ABORT : k;
}

int eb_remote_request(const eb_remote_t *r, const char *method, const char *path, const char *json_body,
                      const char *body_file, eb_remote_answer_t *a, const char *cmd)
{
    char url[400], auth[200];
    memset(a, 0, sizeof *a);
    snprintf(url, sizeof url, "%s%s", r->url, path);
    FILE *f = NULL;
    struct stat st;
    if (body_file && (!(f = fopen(body_file, "rb")) || fstat(fileno(f), &st) != 0)) {
        fprintf(stderr, "edgebox %s: %s: %s\n", cmd, body_file, strerror(errno));
        if (f)
            fclose(f);
        return EB_REMOTE_USAGE;
    }
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    int rc = EB_REMOTE_OK;
    if (!c) {
        fprintf(stderr, "edgebox %s: libcurl did not start\n", cmd);
        if (f)
            fclose(f);
        return EB_REMOTE_CONNECT;
    }
    if (r->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", r->token);
        h = curl_slist_append(h, auth);
        memset(auth, 0, sizeof auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, r->timeout_s < 10 ? r->timeout_s : 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, r->timeout_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, r->fingerprint[0] ? "https" : "http");
    if (r->fingerprint[0] && eb_remote_pin_apply(c, r->pin) != CURLE_OK) {
        fprintf(stderr, "edgebox %s: this libcurl cannot pin a certificate (CURLOPT_SSL_CTX_FUNCTION)\n", cmd);
        rc = EB_REMOTE_CONNECT;
    }
    if (body_file) {
        h = curl_slist_append(h, "Content-Type: application/octet-stream");
        h = curl_slist_append(h, "Expect: 100-continue"); /* a refusal (401, 413) comes before the body is sent */
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, f);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st.st_size);
    } else if (json_body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode cr = rc == EB_REMOTE_OK ? curl_easy_perform(c) : CURLE_OK;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    if (cr == CURLE_PEER_FAILED_VERIFICATION) {
        rc = EB_REMOTE_CONNECT;
        fprintf(stderr, "edgebox %s: %s: the box's certificate is not the one of --fingerprint: nothing was sent\n",
                cmd, r->url);
    } else if (cr != CURLE_OK && a->status == 0) {
        rc = cr == CURLE_OPERATION_TIMEDOUT ? EB_REMOTE_TIMEOUT : EB_REMOTE_CONNECT;
        const char *hint = cr == CURLE_COULDNT_CONNECT ? " (is edgeboxd running, with appliance.http.port on that port?)" : "";
        fprintf(stderr, "edgebox %s: %s: %s%s\n", cmd, r->url,
                cr == CURLE_OPERATION_TIMEDOUT ? "no answer in time (--timeout)" : curl_easy_strerror(cr), hint);
    }
    curl_slist_free_all(h); /* the header's copy of the token goes with it */
    curl_easy_cleanup(c);
    if (f)
        fclose(f);
    if (!a->body && (a->body = calloc(1, 1)) == NULL)
        rc = EB_REMOTE_CONNECT;
    return rc;
}

/* The box's own words: "message" of a JSON answer, or the first line of a plain one (which names the
 * status itself: "413 Content Too Large: ..."). */
static void print_message(FILE *out, const eb_remote_answer_t *a, const char *cmd)
{
    cJSON *j = cJSON_Parse(a->body);
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
    if (m)
        fprintf(out, "edgebox %s: %ld %s\n", cmd, a->status, m);
    else
        fprintf(out, "edgebox %s: %.*s\n", cmd, (int)strcspn(a->body, "\n"), a->body);
    cJSON_Delete(j);
}

int eb_remote_outcome(const eb_remote_answer_t *a, const char *cmd)
{
    if (a->status >= 200 && a->status < 300) {
        print_message(stdout, a, cmd);
        return EB_REMOTE_OK;
    }
    print_message(stderr, a, cmd);
    if (a->status == 401)
        fprintf(stderr, "edgebox %s: the box refused the token: check --token-file against its appliance.http.token_file\n", cmd);
    if (a->status == 403)
        fprintf(stderr, "edgebox %s: control is off on the box: it has no appliance.http.token_file\n", cmd);
    if (a->status == 413)
        fprintf(stderr, "edgebox %s: too large for the box (appliance.max_model_kib): nothing was changed\n", cmd);
    return a->status == 401 || a->status == 403 ? EB_REMOTE_AUTH
           : a->status == 413                   ? EB_REMOTE_TOO_LARGE
                                                : EB_REMOTE_REFUSED;
}

void eb_remote_free(eb_remote_answer_t *a)
{
    free(a->body);
    a->body = NULL;
    a->len = 0;
}
