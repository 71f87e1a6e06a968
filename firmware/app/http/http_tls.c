/* The operator surface's key, certificate and TLS sessions (http_tls.h), on mbedTLS 2.28 (Debian bookworm). */
#include "app/http/http_tls.h"

#include "common/errf.h"
#include "common/file_read.h"
#include "common/file_write.h"

#include <arpa/inet.h>
#include <errno.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PEM_CAP 4096 /* a P-256 key or its certificate in PEM is well under 1 KiB */

static int fail(char *err, size_t cap, const char *what, int rc)
{
    char msg[128];
    mbedtls_strerror(rc, msg, sizeof msg);
    return eb_errf(err, cap, "tls: %s: %s (-0x%04x)", what, msg, (unsigned)-rc);
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* CN: the host name when it is a plain DNS name (no character that would need escaping in a DN). */
static void common_name(char *cn, size_t cap)
{
    static const char dns[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
    char h[64];
    int ok = gethostname(h, sizeof h) == 0;
    h[sizeof h - 1] = '\0'; /* a truncated name need not be terminated */
    if (ok && h[0] && strspn(h, dns) == strlen(h))
        snprintf(cn, cap, "CN=%s", h);
    else
        snprintf(cn, cap, "CN=edgebox");
}

/* subjectAltName with the one IPv4 address: SEQUENCE { [7] OCTET STRING(4) }. 0.0.0.0 names no address. */
static int add_san(mbedtls_x509write_cert *w, const char *bind_addr)
{
    struct in_addr a;
    if (!bind_addr || inet_pton(AF_INET, bind_addr, &a) != 1 || a.s_addr == 0)
        return 0;
    unsigned char der[8] = {0x30, 6, 0x87, 4};
    memcpy(der + 4, &a.s_addr, 4);
    return mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                               MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der, sizeof der);
}

static int make_cert(eb_http_tls_t *t, const char *bind_addr, unsigned char *pem, size_t cap, char *err, size_t ecap)
{
    char cn[80], from[16], to[16];
    common_name(cn, sizeof cn);
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return eb_errf(err, ecap, "tls: the clock cannot be read");
    strftime(from, sizeof from, "%Y%m%d%H%M%S", &tm);
    tm.tm_year += 10;
    strftime(to, sizeof to, "%Y%m%d%H%M%S", &tm);
    unsigned char serial[16];
    int rc = mbedtls_ctr_drbg_random(&t->drbg, serial, sizeof serial);
    serial[0] &= 0x7f; /* a positive INTEGER */
    mbedtls_mpi sn;
    mbedtls_mpi_init(&sn);
    mbedtls_x509write_cert w;
    mbedtls_x509write_crt_init(&w);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, &t->key);
    mbedtls_x509write_crt_set_issuer_key(&w, &t->key);
    if (rc == 0)
        rc = mbedtls_mpi_read_binary(&sn, serial, sizeof serial);
    if (rc == 0)
        rc = mbedtls_x509write_crt_set_serial(&w, &sn);
    if (rc == 0)
        rc = mbedtls_x509write_crt_set_subject_name(&w, cn);
    if (rc == 0)
        rc = mbedtls_x509write_crt_set_issuer_name(&w, cn);
    if (rc == 0)
        rc = mbedtls_x509write_crt_set_validity(&w, from, to);
    if (rc == 0)
        rc = mbedtls_x509write_crt_set_basic_constraints(&w, 0, -1);
    if (rc == 0)
        rc = add_san(&w, bind_addr);
    if (rc == 0)
        rc = mbedtls_x509write_crt_pem(&w, pem, cap, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_x509write_crt_free(&w);
    mbedtls_mpi_free(&sn);
    return rc == 0 ? 0 : fail(err, ecap, "the certificate cannot be made", rc);
}

/* A new key and certificate, written (atomically) into the state directory: the key first, 0600. */
static int make_files(eb_http_tls_t *t, const char *kpath, const char *cpath, const char *bind_addr, char *err,
                      size_t cap)
{
    unsigned char pem[PEM_CAP];
    int rc = mbedtls_pk_setup(&t->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc == 0)
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(t->key), mbedtls_ctr_drbg_random, &t->drbg);
    if (rc == 0)
        rc = mbedtls_pk_write_key_pem(&t->key, pem, sizeof pem);
    if (rc != 0)
        return fail(err, cap, "the P-256 key cannot be made", rc);
    int w = eb_write_file_atomic(kpath, pem, strlen((char *)pem), 0600, err, cap);
    memset(pem, 0, sizeof pem); /* the private key does not stay on the stack */
    if (w != 0 || make_cert(t, bind_addr, pem, sizeof pem, err, cap) != 0 ||
        eb_write_file_atomic(cpath, pem, strlen((char *)pem), 0644, err, cap) != 0)
        return -1;
    rc = mbedtls_x509_crt_parse(&t->crt, pem, strlen((char *)pem) + 1);
    return rc == 0 ? 0 : fail(err, cap, "the new certificate does not parse", rc);
}

