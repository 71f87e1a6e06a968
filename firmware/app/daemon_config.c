/* The config file: one JSON object. The daemon reads its own "appliance" section and hands the strategy
 * sections to their readers; an error anywhere stops start-up before anything is touched. */
#include "app/daemon.h"

#include "app/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (256 * 1024)

static char *read_file(const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(CONFIG_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, CONFIG_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n > CONFIG_MAX_BYTES) {
        snprintf(err, cap, "%s: larger than %d bytes", path, CONFIG_MAX_BYTES);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The files the config names are part of the config: a wrong path is refused here, with exit status 2,
 * before the state directory, the journal or the GPIO lines are touched. */
static int check_files(eb_daemon_t *d, char *err, size_t cap)
{
    if (d->app.source == EB_SOURCE_REPLAY && access(d->app.replay_file, R_OK) != 0) {
        snprintf(err, cap, "appliance.replay_file: \"%s\" is not allowed (%s; allowed: a readable bar CSV)",
                 d->app.replay_file, strerror(errno));
        return -1;
    }
    if (d->app.public_key[0] && access(d->app.public_key, R_OK) != 0) {
        snprintf(err, cap, "appliance.public_key: \"%s\" is not allowed (%s; allowed: a readable PEM public key)",
                 d->app.public_key, strerror(errno));
        return -1;
    }
    char perr[256];
    if (eb_board_pins_load(d->app.board_dir, d->board, &d->pins, perr, sizeof perr) != 0) {
        snprintf(err, cap, "appliance.board/board_dir: %s", perr);
        return -1;
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
    snprintf(d->board, sizeof d->board, "%s", d->opt.board ? d->opt.board : d->app.board[0] ? d->app.board : EB_BOARD);
    if (d->app.source == EB_SOURCE_REPLAY && !d->app.replay_file[0]) {
        snprintf(err, cap, "appliance.replay_file: missing (or give --replay BARS.csv)");
        return -1;
    }
    return check_files(d, err, cap);
}

int eb_daemon_load_config(eb_daemon_t *d, char *err, size_t cap)
{
    eb_appliance_config_default(&d->app);
    eb_config_default(&d->strategy);
    if (!d->opt.config_path) {
        snprintf(err, cap, "--config FILE is required");
        return -1;
    }
    char *text = read_file(d->opt.config_path, err, cap);
    if (!text)
        return -1;
    cJSON *root = cJSON_Parse(text);
    free(text);
    int rc = -1;
    char sub[512] = "";
    if (!cJSON_IsObject(root)) {
        snprintf(err, cap, "%s: not a JSON object (near \"%.40s\")", d->opt.config_path,
                 cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    } else if (eb_config_parse(root, &d->strategy, sub, sizeof sub) != 0 ||
               eb_appliance_config_parse(cJSON_GetObjectItemCaseSensitive(root, "appliance"), &d->app, sub,
                                         sizeof sub) != 0) {
        snprintf(err, cap, "%s: %s", d->opt.config_path, sub);
    } else {
        d->pcfg = d->strategy.pipeline;
        d->pcfg.with_features = 1; /* keep features warm for a model that arrives later */
        d->pcfg.model = NULL;      /* the model store supplies it */
        d->slippage_bps = d->strategy.slippage_bps;
        d->fee_bps = d->strategy.taker_fee_bps;
        snprintf(d->app.symbol, sizeof d->app.symbol, "%s", d->strategy.symbol);
        rc = apply_options(d, err, cap);
    }
    cJSON_Delete(root);
    return rc;
}
