/* One closed bar through the daemon: yesterday's market orders fill at this open (paper), the core pipeline
 * decides, and everything it decided is journalled in the bar's transaction before anything acts on it. */
#ifndef EB_APP_DAEMON_BAR_H
#define EB_APP_DAEMON_BAR_H

#include "app/daemon/internal.h"

void eb_dbar_on_bar(eb_daemon_t *d, const eb_bar_t *bar);

#endif
