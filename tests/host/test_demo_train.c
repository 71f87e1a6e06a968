/* make demo-train end to end: tools/demo-train.sh runs data -> walk-forward (small grid, bars before
 * 2021-06-01) -> Monte Carlo (the held-out bars) -> signed blob with the built host tool; every artefact
 * must exist, the gate's window must lie after the model's training range, the signed blob must verify. */
#include "tests/support/check.h"
#include "common/file_read.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int has(const char *dir, const char *name, const char *needle)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = eb_file_read_all(path, 0, 0, NULL, err, sizeof err);
    int ok = text && (!needle || strstr(text, needle));
    free(text);
    return ok;
}

TEST(demo_train_chain)
{
    const char *build = getenv("EB_BUILD");
    char tool[512], dir[128], cmd[1024];
    snprintf(tool, sizeof tool, "%s/bin/edgebox", build ? build : "build/host");
    if (access(tool, X_OK) != 0) {
        CHECK_SKIP("host tool not built");
        return;
    }
    snprintf(dir, sizeof dir, "/tmp/eb-test-demo-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "EB_DEMO_OUT=%s tools/demo-train.sh %s > %s.log 2>&1", dir, build ? build : "build/host",
             dir);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "demo-train.sh failed (exit %d), see %s.log", rc, dir);
    CHECK(has(dir, "wf/results.json", "\"selected\""));
    CHECK(has(dir, "wf/results.json", "\"shap_top10\""));
    CHECK(has(dir, "wf/report.html", "SHAP top 10"));
    CHECK(has(dir, "wf/model.ebm", NULL));
    CHECK(has(dir, "wf/model.signed", "EBSIGNED"));
    CHECK(has(dir, "mc/montecarlo.json", "\"pass\""));
    CHECK(has(dir, "mc/montecarlo.json", "\"lifecycle\": {\"state\": \"candidate\""));
    /* the gate ran on the held-out bars from 2021-06-01, after the model's training range (which ends there) */
    CHECK(has(dir, "mc/montecarlo.json", "\"window\": [1622505600000, "));
    CHECK(has(dir, "mc/montecarlo.json", ", 1622505600000],\n\"bars\""));
    CHECK(has(dir, "wf/model.summary.json", "\"train_end_ms\": 1622505600000"));
    CHECK(has(dir, "mc/montecarlo.html", "<svg"));
    char log[200];
    snprintf(log, sizeof log, "%s.log", dir);
    char err[256], *text = eb_file_read_all(log, 0, 0, NULL, err, sizeof err);
    CHECK(text && strstr(text, "model.signed: OK"));
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf %s %s.log", dir, dir);
    if (rc == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    RUN(demo_train_chain);
    return eb_check_report();
}
