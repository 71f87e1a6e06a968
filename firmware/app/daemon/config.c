#include "app/daemon/config.h"

#include "app/config.h"
#include "app/daemon/config_view.h"
#include "common/errf.h"
#include "common/file_read.h"
#include "common/json_strict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (256 * 1024)

/* The files the config names are part of the config: a wrong path is refused here, with exit status 2,
 * before the state directory, the journal or the GPIO lines are touched. */
static int check_files(eb_daemon_t *d, char *err, size_t cap)
{
    if (d->app.source == EB_SOURCE_REPLAY && access(d->app.replay_file, R_OK) != 0) {
        eb_errf(err, cap, "appliance.replay_file: \"%s\" is not allowed (%s; allowed: a readable bar CSV)",
                 d->app.replay_file, strerror(errno));
        return -1;
    }
    if (d->app.public_key[0] && access(d->app.public_key, R_OK) != 0) {
        eb_errf(err, cap, "appliance.public_key: \"%s\" is not allowed (%s; allowed: a readable PEM public key)",
                 d->app.public_key, strerror(errno));
        return -1;
    }
    /* Run from a source checkout (the README's usage line), the installed default is missing: the
     * checkout's board/ stands in for it. A board_dir the config names is always used as given. */
    eb_appliance_config_t defaults;
    eb_appliance_config_default(&defaults);
    if (strcmp(d->app.board_dir, defaults.board_dir) == 0 && access(d->app.board_dir, F_OK) != 0 &&
        access("board", F_OK) == 0)
        snprintf(d->app.board_dir, sizeof d->app.board_dir, "board");
    char perr[256];
    if (eb_board_pins_load(d->app.board_dir, d->board, &d->pins, perr, sizeof perr) != 0) {
        return eb_errf(err, cap, "appliance.board/board_dir: %s", perr);
    }
    return 0;
}

static int apply_options(eb_daemon_t *d, char *err, size_t cap)
{
    if (d->opt.replay_path) { /* --replay: bars from that file whatever the config's source */
        snprintf(d->app.replay_file, sizeof d->app.replay_file, "%s", d->opt.replay_path);
        d->app.source = EB_SOURCE_REPLAY;
    }
    if (d->opt.replay_speed >= 0)
        d->app.replay_speed = d->opt.replay_speed;
    if (d->opt.state_dir && snprintf(d->app.state_dir, sizeof d->app.state_dir, "%s", d->opt.state_dir) >=
                                (int)sizeof d->app.state_dir)
        return eb_errf(err, cap, "--state-dir: \"%s\" is longer than %zu bytes", d->opt.state_dir,
                       sizeof d->app.state_dir - 1);
    snprintf(d->board, sizeof d->board, "%s", d->opt.board ? d->opt.board : d->app.board[0] ? d->app.board : EB_BOARD);
    if (d->app.source == EB_SOURCE_REPLAY && !d->app.replay_file[0]) {
        eb_errf(err, cap, "appliance.replay_file: missing (required when source is \"replay\"; or give --replay "
                "BARS.csv)");
        return -1;
    }
    return check_files(d, err, cap);
}

int eb_dconfig_load(eb_daemon_t *d, char *err, size_t cap)
{
    eb_appliance_config_default(&d->app);
    eb_config_default(&d->strategy);
    if (!d->opt.config_path) {
        return eb_errf(err, cap, "--config FILE is required");
    }
    size_t len = 0;
    char *text = eb_file_read_all(d->opt.config_path, CONFIG_MAX_BYTES, 0, &len, err, cap);
    if (!text)
        return -1;
    /* the strict layer: a duplicate key or section, trailing text, a NUL or an overflowing number */
    cJSON *root = eb_json_strict_parse(text, len, d->opt.config_path, err, cap);
    free(text);
    if (!root)
        return -1;
    int rc = -1;
    char sub[512] = "";
    if (!cJSON_IsObject(root)) {
        eb_errf(err, cap, "%s: not a JSON object", d->opt.config_path);
    } else if (eb_config_parse(root, &d->strategy, sub, sizeof sub) != 0 ||
               eb_appliance_config_parse(cJSON_GetObjectItemCaseSensitive(root, "appliance"), &d->app, sub,
                                         sizeof sub) != 0) {
        eb_errf(err, cap, "%s: %s", d->opt.config_path, sub);
    } else {
        d->pcfg = d->strategy.pipeline;
        d->pcfg.with_features = 1; /* keep features warm for a model that arrives later */
        d->pcfg.model = NULL;      /* the model store supplies it */
        snprintf(d->app.symbol, sizeof d->app.symbol, "%s", d->strategy.symbol);
        rc = apply_options(d, err, cap);
        /* after the parse, which needs the values: GET /api/v1/config answers 500 when this failed */
        d->config_view_ok = rc == 0 && eb_dconfig_view(root, d->config_view, sizeof d->config_view) == 0;
    }
    cJSON_Delete(root);
    return rc;
}
