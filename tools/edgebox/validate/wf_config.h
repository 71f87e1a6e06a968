/* Walk-forward settings: the top-level "walkforward" object of a strategy config (docs/validation.md).
 * Every key has a default and a range; unknown keys are errors; all checks happen at load, before any
 * work starts. The rest of the config (risk, costs, venue) belongs to the config loader. */
#ifndef EB_TOOLS_WF_CONFIG_H
#define EB_TOOLS_WF_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int start, end, step; /* inclusive: start, start+step, ... <= end */
} eb_wf_irange_t;

typedef struct {
    double min, max;
    int log; /* draw uniformly in log space */
} eb_wf_frange_t;

typedef enum { EB_WF_LABEL_BARRIER, EB_WF_LABEL_VOLSCALED } eb_wf_label_method_t;

typedef struct {
    int train_months, valid_months, step_months;        /* 12 / 3 / 3 */
    eb_wf_irange_t tenkan, kijun, senkou_b, rsi, atr;   /* SPEC section 3 search ranges */
    int displacement;                                   /* 26 */
    /* hyperparameter search: `trials` seeded draws per indicator combination */
    int trials;
    uint64_t seed;
    eb_wf_frange_t learning_rate; /* 0.01..0.3 log */
    eb_wf_irange_t max_leaves;    /* 20..100 */
    eb_wf_irange_t min_child_weight; /* 10..50 */
    eb_wf_irange_t rounds;        /* 50..500 (the most; early stopping may end sooner) */
    int early_stopping;           /* rounds without improvement on the early-stopping slice, 0 = off; 20 */
    int max_bin;                  /* histogram bins, 16..1024; 64 */
    /* labels */
    eb_wf_label_method_t label_method;
    int horizon;                  /* 48 */
    double reward, risk;          /* 3 / 1 (R) */
    double k;                     /* volatility-scaled threshold multiplier, 1.0 */
    int vol_window;               /* realized-volatility window for volatility-scaled labels, 48 */
    /* splits */
    double tune_fraction;         /* tail of each training window cut into the early-stopping,
                                     calibration and threshold slices (train.h); 0.2 */
    int embargo_bars;             /* bars skipped after every split boundary; the label horizon when
                                     not given (48) */
    int allow_short_embargo;      /* split.allow_embargo_below_horizon: an embargo below the horizon is
                                     refused unless this is true (then a warning); false */
    /* decision tuning on the tune part */
    int calibrate;                /* fit Platt calibration per class; true */
    int min_signals;              /* a threshold needs this many tune-slice signals; 5 */
    /* selection */
    int min_trades;               /* a set needs this many out-of-sample trades to be selectable; 10 */
} eb_wf_config_t;

void eb_wf_config_default(eb_wf_config_t *c);
/* Parses a whole config document: takes its "walkforward" object (absent = all defaults). Returns 0, or -1
 * with a message naming the key, the value and what is allowed. *c is only written on success. */
int eb_wf_config_parse(const char *json, eb_wf_config_t *c, char *err, size_t errcap);
/* Loads a file; an allowed embargo below the label horizon is reported on stderr (a warning line). */
int eb_wf_config_load(const char *path, eb_wf_config_t *c, char *err, size_t errcap);
/* The warning text for an embargo below the label horizon into out: 1, or 0 when there is none. */
int eb_wf_config_embargo_warning(const eb_wf_config_t *c, char *out, size_t cap);
/* Number of values in a range (0 when empty). */
int eb_wf_irange_count(const eb_wf_irange_t *r);
/* A stable 64-bit digest of every setting (FNV-1a over a canonical text form): checkpoints record it so
 * a restart with a different config is refused instead of mixing results. */
uint64_t eb_wf_config_hash(const eb_wf_config_t *c);
/* The canonical text form (also written into plan.json). */
int eb_wf_config_format(const eb_wf_config_t *c, char *out, size_t cap);

#endif
