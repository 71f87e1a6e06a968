/* Models on the box (SPEC section 6): the A/B store opened at start-up, new signed blobs from a watched
 * drop directory (inotify; `edgebox model push` copies into it), each verified and installed by the
 * store, put in use between two bars (the loop never runs a callback inside a bar), and run on trial:
 * a model whose outputs are not finite during its trial, or under which the daemon died, is replaced by
 * the previous slot. A refused blob never disturbs the running model.
 *
 * The drop directory is read so that nothing in it can stall the loop: only regular files are opened
 * (O_NONBLOCK, O_NOFOLLOW, checked with fstat, bounded by appliance.max_model_kib); a FIFO, a directory, a
 * device node or a link is refused by name without being opened; at most a few entries are handled per
 * wake-up (the rest on the next one). Refused entries are renamed ".NAME.rejected" and only the newest
 * three are kept: the reasons are in the journal's events, so a small card does not fill up. */
#ifndef EB_APP_DAEMON_MODELS_H
#define EB_APP_DAEMON_MODELS_H

#include "app/daemon/internal.h"

/* Start-up step "model": the public key, the store, the pipeline, the drop directory's watch. */
int eb_dmodels_open(eb_daemon_t *d, char *err, size_t cap);
/* Blobs waiting in the drop directory (after start-up, after a journal outage, on a timer). */
void eb_dmodels_scan(eb_daemon_t *d);
void eb_dmodels_on_drop(void *ctx, int fd, short revents);
/* After each bar: the trial of a new model (probs NULL: no model output this bar). */
void eb_dmodels_bar(eb_daemon_t *d, const double *probs);
/* A clean stop during a trial: marked "paused", so the next start runs the trial again instead of
 * taking the stop for a crash under the new model and falling back. */
void eb_dmodels_pause_trial(eb_daemon_t *d);
void eb_dmodels_close(eb_daemon_t *d);

#endif
