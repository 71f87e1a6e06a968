/* The strategy part of the config file (one JSON object): the sections "features", "signal", "risk",
 * "breakers", "limits", "costs", "venue", "backtest" and the top-level "strategy" name. The sections
 * "appliance", "exchange", "http", "notify" and "lifecycle" belong to the daemon's readers and are skipped
 * here. Every key is optional with a documented default (docs/engine.md, "Config keys"), every value is
 * checked against its range, unknown keys and sections are errors, and every error names the key, the
 * value and what is allowed. Fractions are fractions: risk_per_trade 0.01 is 1%. */
#ifndef EB_APP_CONFIG_H
#define EB_APP_CONFIG_H

#include "core/pipeline.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    eb_pipeline_config_t pipeline; /* engine, features, atr window (model: the caller's) */
    double threshold_buy, threshold_sell; /* NaN: the model blob's thresholds */
    double maker_fee_bps;          /* for the venue adapters; the taker fee and the slippage are the
                                      fill rule's: pipeline.engine.costs */
    int futures;                   /* venue.type: 0 spot, 1 futures */
    char symbol[24];
    int64_t bar_interval_ms;       /* 0: inferred from the bars */
    int flatten_at_end;
} eb_config_t;

void eb_config_default(eb_config_t *c);
/* Reads the strategy sections of a parsed config. 0, or -1 with err set and *c unchanged. */
int eb_config_parse(const cJSON *root, eb_config_t *c, char *err, size_t errcap);
/* The same from a file or from text (errors start with the file name). */
int eb_config_load(const char *path, eb_config_t *c, char *err, size_t errcap);
int eb_config_parse_text(const char *text, eb_config_t *c, char *err, size_t errcap);
/* The config's signal overrides on top of a model's thresholds (call after eb_pipeline_set_model). */
void eb_config_apply_signal(const eb_config_t *c, eb_signal_params_t *s);

#endif
