/* Model updates on a running edgeboxd (issue 7, item 6; SPEC section 6): signed blobs arrive in the
 * watched drop directory (inotify) or by `edgebox model push`, are verified, installed into the A/B slots
 * (the previous one kept) and put in use between two bars; decisions then carry the new model's id and
 * probabilities. Refused, each with a "model" event and the running model untouched: a blob signed with
 * another key, one with a flipped bit, a truncated one, a replayed older release (anti-rollback) and one
 * computed on other features (schema hash). A model under which the daemon died while on trial is
 * replaced by the previous slot at the next start. */
#include "tests/support/check.h"
#include "tests/support/daemon_proc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dp_fixture_t F;
static char g_train[400];
static char g_b[500], g_c[500], g_wrong_key[500], g_flipped[500], g_rollback[500], g_truncated[500], g_schema[500];

static int flip_bit(const char *from, const char *to)
{
    size_t n;
    char *data = dp_read_file(from, &n);
    FILE *f = data ? fopen(to, "wb") : NULL;
    int ok = 0;
    if (f) {
        data[n / 2] ^= 0x10; /* inside the payload, after the manifest */
        ok = fwrite(data, 1, n, f) == n;
        ok = fclose(f) == 0 && ok;
    }
    free(data);
    return ok ? 0 : -1;
}

static int truncate_copy(const char *from, const char *to)
{
    size_t n;
    char *data = dp_read_file(from, &n);
    FILE *f = data ? fopen(to, "wb") : NULL;
    int ok = f && fwrite(data, 1, n * 2 / 3, f) == n * 2 / 3;
    if (f)
        ok = fclose(f) == 0 && ok;
    free(data);
    return ok ? 0 : -1;
}

/* A model trained with RSI 7 instead of 14: another feature schema, properly signed. */
static int other_schema_model(char *out, size_t cap)
{
    char cfg[400], ebm[400], log[400];
    snprintf(cfg, sizeof cfg, "%s/wf-rsi7.json", F.dir);
    snprintf(ebm, sizeof ebm, "%s/rsi7.ebm", F.dir);
    snprintf(log, sizeof log, "%s/rsi7.log", F.dir);
    snprintf(out, cap, "%s.signed", ebm);
    char *base = dp_read_file("configs/walkforward-small.json", NULL);
    char *brace = base ? strchr(base, '{') : NULL;
    if (!brace) {
        free(base);
        return -1;
    }
    char text[8192];
    snprintf(text, sizeof text,
             "{\"features\": {\"tenkan\": 9, \"kijun\": 26, \"senkou_b\": 52, \"displacement\": 26, \"rsi\": 7, "
             "\"atr\": 14},%s", brace + 1);
    free(base);
    char key[400];
    snprintf(key, sizeof key, "%s/model.key", F.keys);
    const char *argv[] = {F.tool, "train", "--config", cfg, "--in", g_train, "--out", ebm, "--key", key,
                          "--release", "50", "--model-id", "rsi7", NULL};
    return dp_write_file(cfg, text) == 0 && dp_run(argv, NULL, log, 60000) == 0 ? 0 : -1;
}

static int make_models(void)
{
    char keys2[400];
    snprintf(g_train, sizeof g_train, "%s/train.csv", F.dir);
    snprintf(keys2, sizeof keys2, "%s/other-keys", F.dir);
    const char *k[] = {F.tool, "keygen", "--out", keys2, NULL};
    char tmp[500];
    snprintf(g_flipped, sizeof g_flipped, "%s/flipped.signed", F.dir);
    snprintf(g_truncated, sizeof g_truncated, "%s/truncated.signed", F.dir);
    if (dp_make_model(F.tool, F.dir, F.keys, g_train, "mB", 2, g_b, sizeof g_b) != 0 ||
        dp_make_model(F.tool, F.dir, F.keys, g_train, "mC", 3, g_c, sizeof g_c) != 0 ||
        dp_run(k, NULL, NULL, 10000) != 0 ||
        dp_make_model(F.tool, F.dir, keys2, g_train, "mW", 10, g_wrong_key, sizeof g_wrong_key) != 0 ||
        dp_make_model(F.tool, F.dir, F.keys, g_train, "mF", 11, tmp, sizeof tmp) != 0 || flip_bit(tmp, g_flipped) != 0 ||
        dp_make_model(F.tool, F.dir, F.keys, g_train, "mT", 12, tmp, sizeof tmp) != 0 ||
        truncate_copy(tmp, g_truncated) != 0 ||
        dp_make_model(F.tool, F.dir, F.keys, g_train, "mR", 1, g_rollback, sizeof g_rollback) != 0)
        return -1;
    return other_schema_model(g_schema, sizeof g_schema);
}