/* PEM from a file, NUL-terminated (mbedTLS wants the NUL counted). Its length + 1, or -1. */
static long read_pem(const char *path, unsigned char *buf, size_t cap, char *err, size_t ecap)
{
    long n = eb_file_read_into(path, buf, cap - 1, EB_READ_NOFOLLOW, err, ecap);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n + 1;
}

static int load_files(eb_http_tls_t *t, const char *kpath, const char *cpath, char *err, size_t cap)
{
    unsigned char pem[PEM_CAP];
    long n = read_pem(kpath, pem, sizeof pem, err, cap);
    if (n < 0)
        return -1;
    int rc = mbedtls_pk_parse_key(&t->key, pem, (size_t)n, NULL, 0); /* 2.28: no RNG arguments (3.x has them) */
    memset(pem, 0, sizeof pem);
    if (rc != 0)
        return fail(err, cap, kpath, rc);
    if (mbedtls_pk_get_type(&t->key) != MBEDTLS_PK_ECKEY)
        return eb_errf(err, cap, "tls: %s is not an EC key", kpath);
    if ((n = read_pem(cpath, pem, sizeof pem, err, cap)) < 0)
        return -1;
    if ((rc = mbedtls_x509_crt_parse(&t->crt, pem, (size_t)n)) != 0)
        return fail(err, cap, cpath, rc);
    if ((rc = mbedtls_pk_check_pair(&t->crt.pk, &t->key)) != 0)
        return fail(err, cap, "the certificate does not belong to the key", rc);
    return 0;
}

static void fingerprint(eb_http_tls_t *t)
{
    unsigned char h[32];
    if (mbedtls_sha256_ret(t->crt.raw.p, t->crt.raw.len, h, 0) != 0) {
        snprintf(t->fingerprint, sizeof t->fingerprint, "?");
        return;
    }
    for (int i = 0; i < 32; i++)
        snprintf(t->fingerprint + 3 * i, 4, i < 31 ? "%02X:" : "%02X", h[i]);
}

static int setup_conf(eb_http_tls_t *t, char *err, size_t cap)
{
    int rc = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0)
        return fail(err, cap, "ssl config", rc);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2 */
    mbedtls_ssl_conf_renegotiation(&t->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    if ((rc = mbedtls_ssl_conf_own_cert(&t->conf, &t->crt, &t->key)) != 0)
        return fail(err, cap, "ssl own certificate", rc);
    return 0;
}

int eb_http_tls_init(eb_http_tls_t *t, const char *dir, const char *bind_addr, char *err, size_t cap)
{
    char kpath[512], cpath[512];
    if (join(kpath, sizeof kpath, dir, "tls_key.pem") != 0 || join(cpath, sizeof cpath, dir, "tls_cert.pem") != 0)
        return eb_errf(err, cap, "tls: the state directory's path is too long");
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_pk_init(&t->key);
    mbedtls_x509_crt_init(&t->crt);
    mbedtls_ssl_config_init(&t->conf);
    t->made = 0;
    static const unsigned char pers[] = "edgebox-http-tls";
    int rc = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, pers, sizeof pers - 1);
    if (rc != 0) {
        fail(err, cap, "the random generator cannot be seeded", rc);
    } else if (access(kpath, F_OK) != 0 && errno == ENOENT && access(cpath, F_OK) != 0 && errno == ENOENT) {
        t->made = 1;
        rc = make_files(t, kpath, cpath, bind_addr, err, cap);
    } else {
        rc = load_files(t, kpath, cpath, err, cap); /* one of the two missing is an error, not a new key */
    }
    if (rc == 0)
        rc = setup_conf(t, err, cap);
    if (rc != 0) {
        eb_http_tls_free(t);
        return -1;
    }
    fingerprint(t);
    return 0;
}

void eb_http_tls_free(eb_http_tls_t *t)
{
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->crt);
    mbedtls_pk_free(&t->key);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
}

static int bio_send(void *ctx, const unsigned char *p, size_t n)
{
    ssize_t r = send(*(const int *)ctx, p, n, MSG_NOSIGNAL);
    if (r >= 0)
        return (int)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *p, size_t n)
{
    ssize_t r = recv(*(const int *)ctx, p, n, 0);
    if (r >= 0)
        return (int)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_READ;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

mbedtls_ssl_context *eb_http_tls_session(eb_http_tls_t *t, const int *fd)
{
    mbedtls_ssl_context *ssl = calloc(1, sizeof *ssl);
    if (!ssl)
        return NULL;
    mbedtls_ssl_init(ssl);
    if (mbedtls_ssl_setup(ssl, &t->conf) != 0) {
        eb_http_tls_session_free(ssl);
        return NULL;
    }
    mbedtls_ssl_set_bio(ssl, (void *)fd, bio_send, bio_recv, NULL);
    return ssl;
}

void eb_http_tls_session_free(mbedtls_ssl_context *ssl)
{
    if (!ssl)
        return;
    mbedtls_ssl_free(ssl);
    free(ssl);
}
