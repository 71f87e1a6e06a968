/* The remote commands: a box's state and its controls over its operator API (remote.h). */
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/cli/remote.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

EB_COMMAND(status, "a box's state over its API: armed and why not, kill switch, equity, model (--host H)")
EB_COMMAND(trades, "a box's recent executions over its API (--host H)")
EB_COMMAND(halt, "switch a box's trading off over its API, also across restarts (--host H --token-file F)")
EB_COMMAND(rearm, "re-arm a box over its API: its kill-switch button must be released (--host H --token-file F)")
EB_COMMAND(flatten, "close every open position on a box now, over its API (--host H --token-file F)")
EB_COMMAND(consent, "consent to promoting a box's running model to production (--host H --token-file F)")

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

static int usage(const char *cmd, const char *extra, int help)
{
    FILE *f = help ? stdout : stderr;
    fprintf(f, "usage: edgebox %s --host [https://]H[:PORT] [--fingerprint FP]%s [--timeout S]%s\n"
               "H[:PORT]: the box's operator API (appliance.http; port 8080 by default), plain HTTP;\n"
               "          https:// for a box on a LAN address, with --fingerprint AA:BB:... (the SHA-256\n"
               "          of its certificate, from its log or status): another certificate is refused\n"
               "--token-file F: the API token (the box's appliance.http.token_file), a file of mode 0600;\n"
               "                it is sent as a bearer token and never printed\n"
               "--timeout S: give up after S seconds (default 30)\n" EB_REMOTE_EXIT_HELP,
            cmd, strcmp(cmd, "status") && strcmp(cmd, "trades") ? " --token-file F" : " [--token-file F]", extra);
    return help ? EB_REMOTE_OK : EB_REMOTE_USAGE;
}

/* The common options (remote.h), then nothing else may be left: EB_REMOTE_OK, or the exit status. */
static int setup(eb_remote_t *r, int argc, char **argv, int need_token, const char *cmd, const char *extra)
{
    int rc = eb_remote_setup(r, &argc, argv, need_token, cmd);
    if (rc != EB_REMOTE_OK || argc <= 1)
        return rc;
    fprintf(stderr, "edgebox %s: unknown argument '%s'\n", cmd, argv[1]);
    return usage(cmd, extra, 0);
}

/* A JSON flag: --json, taken out of argv. */
static int take_flag(int *argc, char **argv, const char *flag)
{
    for (int i = 1; i < *argc; i++)
        if (!strcmp(argv[i], flag)) {
            memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
            (*argc)--;
            return 1;
        }
    return 0;
}

static const char *str_of(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return s ? s : "none";
}

static double num_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void print_status(const cJSON *j, const eb_remote_t *rm)
{
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(j, "disarm_reasons");
    printf("box:         %s, edgeboxd %s, mode %s\n", rm->url, str_of(j, "version"), str_of(j, "mode"));
    if (rm->fingerprint[0]) /* the connection was refused unless the certificate was this one */
        printf("tls:         certificate sha256 %s\n", rm->fingerprint);
    printf("armed:       %s", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "armed")) ? "yes" : "no");
    int first = 1;
    const cJSON *r;
    cJSON_ArrayForEach(r, reasons) {
        printf("%s%s", first ? " (disarmed by: " : ", ", cJSON_GetStringValue(r) ? cJSON_GetStringValue(r) : "?");
        first = 0;
    }
    printf("%s\n", first ? "" : ")");
    printf("kill switch: %s\n", str_of(j, "kill_switch"));
    printf("bars:        %.0f\n", num_of(j, "bars"));
    printf("equity:      %.2f\n", num_of(j, "equity"));
    printf("positions:   %.0f open, net quantity %g\n", num_of(j, "open_positions"), num_of(j, "position_qty"));
    printf("model:       %s, lifecycle %s\n", str_of(j, "model"), str_of(j, "lifecycle"));
    printf("uptime:      %.0f s\n", num_of(j, "uptime_seconds"));
}

