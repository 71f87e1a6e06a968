/* Walk-forward checkpoints: one text file per parameter set, DIR/sets/set-NNNNNN.ckpt, rewritten
 * atomically after every finished window. It holds the config and data hashes, the windows done and the
 * out-of-sample trades, with every double in round-trip form (%.17g), so the final results depend only on
 * these files and a resumed run writes byte-identical results. */
#ifndef EB_TOOLS_WF_CKPT_H
#define EB_TOOLS_WF_CKPT_H

#include "tools/edgebox/validate/wf_oos.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int ok;                      /* 0 when the window could not be trained (too few rows); no trades */
    size_t rows_fit, rows_tune;
    int rounds;
    double threshold_buy, threshold_sell;
    size_t sig_buy, sig_sell, sig_none; /* validation-window signals */
    size_t ntrades;
} eb_wf_wrec_t;

typedef struct {
    uint64_t config_hash, data_hash;
    size_t set;
    int windows;           /* windows in the plan */
    int done;              /* windows finished */
    eb_wf_wrec_t *w;       /* [windows] */
    eb_wf_trades_t trades; /* all finished windows' trades, in time order */
} eb_wf_setstate_t;

int eb_wf_setstate_init(eb_wf_setstate_t *s, uint64_t config_hash, uint64_t data_hash, size_t set, int windows);
void eb_wf_setstate_free(eb_wf_setstate_t *s);
void eb_wf_ckpt_path(const char *dir, size_t set, char *out, size_t cap);
/* 1 loaded, 0 no file, -1 unreadable, malformed or from another config/data (err says which). The hashes,
 * set and windows in *s must be filled (eb_wf_setstate_init) before the call. */
int eb_wf_ckpt_load(const char *path, eb_wf_setstate_t *s, char *err, size_t errcap);
int eb_wf_ckpt_save(const char *path, const eb_wf_setstate_t *s, char *err, size_t errcap);

#endif
