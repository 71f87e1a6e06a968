/* The config file: one JSON object. The daemon reads its own "appliance" section and hands the strategy
 * sections to their readers; the command line's --replay, --speed, --board and --state-dir are applied
 * before anything is checked that they stand in for; an error anywhere stops start-up (exit status 2)
 * before anything is touched. */
#ifndef EB_APP_DAEMON_CONFIG_H
#define EB_APP_DAEMON_CONFIG_H

#include "app/daemon/internal.h"

int eb_dconfig_load(eb_daemon_t *d, char *err, size_t cap);

#endif
