/* The daemon's state, one sub-struct per concern, each owned by the file named beside it. Every daemon
 * file includes this; functions are declared in each file's own header, and the files call each other in
 * one direction only (top first):
 *
 *   daemon.c      start-up, loop, stop, timers
 *   recover.c     re-running the bars a failed journal commit lost, once the disk takes writes again
 *   resume.c      restart: the snapshot back and the bars up to it re-fed
 *   source_replay.c, source_exchange.c   where bars come from
 *   bar.c         one closed bar through the pipeline
 *   models.c      the A/B model store, the drop directory, the trial
 *   kill.c        the kill switch: edges, latch, fault, halt
 *   orders.c      intents to the broker, fills back, journalled
 *   status.c      arming set, STATUS= line, LEDs
 *   lifecycle.c   the strategy's lifecycle on the box
 *   jwrite.c      journal transactions: a failure disarms and rolls the daemon back to the last commit
 *   snapshot.c    the engine snapshot written with every commit
 *   telegram.c    Telegram notifications and read-only commands (telegram_cmd.c)
 *   http.c        the operator surface: start, token (state in http_state.h); routes in api_routes.c,
 *                 api_read.c, api_control.c, metrics_daemon.c, openapi.c
 *   config.c, log.c   (called from anywhere above)
 */
#ifndef EB_APP_DAEMON_INTERNAL_H
#define EB_APP_DAEMON_INTERNAL_H

#include "app/appliance_config.h"
#include "app/config.h"
#include "app/daemon/options.h"
#include "app/heap.h"
#include "app/journal.h"
#include "app/klines.h"
#include "app/loop.h"
#include "app/model_store.h"
#include "app/paper_broker.h"
#include "app/replay.h"
#include "core/latency_hist.h"
#include "core/lifecycle_track.h"
#include "core/pipeline.h"
#include "hal/io/board_pins.h"
#include "hal/io/gpio.h"
#include "hal/io/notify.h"
#include "hal/logic/button.h"

#include <stdint.h>
#include <stdio.h>

#define EB_DECISION_PHASES 4
#define EB_DAEMON_BACKLOG 1024 /* bars kept since the last commit (a commit comes at least every 1000) */

/* Exchange errors by code (orders.c; names in eb_dorders_error_name): what the venue answered on the
 * paper path; a live venue adds its own codes. */
typedef enum { EB_DXERR_REJECTED, EB_DXERR_SUBMIT_FAILED, EB_DXERR_CANCEL_FAILED, EB_DXERR_COUNT } eb_dxerr_t;

/* Faults needing the operator (the alarm LED's steady on), by source. */
enum { EB_FAULT_JOURNAL = 1, EB_FAULT_DATA = 2 };

typedef struct {
    eb_lat_hist_t decision;          /* bar received to decision made (bar.c), ns */
    eb_lat_hist_t decision_own;      /* the same, only the decisions the kernel did not preempt */
    uint64_t decision_preempted;     /* decisions during which another task took the CPU */
    uint64_t decision_faults;        /* page faults taken inside decisions (prefaulting keeps it 0) */
    int64_t worst_phase_ns[EB_DECISION_PHASES]; /* the slowest decision: kill-switch poll, broker events,
                                                 * features+model+engine step, orders handed to the broker */
    int64_t worst_bar_ms;                       /* and its bar (the same bar every run: the code's doing) */
    int memory_locked;               /* realtime.c: mlockall succeeded */
    size_t prefaulted_pages;
    int64_t start_mono_ms, ready_mono_ms;
    uint64_t model_installs, model_refusals, model_fallbacks;
    uint64_t kill_presses, journal_errors;
    eb_lat_hist_t loop_lateness;     /* daemon.c: how late the fast timer (kill-switch service) ran, ns */
    int64_t fast_due_ms;             /* when the loop will next run it (0: not scheduled yet) */
    uint64_t exchange_errors[EB_DXERR_COUNT]; /* orders.c: the venue refused or failed a request, by code */
    eb_os_memory_t os_at_ready;      /* brk and anonymous mappings when READY=1 was sent */
    size_t arena_in_use_at_ready;
} eb_daemon_stats_t;

typedef struct {                 /* lifecycle.c */
    eb_lc_track_t lc;
    int ready;                   /* 1: lc holds the journal's state; 2: restored from the snapshot, unchecked */
    int last_reason;             /* the last decision journalled (-1: none yet) */
    int64_t last_day;
    char consent[32];            /* api_control.c: the model the operator consented to promote ("": none;
                                  * journal state lifecycle.consent) */
} eb_dlife_t;

/* orders.c: the daemon's own view of its orders at the broker, by client id (the engine's intent each
 * stands for, so a fill the broker reports can be applied to the engine), and the paper venue's book. */
#define EB_DAEMON_MAX_ORDERS EB_PAPER_MAX_ORDERS
typedef struct {
    eb_intent_t it;
    char cancel_why[64]; /* set when the daemon asked for a cancel: journalled with the venue's answer */
    int used;
} eb_dorder_t;
typedef struct {
    eb_paper_broker_t paper;
    eb_dorder_t orders[EB_DAEMON_MAX_ORDERS];
} eb_dvenue_t;

/* orders.c: what a bar did to orders, journalled after the decision (the journal's SQLite work stays out
 * of bar-to-decision), in the order it happened. Not traded state: it is written out within the bar. */