typedef struct {
    char casedir[400], cfg[500], log[500], db[500], state[500], drop[500];
    dp_notify_t rx;
    pid_t pid;
} run_t;

static int start(run_t *r, const char *tag, const char *speed)
{
    char where[120], sim[600];
    snprintf(r->log, sizeof r->log, "%s/log", r->casedir);
    snprintf(r->state, sizeof r->state, "%s/state", r->casedir);
    snprintf(r->db, sizeof r->db, "%s/state/journal.db", r->casedir);
    snprintf(r->drop, sizeof r->drop, "%s/state/drop", r->casedir);
    snprintf(where, sizeof where, "@eb-test-models-%d-%s", (int)getpid(), tag);
    if (dp_notify_open(&r->rx, where) != 0)
        return -1;
    const char *argv[] = {F.daemon, "--config", r->cfg, "--speed", speed, NULL};
    const char *env[] = {dp_sim_env(r->casedir, sim, sizeof sim), r->rx.env, NULL};
    r->pid = dp_spawn(argv, env, r->log);
    return r->pid > 0 && dp_notify_wait(&r->rx, 0, "READY=1", 10000) >= 0 ? 0 : -1;
}

/* Waits until a STATUS= line contains `needle`. */
static int status_has(run_t *r, const char *needle, int timeout_ms)
{
    int from = 0;
    for (int64_t end = dp_now_ms() + timeout_ms; dp_now_ms() < end;) {
        int i = dp_notify_wait(&r->rx, from, "STATUS=", (int)(end - dp_now_ms()));
        if (i < 0)
            return 0;
        if (strstr(r->rx.msg[i].text, needle))
            return 1;
        from = i + 1;
    }
    return 0;
}

/* Drops a refused blob and waits until the daemon has set it aside as DROP/.NAME.rejected. */
static void expect_refused(run_t *r, const char *file, const char *name, const char *why)
{
    char rejected[600];
    snprintf(rejected, sizeof rejected, "%s/.%s.rejected", r->drop, name);
    CHECK_MSG(dp_drop(file, r->drop, name) == 0, "cannot drop %s", name);
    int64_t end = dp_now_ms() + 3000;
    while (!dp_exists(rejected) && dp_now_ms() < end)
        dp_sleep_ms(10);
    CHECK_MSG(dp_exists(rejected), "%s (%s) was not set aside as refused", name, why);
    dp_notify_pump(&r->rx, 100);
    CHECK_MSG(strstr(dp_notify_last_status(&r->rx), "model mA") != NULL, "after %s the model changed: %s", name,
              dp_notify_last_status(&r->rx));
}

static void slot_is(const run_t *r, const char *slot, const char *signed_file)
{
    char path[600];
    size_t a_len, b_len;
    snprintf(path, sizeof path, "%s/models/%s", r->state, slot);
    char *a = dp_read_file(path, &a_len), *b = dp_read_file(signed_file, &b_len);
    CHECK_MSG(a && b && a_len == b_len && memcmp(a, b, a_len) == 0, "%s does not hold %s", slot, signed_file);
    free(a);
    free(b);
}

