/* edgebox backtest: the core pipeline (the same code the box runs) over a bar file, with fills simulated
 * by the core's one fill rule (core/fill.h): market orders at the next bar's open plus slippage and taker
 * fees; stops inside the bar that touches them, by the engine's step. The
 * run is deterministic: the same config, model/signal and bars give the same result, byte for byte.
 * Behaviour at gaps and at the end of data: docs/engine.md. */
#ifndef EB_TOOLS_BACKTEST_H
#define EB_TOOLS_BACKTEST_H

#include "app/config.h"
#include "core/engine.h"
#include "core/metrics.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    EB_BT_MODEL = 0,     /* --model M */
    EB_BT_ALWAYS_LONG,   /* --signal always-long */
    EB_BT_ALWAYS_SHORT,  /* --signal always-short */
    EB_BT_RANDOM,        /* --signal random:SEED: -1, 0, +1 with probability 1/3 each, seeded */
    EB_BT_FILE,          /* --signal file:F: CSV open_time_ms,signal (-1/0/1); bars not listed get 0 */
} eb_bt_signal_t;

typedef struct {
    eb_config_t cfg;
    const char *config_path, *bars_path, *model_path, *signal_file;
    eb_bt_signal_t signal;
    uint64_t seed;
} eb_backtest_opts_t;

typedef struct {
    int64_t t;
    double equity, close;
} eb_bt_point_t;

typedef struct {
    eb_bt_point_t *points;
    size_t npoints;
    eb_trade_t *trades;
    size_t ntrades;
    eb_engine_counters_t counters;
    uint32_t breaker_trips[EB_PERIOD_COUNT];
    eb_equity_metrics_t em;
    eb_trade_metrics_t tm;
    int metrics_ok;           /* em is defined (>= 2 points) */
    int64_t interval_ms;
    long gaps, missing_bars;
    double initial_equity, final_equity, total_fees, buy_and_hold;
    uint64_t model_schema_hash;
    uint32_t model_trees;
} eb_backtest_result_t;

/* Parses "always-long", "always-short", "random:SEED", "file:PATH" into o; -1 with a message otherwise. */
int eb_backtest_parse_signal(const char *s, eb_backtest_opts_t *o, char *err, size_t cap);
/* Runs the backtest. 0, or -1 with a message naming the file, line or value at fault. */
int eb_backtest_run(const eb_backtest_opts_t *o, eb_backtest_result_t *r, char *err, size_t cap);
void eb_backtest_free(eb_backtest_result_t *r);

#endif
