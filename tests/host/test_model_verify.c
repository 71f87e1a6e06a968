/* Signed model files on the box: each refusal of SPEC section 6 with its reason, and the A/B store
 * (install, anti-rollback counter persisted, previous slot kept, a refusal changes nothing). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/model_store.h"
#include "common/file_read.h"
#include "app/model_verify.h"
#include "tests/support/check.h"
#include "tools/edgebox/model/model_compile.h"

/* A small 3-class LightGBM model written here (one split per tree), 2 features. */
static const char *const LGB =
    "tree\nversion=v4\nnum_class=3\nnum_tree_per_iteration=3\nlabel_index=0\nmax_feature_idx=1\n"
    "objective=multiclass num_class:3\n\n"
    "Tree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=0\nthreshold=0.5\ndecision_type=2\nleft_child=-1\n"
    "right_child=-2\nleaf_value=0.25 -0.5\nshrinkage=1\n\n"
    "Tree=1\nnum_leaves=2\nnum_cat=0\nsplit_feature=1\nthreshold=-1\ndecision_type=10\nleft_child=-1\n"
    "right_child=-2\nleaf_value=0.1 0.2\nshrinkage=1\n\n"
    "Tree=2\nnum_leaves=1\nnum_cat=0\nleaf_value=0.05\nshrinkage=1\n\nend of trees\n";

static char keydir[96], key2dir[96], tmpdir[48];
static uint8_t *blob;
static size_t blob_len;

static char *key_text(const char *dir, const char *name, size_t *len)
{
    char p[128], err[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return eb_file_read_all(p, 0, 0, len, err, sizeof err);
}

static void base_manifest(eb_manifest_t *m, uint64_t release)
{
    memset(m, 0, sizeof *m);
    snprintf(m->model_id, sizeof m->model_id, "test");
    snprintf(m->board, sizeof m->board, "rpi4");
    m->schema_hash = 0xabcdef;
    m->release = release;
    m->created = 1700000000;
    m->not_after = 1900000000;
    snprintf(m->summary.metrics[0].name, EB_MANIFEST_NAME, "logloss");
    m->summary.metrics[0].value = 0.9;
}

static uint8_t *sign_with(const char *dir, eb_manifest_t *m, size_t *len)
{
    uint8_t *out = NULL;
    char err[256], p[128];
    snprintf(p, sizeof p, "%s/model.key", dir);
    int rc = eb_sign_blob_file(blob, blob_len, m, p, &out, len, err, sizeof err);
    CHECK_MSG(rc == 0, "sign: %s", err);
    return out;
}

static eb_verify_status_t verify(const uint8_t *f, size_t len, uint64_t min_release, int64_t now, char *err)
{
    size_t klen;
    char *pub = key_text(keydir, "model.pub", &klen);
    eb_verify_policy_t pol = {(const uint8_t *)pub, klen + 1, 0xabcdef, "rpi4", min_release, now, 0};
    eb_verify_status_t st = eb_model_verify(f, len, &pol, NULL, NULL, NULL, err, 256);
    free(pub);
    return st;
}

static void expect(const uint8_t *f, size_t len, eb_verify_status_t want, const char *what)
{
    char err[256] = "";
    eb_verify_status_t st = verify(f, len, 3, 1800000000, err);
    CHECK_MSG(st == want, "%s: got %s (%s), want %s", what, eb_verify_status_name(st), err,
              eb_verify_status_name(want));
    if (want != EB_VERIFY_OK)
        CHECK_MSG(err[0] != '\0', "%s: refusal without a reason", what);
}

TEST(good_file_verifies)
{
    eb_manifest_t m;
    base_manifest(&m, 4);
    size_t len;
    uint8_t *f = sign_with(keydir, &m, &len);
    expect(f, len, EB_VERIFY_OK, "good");
    free(f);
}

TEST(bit_flips_are_refused)
{
    eb_manifest_t m;
    base_manifest(&m, 4);
    size_t len;
    uint8_t *f = sign_with(keydir, &m, &len);
    size_t where[] = {EB_SIGNED_PAYLOAD_OFFSET + 200, EB_SIGNED_PAYLOAD_OFFSET + blob_len - 1,
                      EB_SIGNED_HEAD + 70 /* release */, EB_SIGNED_HEAD + 10 /* model id */,
                      len - EB_SIGNED_TRAILER + 20 /* signature */, 20 /* container */};
    const char *what[] = {"payload", "payload end", "manifest release", "manifest id", "signature", "header"};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        f[where[i]] ^= 0x10;
        char err[256] = "";
        eb_verify_status_t st = verify(f, len, 3, 1800000000, err);
        CHECK_MSG(st == EB_VERIFY_E_SIGNATURE || (i == 5 && st != EB_VERIFY_OK), "flip in %s: %s (%s)", what[i],
                  eb_verify_status_name(st), err);
        f[where[i]] ^= 0x10;
    }
    expect(f, len, EB_VERIFY_OK, "restored");
    free(f);
}

