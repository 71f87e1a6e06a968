/* Latency set-up at start (issue 12 item 10): memory locked and prefaulted, and a real-time priority
 * when the config asks for one. A bar must not wait on a page fault or behind a batch job. */
#ifndef EB_APP_DAEMON_REALTIME_H
#define EB_APP_DAEMON_REALTIME_H

#include "app/daemon/internal.h"

#include <stddef.h>

/* The start-up step after "memory": mlockall (appliance.lock_memory), the arena and the stack touched
 * once, SCHED_FIFO at appliance.rt_priority. What the system refuses is logged once, and the daemon runs
 * on without it (it still trades correctly, only with a longer tail); it never fails start-up. */
int eb_drt_setup(eb_daemon_t *d, char *err, size_t cap);

#endif