typedef enum { EB_DUE_INTENT, EB_DUE_STATE, EB_DUE_FILL, EB_DUE_POSITION } eb_ddue_kind_t;
typedef struct {
    eb_ddue_kind_t kind;
    eb_intent_t it;
    const char *type, *reason;   /* INTENT: the order type; NULL reason: the intent's own */
    eb_order_state_t to;         /* STATE */
    eb_fill_t fill;              /* FILL */
    char exchange_id[40], trade_id[40], detail[160];
    int64_t t;
} eb_ddue_t;
#define EB_DAEMON_MAX_DUE (EB_PAPER_MAX_EVENTS + 3 * EB_ENGINE_MAX_INTENTS)

/* Everything a bar changes that the journal records, apart from the pipeline (which lives in pipe_mem):
 * copied at every commit, put back when a commit fails (jwrite.c). */
typedef struct {
    eb_dvenue_t venue;           /* orders.c */
    eb_dlife_t life;             /* lifecycle.c */
    uint64_t bars;               /* bars traded (stats.bars is this) */
    int trial_left;              /* models.c: bars the newest model still runs on trial */
    eb_arming_t last_arming;     /* status.c: the arming set last journalled */
} eb_dtraded_t;

typedef struct {                 /* jwrite.c */
    eb_journal_t *j;
    int lock_fd;                 /* the state directory's lock (app/state_lock.h), held while the process lives */
    int in_txn;
    int failing;                 /* a commit failed: the journal reason stands until recover.c succeeds */
    int bad;                     /* the open transaction had a failed write: it will be rolled back */
    int outage;                  /* failing since failed_since_mono (logged once, cleared by recover.c) */
    int64_t failed_since_mono;
    char first_error[400];       /* the first failed write of the transaction, for the log line */
    int64_t last_commit_mono;
    uint64_t bars_since_commit;
    char *snap_hex;              /* the engine snapshot, hex (snapshot.c) */
    size_t snap_hex_cap;
    eb_dtraded_t committed;      /* the traded state as of the last commit ... */
    void *pipe_committed;        /* ... and the pipeline's memory */
    eb_bar_t backlog[EB_DAEMON_BACKLOG]; /* the bars since the last commit, oldest first */
    int nbacklog;
    int64_t next_retry_mono;
} eb_djournal_t;

typedef struct {                 /* kill.c */
    eb_button_t button;
    int ready;                   /* the button holds the start-up state (latch and level) */
    int halt_ok;                 /* the journal's positions are resumed: a latch may cancel and flatten */
    int latch_on_disk;           /* what the journal holds: -1 unknown, 0, 1 */
    int64_t opened_mono;         /* when the line was opened: queued edges are from then on */
    int level_at_open;
    char fault_text[400];        /* why the line could not be read (journalled once) */
    int fault_journalled;
    char rearm_by[64];           /* who re-armed, when not a long press ("the API from 127.0.0.1") */
} eb_dkill_t;

typedef struct {                 /* models.c */
    eb_model_store_t store;
    void *store_mem;
    uint8_t *pubkey;
    size_t pubkey_len;
    int inotify_fd;
    char drop_dir[EB_PATH_MAX];
    int rescan;                  /* entries were left for the next scan */
} eb_dmodels_t;

typedef struct {                 /* source_replay.c, source_exchange.c */
    eb_replay_t replay;
    int replay_open, replay_done;
    eb_klines_t *klines;
    int stale;                   /* the stale-data rule holds (EB_DISARM_STALE_DATA is set) */
} eb_dsource_t;

#define EB_DCONFIG_VIEW_MAX 16384 /* GET /api/v1/config's text; a config is a few KiB */

struct eb_daemon {
    eb_daemon_options_t opt;
    eb_appliance_config_t app;
    eb_config_t strategy;        /* the strategy sections (app/config.h) */
    eb_pipeline_config_t pcfg;
    char board[32];

    eb_loop_t loop;
    eb_notify_t notify;
    int64_t watchdog_us, wd_last_iter;
    eb_board_pins_t pins;
    eb_gpio_t *gpio;
    int led_failing;             /* status.c: an LED write failed (logged on change) */
    int status_failing;          /* status.c: STATUS= could not be sent (logged on change) */
    eb_pipeline_t *pipe;
    void *pipe_mem;
    size_t pipe_size;

    eb_arming_t external;        /* disarm reasons owned outside the engine (the kill switch's are derived) */
    int operator_disarmed;       /* api_routes.c: POST /api/v1/disarm switched trading off (journal state
                                  * operator.disarmed, applied again at start: a restart does not re-arm) */
    int faults;                  /* EB_FAULT_* */
    eb_dtraded_t t;
    eb_broker_t broker;          /* orders.c: the venue's table (paper: over t.venue.paper) */
    eb_ddue_t due[EB_DAEMON_MAX_DUE];
    int ndue;
    eb_djournal_t jw;
    eb_dkill_t kill;
    eb_dmodels_t models;
    eb_dsource_t src;
    eb_daemon_stats_t stats;
    struct eb_dhttp *http;       /* http.c: the operator surface (NULL when off) */
    struct eb_dtg *tg;           /* telegram.c: notifications and commands (NULL when off) */
    char config_view[EB_DCONFIG_VIEW_MAX]; /* config.c: the config file as loaded, secrets redacted (config_view.h) */
    int config_view_ok;
    FILE *log;
};

#endif
