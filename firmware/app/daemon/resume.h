/* Resuming after a restart (SPEC section 9: "a restart resumes the same state"): start-up step "backfill"
 * opens the bar source and, when the journal has a snapshot (snapshot.h), feeds the bars up to its bar
 * again to rebuild the features, then puts the snapshot back. */
#ifndef EB_APP_DAEMON_RESUME_H
#define EB_APP_DAEMON_RESUME_H

#include "app/daemon/internal.h"

int eb_dresume(eb_daemon_t *d, char *err, size_t cap);

#endif
