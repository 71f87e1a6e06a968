/* edgeboxd's state and its life: start-up in SPEC section 9's order, the main loop, and shutdown.
 *
 *   eb_daemon_start()  config -> memory -> journal -> kill switch -> model -> GPIO -> backfill -> READY
 *   eb_daemon_run()    the loop: GPIO edges first, then model drops, then the bar due, timers last
 *   eb_daemon_stop()   STOPPING=1, LEDs off, journal closed
 *
 * The trading itself is the core's pipeline (the same one the backtest runs) fed from the replay source
 * and filled by the paper broker. Every order, fill, position change, equity mark, decision and event goes
 * to the journal; the engine's state is snapshotted with them so a restart resumes where it stopped. */
#ifndef EB_APP_DAEMON_H
#define EB_APP_DAEMON_H

#include "app/appliance_config.h"
#include "app/config.h"
#include "app/heap.h"
#include "app/journal.h"
#include "app/klines.h"
#include "app/loop.h"
#include "app/model_store.h"
#include "app/paper_broker.h"
#include "app/replay.h"
#include "core/lifecycle_track.h"
#include "core/pipeline.h"
#include "hal/board_pins.h"
#include "hal/button.h"
#include "hal/gpio.h"
#include "hal/notify.h"

#include <stdint.h>
#include <stdio.h>

typedef struct {
    const char *config_path;
    const char *board;        /* --board, overrides the config */
    const char *replay_path;  /* --replay, overrides the config */
    double replay_speed;      /* --speed; < 0: the config's */
    long stop_after_bars;     /* tests and benchmarks: stop after this many bars (0: at the end of data) */
    int exit_at_end;          /* stop when the replay ends (default: keep running, as a box would) */
    long report_every_bars;   /* log the memory figures every N bars (soak tests; 0: only at stop) */
} eb_daemon_options_t;

typedef struct {
    uint64_t bars, decisions_timed;
    double decision_us_sum, decision_us_max, decision_us_last;
    int64_t start_mono_ms, ready_mono_ms;
    uint64_t model_installs, model_refusals, model_fallbacks;
    uint64_t kill_presses, journal_errors;
    eb_os_memory_t os_at_ready;      /* brk and anonymous mappings when READY=1 was sent */
    size_t arena_in_use_at_ready;
} eb_daemon_stats_t;

typedef struct {
    eb_daemon_options_t opt;
    eb_appliance_config_t app;
    eb_config_t strategy;     /* the strategy sections (app/config.h) */
    eb_pipeline_config_t pcfg;
    double slippage_bps, fee_bps;
    char board[32];

    eb_loop_t loop;
    eb_notify_t notify;
    int64_t watchdog_us, wd_last_iter, wd_last_bars;
    eb_journal_t *journal;
    eb_board_pins_t pins;
    eb_gpio_t gpio;
    int gpio_open;
    eb_button_t button;
    int raw_pressed;          /* a press edge seen, not yet debounced: already disarms */
    eb_model_store_t store;
    void *store_mem;
    uint8_t *pubkey;
    size_t pubkey_len;
    int inotify_fd;
    char drop_dir[EB_PATH_MAX];
    int trial_left;           /* bars the newest model still runs on trial */
    eb_pipeline_t *pipe;
    void *pipe_mem;
    eb_replay_t replay;
    int replay_open, replay_done;
    eb_klines_t *klines;      /* source "exchange": closed bars from the exchange (daemon_exchange.c) */
    int stale;                /* the stale-data rule holds (EB_DISARM_STALE_DATA is set) */
    char *snap_hex;           /* the engine snapshot, hex, written with every commit */
    size_t snap_hex_cap;
    eb_paper_broker_t broker;
    eb_lc_track_t lc;         /* the strategy's lifecycle on the box (daemon_lifecycle.c) */
    int lc_ready;             /* 1: lc holds the journal's state; 2: restored from the snapshot, unchecked */
    int lc_last_reason;       /* the last decision journalled (-1: none yet) */
    int64_t lc_last_day;
    eb_arming_t external, last_arming;
    int fault;                /* operator attention needed (journal failure, bad data) */
    int in_txn;
    int64_t last_commit_mono;
    uint64_t bars_since_commit;
    eb_daemon_stats_t stats;
    FILE *log;
} eb_daemon_t;

