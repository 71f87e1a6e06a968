/* Every input that ever crashed a fuzz target (tests/fuzz/regressions/<target>/) is replayed here under
 * the normal test run: the importers must refuse it with a message (or compile a blob that opens). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "common/file_read.h"
#include "tests/support/check.h"
#include "tools/edgebox/model/model_compile.h"

typedef int (*compile_fn)(const char *, size_t, const eb_compile_opts_t *, uint8_t **, size_t *, char *, size_t);

static void replay_dir(const char *dir, compile_fn compile)
{
    DIR *d = opendir(dir);
    if (!d) {
        CHECK_SKIP("no regression inputs");
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[512], err[256] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = eb_file_read_all(path, 0, 0, &len, err, sizeof err);
        CHECK_MSG(text != NULL, "%s: %s", path, err);
        if (!text)
            continue;
        eb_compile_opts_t o;
        eb_compile_opts_default(&o);
        uint8_t *blob = NULL;
        size_t blen;
        eb_model_t m;
        if (compile(text, len, &o, &blob, &blen, err, sizeof err) == 0)
            CHECK_MSG(eb_model_open(&m, blob, blen, NULL) == 0, "%s: compiled blob does not open", path);
        else
            CHECK_MSG(err[0] != '\0', "%s: refused without a reason", path);
        fprintf(stderr, "  %s: %s\n", e->d_name, blob ? "compiled" : err);
        free(blob);
        free(text);
    }
    closedir(d);
}

TEST(lightgbm_crashers)
{
    replay_dir("tests/fuzz/regressions/fuzz_import_lightgbm", eb_compile_lightgbm_text);
}

TEST(xgboost_crashers)
{
    replay_dir("tests/fuzz/regressions/fuzz_import_xgboost", eb_compile_xgboost_json);
}

int main(void)
{
    RUN(lightgbm_crashers);
    RUN(xgboost_crashers);
    return eb_check_report();
}