static void print_trades(const cJSON *j)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "trades"), *t;
    printf("%-20s %-4s %-12s %-16s %14s %14s %10s\n", "time (UTC)", "side", "type", "reason", "qty", "price", "fee");
    int n = 0;
    cJSON_ArrayForEach(t, rows) {
        char when[32] = "?";
        time_t s = (time_t)(num_of(t, "time_ms") / 1000);
        struct tm tm;
        if (gmtime_r(&s, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("%-20s %-4s %-12s %-16s %14.8g %14.8g %10.4g\n", when, str_of(t, "side"), str_of(t, "type"),
               str_of(t, "reason"), num_of(t, "qty"), num_of(t, "price"), num_of(t, "fee"));
        n++;
    }
    if (n == 0)
        printf("(no trades yet)\n");
}

/* status and trades: a GET, printed readably or (--json) as the box sent it. */
static int read_cmd(int argc, char **argv, const char *cmd, const char *path)
{
    if (wants_help(argc, argv))
        return usage(cmd, " [--json]", 1);
    eb_remote_t r;
    int json = take_flag(&argc, argv, "--json");
    int rc = setup(&r, argc, argv, 0, cmd, " [--json]");
    if (rc != EB_REMOTE_OK)
        return rc;
    eb_remote_answer_t a;
    rc = eb_remote_request(&r, "GET", path, NULL, NULL, &a, cmd);
    if (rc == EB_REMOTE_OK && a.status != 200) {
        rc = eb_remote_outcome(&a, cmd);
    } else if (rc == EB_REMOTE_OK && json) {
        fputs(a.body, stdout);
    } else if (rc == EB_REMOTE_OK) {
        cJSON *j = cJSON_Parse(a.body);
        if (!cJSON_IsObject(j)) {
            fprintf(stderr, "edgebox %s: the box's answer is not JSON: %.80s\n", cmd, a.body);
            rc = EB_REMOTE_REFUSED;
        } else if (!strcmp(cmd, "status")) {
            print_status(j, &r);
        } else {
            print_trades(j);
        }
        cJSON_Delete(j);
    }
    eb_remote_free(&a);
    return rc;
}

/* A control call: POST, the box's message printed. */
static int control_cmd(int argc, char **argv, const char *cmd, const char *path, const char *json_body)
{
    eb_remote_t r;
    int rc = setup(&r, argc, argv, 1, cmd, "");
    if (rc != EB_REMOTE_OK)
        return rc;
    eb_remote_answer_t a;
    rc = eb_remote_request(&r, "POST", path, json_body, NULL, &a, cmd);
    if (rc == EB_REMOTE_OK)
        rc = eb_remote_outcome(&a, cmd);
    eb_remote_free(&a);
    return rc;
}

int cmd_status(int argc, char **argv) { return read_cmd(argc, argv, "status", "/api/v1/status"); }

int cmd_trades(int argc, char **argv)
{
    char path[64] = "/api/v1/trades";
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--limit")) {
            int n = atoi(argv[i + 1]);
            if (n < 1 || n > 200) {
                fprintf(stderr, "edgebox trades: --limit %s: 1..200\n", argv[i + 1]);
                return EB_REMOTE_USAGE;
            }
            snprintf(path, sizeof path, "/api/v1/trades?limit=%d", n);
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof *argv);
            argc -= 2;
            break;
        }
    return read_cmd(argc, argv, "trades", path);
}

int cmd_halt(int argc, char **argv)
{
    return wants_help(argc, argv) ? usage("halt", "", 1) : control_cmd(argc, argv, "halt", "/api/v1/halt", NULL);
}

int cmd_rearm(int argc, char **argv)
{
    return wants_help(argc, argv) ? usage("rearm", "", 1) : control_cmd(argc, argv, "rearm", "/api/v1/rearm", NULL);
}

int cmd_flatten(int argc, char **argv)
{
    return wants_help(argc, argv) ? usage("flatten", "", 1)
                                  : control_cmd(argc, argv, "flatten", "/api/v1/flatten", NULL);
}

int cmd_consent(int argc, char **argv)
{
    const char *extra = " --model-id ID [--stage production]";
    if (wants_help(argc, argv))
        return usage("consent", extra, 1);
    const char *model = NULL, *stage = "production";
    for (int i = 1; i + 1 < argc;) {
        if (!strcmp(argv[i], "--model-id") || !strcmp(argv[i], "--stage")) {
            *(argv[i][2] == 'm' ? &model : &stage) = argv[i + 1];
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof *argv);
            argc -= 2;
        } else {
            i++;
        }
    }
    if (!model)
        return usage("consent", extra, 0);
    cJSON *o = cJSON_CreateObject();
    char *body = NULL;
    if (o && cJSON_AddStringToObject(o, "model_id", model) && cJSON_AddStringToObject(o, "stage", stage))
        body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!body) {
        fprintf(stderr, "edgebox consent: out of memory\n");
        return EB_REMOTE_USAGE;
    }
    int rc = control_cmd(argc, argv, "consent", "/api/v1/lifecycle/consent", body);
    free(body);
    return rc;
}

int eb_remote_model_push(int argc, char **argv)
{
    const char *cmd = "model push";
    eb_remote_t r;
    int rc = eb_remote_setup(&r, &argc, argv, 1, cmd);
    if (rc != EB_REMOTE_OK)
        return rc;
    const char *in = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--in") && i + 1 < argc) {
            in = argv[++i];
        } else if (strcmp(argv[i], "push") != 0) {
            fprintf(stderr, "edgebox %s: unknown argument '%s' (with --host: --in M.signed --token-file F)\n", cmd, argv[i]);
            return EB_REMOTE_USAGE;
        }
    }
    if (!in) {
        fprintf(stderr, "usage: edgebox model push --host [https://]H[:PORT] [--fingerprint FP] --token-file F\n"
                        "       --in M.signed [--timeout S]\n"
                        EB_REMOTE_EXIT_HELP);
        return EB_REMOTE_USAGE;
    }
    eb_remote_answer_t a;
    rc = eb_remote_request(&r, "POST", "/api/v1/model", NULL, in, &a, cmd);
    if (rc == EB_REMOTE_OK)
        rc = eb_remote_outcome(&a, cmd);
    eb_remote_free(&a);
    return rc;
}
