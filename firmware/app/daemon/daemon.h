/* edgeboxd: start-up in SPEC section 9's order, the main loop, and shutdown. What main.c needs, no more;
 * the daemon's parts and their state are in daemon/internal.h.
 *
 *   eb_daemon_start()  config -> notify -> GPIO -> memory -> journal -> kill switch -> model -> backfill -> READY
 *   eb_daemon_run()    the loop: GPIO edges first, then model drops, then the bar due, timers last
 *   eb_daemon_stop()   STOPPING=1, LEDs off, journal closed */
#ifndef EB_APP_DAEMON_DAEMON_H
#define EB_APP_DAEMON_DAEMON_H

#include "app/daemon/options.h"

/* Runs start-up up to READY=1 on the process's one daemon (*out). Returns 0, or an exit status (2 config,
 * 1 anything else) after printing the reason; nothing is written before the config is valid. */
int eb_daemon_start(eb_daemon_t **out, const eb_daemon_options_t *opt);
/* The main loop until a signal, the stop conditions of the options, or a fatal error. Returns the exit
 * status. `stop_flag` is polled every iteration (set from a signal handler). */
int eb_daemon_run(eb_daemon_t *d, volatile int *stop_flag);
/* Stops cleanly; `why` ("SIGTERM", ...) is logged, NULL for none. */
void eb_daemon_stop(eb_daemon_t *d, const char *why);

#endif
