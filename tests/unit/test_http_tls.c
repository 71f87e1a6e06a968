/* The operator surface's key and certificate (http_tls.h), without a socket: the first init makes the
 * pair (key 0600) with the bind address as the IP subjectAltName (none for 0.0.0.0) and a 10-year
 * validity; a second init loads the same pair (same fingerprint); half a pair or a damaged file is refused,
 * naming the file, and is not replaced. The fingerprint is the SHA-256 of the certificate's DER. */
#include "app/http/http_tls.h"
#include "tests/support/check.h"

#include <mbedtls/oid.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[64];

static void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", g_dir, name); }

/* the IPv4 subjectAltName entry ([7] OCTET STRING of 4) for a, in the certificate's DER */
static int has_ip_san(const mbedtls_x509_crt *crt, const unsigned char a[4])
{
    const unsigned char want[6] = {0x87, 4, a[0], a[1], a[2], a[3]};
    for (size_t i = 0; i + sizeof want <= crt->raw.len; i++)
        if (memcmp(crt->raw.p + i, want, sizeof want) == 0)
            return 1;
    return 0;
}

TEST(made_then_reused)
{
    eb_http_tls_t t;
    char err[300], key[128], fp[EB_TLS_FP_LEN];
    CHECK_EQ_INT(eb_http_tls_init(&t, g_dir, "192.0.2.7", err, sizeof err), 0);
    CHECK_EQ_INT(t.made, 1);
    path_of(key, sizeof key, "tls_key.pem");
    struct stat st;
    CHECK(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK_EQ_INT((int)strlen(t.fingerprint), 95);
    unsigned char h[32];
    char hex[4];
    CHECK_EQ_INT(mbedtls_sha256_ret(t.crt.raw.p, t.crt.raw.len, h, 0), 0);
    snprintf(hex, sizeof hex, "%02X:", h[0]);
    CHECK(strncmp(t.fingerprint, hex, 3) == 0);
    snprintf(hex, sizeof hex, "%02X", h[31]);
    CHECK_EQ_STR(t.fingerprint + 93, hex);
    CHECK(has_ip_san(&t.crt, (const unsigned char[]){192, 0, 2, 7}));
    int years = t.crt.valid_to.year - t.crt.valid_from.year;
    CHECK_EQ_INT(years, 10);
    snprintf(fp, sizeof fp, "%s", t.fingerprint);
    eb_http_tls_free(&t);

    CHECK_EQ_INT(eb_http_tls_init(&t, g_dir, "192.0.2.7", err, sizeof err), 0);
    CHECK_EQ_INT(t.made, 0);
    CHECK_EQ_STR(t.fingerprint, fp);
    eb_http_tls_free(&t);
}

TEST(half_or_damaged_pair_is_refused)
{
    eb_http_tls_t t;
    char err[300], key[128], cert[128];
    path_of(key, sizeof key, "tls_key.pem");
    path_of(cert, sizeof cert, "tls_cert.pem");
    CHECK_EQ_INT(unlink(key), 0);
    CHECK_EQ_INT(eb_http_tls_init(&t, g_dir, "192.0.2.7", err, sizeof err), -1);
    CHECK_MSG(strstr(err, "tls_key.pem") != NULL, "%s", err);
    CHECK(access(key, F_OK) != 0); /* not made anew: a pinned certificate stays what it was */
    FILE *f = fopen(key, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", f);
        fclose(f);
    }
    CHECK_EQ_INT(eb_http_tls_init(&t, g_dir, "192.0.2.7", err, sizeof err), -1);
    CHECK_MSG(strstr(err, "tls_key.pem") != NULL, "%s", err);
    CHECK_EQ_INT(unlink(key), 0);
    CHECK_EQ_INT(unlink(cert), 0);
}

TEST(any_address_has_no_san)
{
    eb_http_tls_t t;
    char err[300];
    CHECK_EQ_INT(eb_http_tls_init(&t, g_dir, "0.0.0.0", err, sizeof err), 0);
    CHECK_EQ_INT(t.made, 1);
    CHECK(!(t.crt.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME));
    eb_http_tls_free(&t);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/eb-test-tls-XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    RUN(made_then_reused);
    RUN(half_or_damaged_pair_is_refused);
    RUN(any_address_has_no_san);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    return eb_check_report();
}
