/* The daemon's log: one line per event on stderr with a syslog priority prefix ("<3>edgeboxd: ..."),
 * so journald files it by priority. */
#ifndef EB_APP_DAEMON_LOG_H
#define EB_APP_DAEMON_LOG_H

#include "app/daemon/internal.h"

void eb_dlog(eb_daemon_t *d, int prio, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One line with the memory figures: arena in use and high-water, the OS's brk and anonymous mappings
 * now and at READY, the resident set, and the bar-to-decision times. */
void eb_dlog_memory(eb_daemon_t *d, const char *when);

#endif