TEST(drop_and_push_install_refusals_leave_the_running_model)
{
    run_t r;
    memset(&r, 0, sizeof r);
    dp_fixture_case(&F, "updates", F.bars, "", "", 0, r.casedir, sizeof r.casedir, r.cfg, sizeof r.cfg);
    /* 1,500 bars at 60,000x: a bar every 5 ms, for 7.5 s */
    if (start(&r, "updates", "60000") != 0) {
        CHECK_MSG(0, "the daemon did not become ready");
        return;
    }
    CHECK(status_has(&r, "disarm: no_model;", 2000));
    CHECK(strstr(dp_notify_last_status(&r.rx), "model none") != NULL);
    /* decisions without a model first, past the warm-up (the ATR history needs 252 bars, 1.3 s here):
     * from then on a model's probabilities are journalled with every decision */
    dp_sleep_ms(1700);

    CHECK(dp_drop(F.model, r.drop, "mA.signed") == 0);
    CHECK_MSG(status_has(&r, "model mA", 3000), "the dropped model was not taken into use: %s",
              dp_notify_last_status(&r.rx));
    CHECK(strstr(dp_notify_last_status(&r.rx), "no_model") == NULL);

    expect_refused(&r, g_wrong_key, "wrong-key.signed", "another key");
    expect_refused(&r, g_flipped, "flipped.signed", "a flipped bit");
    expect_refused(&r, g_truncated, "truncated.signed", "truncated");
    expect_refused(&r, g_rollback, "rollback.signed", "release 1 again");
    expect_refused(&r, g_schema, "schema.signed", "other features");

    char log[600];
    snprintf(log, sizeof log, "%s/push.log", r.casedir);
    const char *push[] = {F.tool, "model", "push", "--in", g_b, "--state-dir", r.state, NULL};
    CHECK_EQ_INT(dp_run(push, NULL, log, 10000), 0);
    CHECK_MSG(status_has(&r, "model mB", 3000), "the pushed model was not taken into use: %s",
              dp_notify_last_status(&r.rx));
    dp_sleep_ms(300);
    kill(r.pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(r.pid, 10000), 0);
    dp_notify_close(&r.rx);

    /* events: two installs, five refusals, each saying why */
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like "
                                  "'installed mA.signed: model mA release 1 in slot A%'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like "
                                  "'installed %: model mB release 2 in slot B%'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like 'refused %' "
                                  "and detail like '%(the running model is unchanged)'", -1), 5);
    char *ev = dp_sql_dump(r.db, "select detail from events where kind='model' and detail like 'refused %' order by id");
    fprintf(stderr, "refusals as journalled:\n%s", ev ? ev : "");
    free(ev);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like 'refused rollback%' "
                                  "and detail like '%release%'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like 'refused schema%' "
                                  "and detail like '%schema%'", -1), 1);
    /* decisions: none, then mA only, then mB only; never a refused one; probabilities with the id */
    CHECK(dp_sql_int(r.db, "select count(*) from decisions where model_id = '' and p_buy is null", -1) >= 10);
    CHECK(dp_sql_int(r.db, "select count(*) from decisions where model_id = 'mA'", -1) >= 10);
    CHECK(dp_sql_int(r.db, "select count(*) from decisions where model_id = 'mB'", -1) >= 10);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from decisions where model_id not in ('', 'mA', 'mB')", -1), 0);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from decisions where model_id <> '' and "
                                  "not (abs(p_buy + p_sell + p_neutral - 1) < 1e-9 and p_buy between 0 and 1)", -1), 0);
    CHECK_EQ_INT(dp_sql_int(r.db, "select (select max(bar_ms) from decisions where model_id = '') < "
                                  "(select min(bar_ms) from decisions where model_id = 'mA') and "
                                  "(select max(bar_ms) from decisions where model_id = 'mA') < "
                                  "(select min(bar_ms) from decisions where model_id = 'mB')", -1), 1);
    /* the A/B store: the new model in B, the previous kept in A, the counter at 2 */
    slot_is(&r, "slot-a.ebs", F.model);
    slot_is(&r, "slot-b.ebs", g_b);
    char path[600];
    snprintf(path, sizeof path, "%s/models/active", r.state);
    CHECK(dp_file_contains(path, "b"));
    snprintf(path, sizeof path, "%s/models/release", r.state);
    char *rel = dp_read_file(path, NULL);
    CHECK_MSG(rel && strtol(rel, NULL, 10) == 2, "release counter: %s", rel ? rel : "(missing)");
    free(rel);
    /* nothing left to install in the drop dir: installed blobs removed, refused ones set aside, the
     * newest three of them only (their reasons are in the journal) */
    CHECK_EQ_INT(dp_count_entries(r.drop), 3);
}