TEST(wrong_key_schema_board_release_expiry)
{
    eb_manifest_t m;
    size_t len;
    base_manifest(&m, 4);
    uint8_t *f = sign_with(key2dir, &m, &len);
    expect(f, len, EB_VERIFY_E_UNKNOWN_KEY, "other key");
    free(f);
    base_manifest(&m, 4);
    m.schema_hash = 0x1111;
    f = sign_with(keydir, &m, &len);
    expect(f, len, EB_VERIFY_E_SCHEMA, "schema");
    free(f);
    base_manifest(&m, 4);
    snprintf(m.board, sizeof m.board, "rpi5");
    f = sign_with(keydir, &m, &len);
    expect(f, len, EB_VERIFY_E_BOARD, "board");
    free(f);
    base_manifest(&m, 3);
    f = sign_with(keydir, &m, &len);
    expect(f, len, EB_VERIFY_E_ROLLBACK, "equal release");
    free(f);
    base_manifest(&m, 2);
    f = sign_with(keydir, &m, &len);
    expect(f, len, EB_VERIFY_E_ROLLBACK, "lower release");
    free(f);
    base_manifest(&m, 4);
    m.not_after = 1750000000;
    f = sign_with(keydir, &m, &len);
    expect(f, len, EB_VERIFY_E_EXPIRED, "expired");
    free(f);
}

TEST(sizes_are_refused)
{
    eb_manifest_t m;
    size_t len;
    base_manifest(&m, 4);
    uint8_t *f = sign_with(keydir, &m, &len);
    expect(f, 0, EB_VERIFY_E_EMPTY, "empty");
    expect(f, len - 1, EB_VERIFY_E_TRUNCATED, "truncated by one byte");
    expect(f, 100, EB_VERIFY_E_TRUNCATED, "truncated to 100 bytes");
    uint8_t *big = calloc(1, len + 16);
    memcpy(big, f, len);
    expect(big, len + 16, EB_VERIFY_E_OVERSIZED, "16 bytes appended");
    size_t klen;
    char *pub = key_text(keydir, "model.pub", &klen), err[256];
    eb_verify_policy_t pol = {(const uint8_t *)pub, klen + 1, 0, NULL, 0, 0, len - 1};
    CHECK_EQ_INT(eb_model_verify(f, len, &pol, NULL, NULL, NULL, err, sizeof err), EB_VERIFY_E_OVERSIZED);
    free(pub), free(big), free(f);
}

static void put_file(const char *path, const uint8_t *d, size_t n)
{
    FILE *fp = fopen(path, "wb");
    fwrite(d, 1, n, fp);
    fclose(fp);
}

static uint64_t counter_on_disk(const char *dir)
{
    size_t n;
    char *t = key_text(dir, "release", &n);
    uint64_t v = t ? strtoull(t, NULL, 10) : 0;
    free(t);
    return v;
}

