/* After a failed journal commit (jwrite.h), once a second: the bars since the last commit are run through
 * the bar path again in a new transaction, then whatever the kill switch still owes the journal (a latch
 * and its halt) is written. When that commits, the journal holds exactly what an uninterrupted run would
 * have written, the `journal` reason clears and bars flow again; when it fails, the daemon stays where it
 * was (rolled back to the last commit) and tries again a second later. */
#ifndef EB_APP_DAEMON_RECOVER_H
#define EB_APP_DAEMON_RECOVER_H

#include "app/daemon/internal.h"

void eb_drecover_timer(void *ctx, int64_t now_ms);

#endif