/* SIGKILL while the newest model is on trial: the next start falls back to the previous slot. */
TEST(death_on_trial_falls_back_to_the_previous_model)
{
    run_t r;
    memset(&r, 0, sizeof r);
    dp_fixture_case(&F, "trial", F.bars, "\"trial_bars\": 100", "", 1, r.casedir, sizeof r.casedir, r.cfg,
                    sizeof r.cfg);
    if (start(&r, "trial", "60000") != 0) {
        CHECK_MSG(0, "the daemon did not become ready");
        return;
    }
    CHECK(status_has(&r, "model mA", 2000));
    dp_sleep_ms(2300); /* the trial counts bars with probabilities: 252 bars of warm-up, then 100, at 5 ms */
    char log[600];
    snprintf(log, sizeof log, "%s/push.log", r.casedir);
    const char *push[] = {F.tool, "model", "push", "--in", g_c, "--state-dir", r.state, NULL};
    CHECK_EQ_INT(dp_run(push, NULL, log, 10000), 0);
    /* installed when the store has taken it out of the drop dir (STATUS= may take a second to say so) */
    char pushed[600];
    snprintf(pushed, sizeof pushed, "%s/mC.signed", r.drop);
    for (int64_t end = dp_now_ms() + 3000; dp_exists(pushed) && dp_now_ms() < end;)
        dp_sleep_ms(5);
    CHECK(!dp_exists(pushed));
    /* the blob leaves the drop dir a moment before the journal records the trial (a crash in between runs
     * the new model untried: reported); 50 ms later it is committed, and the trial lasts 500 ms */
    dp_sleep_ms(50);
    kill(r.pid, SIGKILL);
    dp_wait(r.pid, 5000);
    dp_notify_close(&r.rx);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail = 'trial passed'", -1), 1);

    memset(&r.rx, 0, sizeof r.rx);
    if (start(&r, "trial2", "60000") != 0) {
        CHECK_MSG(0, "the daemon did not restart");
        return;
    }
    CHECK_MSG(status_has(&r, "model mA", 2000), "after dying on trial: %s", dp_notify_last_status(&r.rx));
    dp_sleep_ms(300);
    kill(r.pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(r.pid, 10000), 0);
    dp_notify_close(&r.rx);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like "
                                  "'the daemon stopped while the newest model was on trial; back to the previous model'", -1), 1);
    /* the restarted daemon decides with mA again (mC's few bars were not committed before the SIGKILL) */
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from (select model_id from decisions order by bar_ms desc "
                                  "limit 20) where model_id = 'mA'", -1), 20);
    CHECK_EQ_INT(dp_sql_int(r.db, "select value from state where key='model.trial'", -1), 0);
}

/* A clean stop during a trial is no crash under the new model: the trial is paused and runs again in full at
 * the next start, the model stays (before, the next start fell back, and with nothing to fall back to it
 * said "slot-b.ebs: No such file or directory"). */
TEST(clean_stop_on_trial_keeps_the_model)
{
    run_t r;
    memset(&r, 0, sizeof r);
    dp_fixture_case(&F, "trial-clean", F.bars, "\"trial_bars\": 100000", "", 1, r.casedir, sizeof r.casedir, r.cfg,
                    sizeof r.cfg);
    if (start(&r, "clean1", "60000") != 0) {
        CHECK_MSG(0, "the daemon did not become ready");
        return;
    }
    CHECK(status_has(&r, "model mA", 2000));
    dp_sleep_ms(300);
    kill(r.pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(r.pid, 10000), 0);
    dp_notify_close(&r.rx);
    char *v = dp_sql_dump(r.db, "select value from state where key='model.trial'");
    CHECK_MSG(v && strstr(v, "paused"), "model.trial after a clean stop: %s", v ? v : "(none)");
    free(v);
    memset(&r.rx, 0, sizeof r.rx);
    if (start(&r, "clean2", "60000") != 0) {
        CHECK_MSG(0, "the daemon did not restart");
        return;
    }
    CHECK_MSG(status_has(&r, "model mA", 2000), "after a clean stop on trial: %s", dp_notify_last_status(&r.rx));
    CHECK_MSG(!strstr(dp_notify_last_status(&r.rx), "no_model"), "%s", dp_notify_last_status(&r.rx));
    kill(r.pid, SIGTERM);
    CHECK_EQ_INT(dp_wait(r.pid, 10000), 0);
    dp_notify_close(&r.rx);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like '%on trial; %'", -1), 0);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail = "
                                  "'the trial a clean stop interrupted starts again'", -1), 1);
    CHECK_EQ_INT(dp_sql_int(r.db, "select count(*) from events where kind='model' and detail like 'trial paused%'", -1), 2);
}

int main(void)
{
    eb_check_test = "setup";
    int rc = dp_fixture_open(&F, "dmodels", "mA");
    if (rc != 0 || make_models() != 0) {
        if (rc > 0)
            CHECK_SKIP("edgeboxd or edgebox not built under $EB_BUILD/bin");
        else
            CHECK_MSG(0, "cannot make the fixture (bars, keys, models) in /tmp");
        return eb_check_report();
    }
    RUN(drop_and_push_install_refusals_leave_the_running_model);
    RUN(death_on_trial_falls_back_to_the_previous_model);
    RUN(clean_stop_on_trial_keeps_the_model);
    dp_rmtree(F.dir);
    return eb_check_report();
}