TEST(store_installs_keeps_previous_and_refuses_rollback)
{
    static uint8_t mem[1 << 16];
    size_t klen, len;
    char *pub = key_text(keydir, "model.pub", &klen), err[256], sdir[96], file[128];
    snprintf(sdir, sizeof sdir, "%s/store", tmpdir);
    mkdir(sdir, 0700);
    snprintf(file, sizeof file, "%s/incoming.ebs", tmpdir);
    eb_verify_policy_t pol = {(const uint8_t *)pub, klen + 1, 0xabcdef, "rpi4", 0, 0, 0};
    eb_model_store_t s;
    CHECK(eb_model_store_open(&s, sdir, &pol, mem, sizeof mem, err, sizeof err) == 0);
    CHECK(eb_model_store_model(&s) == NULL);
    eb_manifest_t m;
    base_manifest(&m, 7);
    uint8_t *f = sign_with(keydir, &m, &len);
    put_file(file, f, len);
    free(f);
    CHECK_EQ_INT(eb_model_store_install(&s, file, 1800000000, err, sizeof err), EB_VERIFY_OK);
    CHECK_EQ_INT(counter_on_disk(sdir), 7);
    CHECK(eb_model_store_model(&s) != NULL && eb_model_store_selftest(&s) == 0);
    /* Same release again: refused, counter and active model unchanged. */
    CHECK_EQ_INT(eb_model_store_install(&s, file, 1800000000, err, sizeof err), EB_VERIFY_E_ROLLBACK);
    CHECK_EQ_INT(s.active, 0);
    CHECK_EQ_INT(counter_on_disk(sdir), 7);
    base_manifest(&m, 9);
    f = sign_with(keydir, &m, &len);
    put_file(file, f, len);
    free(f);
    CHECK_EQ_INT(eb_model_store_install(&s, file, 1800000000, err, sizeof err), EB_VERIFY_OK);
    CHECK_EQ_INT(s.active, 1);
    CHECK_EQ_INT(s.manifest.release, 9);
    CHECK_EQ_INT(counter_on_disk(sdir), 9);
    /* A reopened store (a restart) finds slot B and the counter; fallback returns to slot A (release 7). */
    eb_model_store_t r;
    CHECK(eb_model_store_open(&r, sdir, &pol, mem, sizeof mem, err, sizeof err) == 0);
    CHECK_EQ_INT(r.active, 1);
    CHECK_EQ_INT(r.highest_release, 9);
    CHECK(eb_model_store_fallback(&r, err, sizeof err) == 0);
    CHECK_EQ_INT(r.active, 0);
    CHECK_EQ_INT(r.manifest.release, 7);
    /* A corrupt incoming file: refused, nothing on disk changes. */
    put_file(file, (const uint8_t *)"garbage", 7);
    CHECK(eb_model_store_install(&r, file, 1800000000, err, sizeof err) != EB_VERIFY_OK);
    CHECK_EQ_INT(r.active, 0);
    CHECK_EQ_INT(counter_on_disk(sdir), 9);
    free(pub);
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eb-model-verify-XXXXXX");
    if (!mkdtemp(tmpdir))
        return;
    snprintf(keydir, sizeof keydir, "%s/k1", tmpdir);
    snprintf(key2dir, sizeof key2dir, "%s/k2", tmpdir);
    char err[256];
    CHECK_MSG(eb_keygen(keydir, err, sizeof err) == 0, "%s", err);
    CHECK_MSG(eb_keygen(key2dir, err, sizeof err) == 0, "%s", err);
    struct stat st;
    char p[128];
    snprintf(p, sizeof p, "%s/model.key", keydir);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
    eb_compile_opts_t o;
    eb_compile_opts_default(&o);
    o.schema_hash = 0xabcdef;
    CHECK_MSG(eb_compile_lightgbm_text(LGB, strlen(LGB), &o, &blob, &blob_len, err, sizeof err) == 0, "%s", err);
}

int main(void)
{
    RUN(setup);
    RUN(good_file_verifies);
    RUN(bit_flips_are_refused);
    RUN(wrong_key_schema_board_release_expiry);
    RUN(sizes_are_refused);
    RUN(store_installs_keeps_previous_and_refuses_rollback);
    free(blob);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return eb_check_report();
}