/* Runs start-up up to READY=1. Returns 0, or an exit status (2 config, 1 anything else) after printing
 * the reason; nothing is written before the config is valid. */
int eb_daemon_start(eb_daemon_t *d, const eb_daemon_options_t *opt);
/* The main loop until a signal, the stop conditions of the options, or a fatal error. Returns the exit
 * status. `stop_flag` is polled every iteration (set from a signal handler). */
int eb_daemon_run(eb_daemon_t *d, volatile int *stop_flag);
void eb_daemon_stop(eb_daemon_t *d);

/* Pieces shared by the daemon's files (daemon_*.c). */
int eb_daemon_load_config(eb_daemon_t *d, char *err, size_t cap);
void eb_daemon_on_bar(eb_daemon_t *d, const eb_bar_t *bar);
/* Journals an order intent for `it` (reason NULL: the intent's own) and, for a paper fill at reference
 * price px, the order's states, the fill, the position and a closed trade. */
void eb_daemon_order_intent(eb_daemon_t *d, const eb_intent_t *it, const char *type, const char *reason, int64_t t);
/* A journal write that failed disarms (reason "journal") and lights the alarm. */
void eb_daemon_journal_check(eb_daemon_t *d, int rc, const char *what);
void eb_daemon_lifecycle_bar(eb_daemon_t *d, int64_t bar_ms);
void eb_daemon_lifecycle_trade(eb_daemon_t *d, int64_t close_ms, double r);
const char *eb_daemon_lifecycle_stage(const eb_daemon_t *d);
void eb_daemon_fill(eb_daemon_t *d, const eb_intent_t *it, double px, int64_t t);
void eb_daemon_kill_init(eb_daemon_t *d, int latched, int level);
/* After the backfill: a button found held at start-up cancels and flattens what the journal resumed. */
void eb_daemon_kill_resumed(eb_daemon_t *d);
void eb_daemon_kill_poll(eb_daemon_t *d, int64_t now_ms);
void eb_daemon_on_gpio(void *ctx, int fd, short revents);
void eb_daemon_leds(eb_daemon_t *d, int64_t now_ms);
void eb_daemon_arming_update(eb_daemon_t *d, int64_t bar_ms);
void eb_daemon_status(eb_daemon_t *d);
int eb_daemon_models_open(eb_daemon_t *d, char *err, size_t cap);
void eb_daemon_on_drop(void *ctx, int fd, short revents);
void eb_daemon_models_bar(eb_daemon_t *d, const double *probs);
int eb_daemon_resume(eb_daemon_t *d, char *err, size_t cap);
/* Source "exchange": backfill before READY (warm-up bars fed to the pipeline without trading, up to
 * warm_until_ms, INT64_MIN: all; later bars stay queued for the loop), then a timer polls. */
int eb_daemon_exchange_open(eb_daemon_t *d, int64_t warm_until_ms, char *err, size_t cap);
void eb_daemon_exchange_timer(void *ctx, int64_t now_ms);
void eb_daemon_exchange_close(eb_daemon_t *d);
int eb_daemon_snapshot_write(eb_daemon_t *d);
void eb_daemon_commit(eb_daemon_t *d, int force);
void eb_daemon_journal_begin(eb_daemon_t *d);
/* One line with the memory figures: arena in use and high-water, the OS's brk and anonymous mappings
 * now and at READY, and the resident set. */
void eb_daemon_report(eb_daemon_t *d, const char *when);
void eb_daemon_log(eb_daemon_t *d, int prio, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
