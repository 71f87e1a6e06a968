/* A full disk for the journal tests: a small tmpfs mounted on a state directory (as root, or in a user and
 * mount namespace the test re-executes itself into), filled and emptied again while a daemon runs. */
#ifndef EB_TESTS_FULL_DISK_H
#define EB_TESTS_FULL_DISK_H

#include "daemon_proc.h"

/* Not root: re-executes argv[0] under `unshare -rm` (once; an environment variable marks the second
 * run). Returns 0 when the process may mount (root, or already re-executed), -1 when it cannot (no
 * unshare, or user namespaces refused): the caller skips. Does not return when it re-executes. */
int fd_enter_namespace(char **argv);
/* A full-disk test's start: the namespace (fd_enter_namespace, a skip without one), then the shared daemon
 * fixture (dp_fixture_ready). 0 when the test may go on; otherwise the skip or failure is reported and main
 * returns eb_check_report(). */
int fd_test_start(char **argv, dp_fixture_t *f, const char *tag, const char *model_id);
/* Mounts a tmpfs of `mib` MiB on dir (created 0750 when missing). 0, or -1 (the reason on stderr). */
int fd_mount(const char *dir, int mib);
void fd_unmount(const char *dir);
/* Fills the filesystem of dir with dir/filler until it takes no more bytes; returns the bytes written. */
long long fd_fill(const char *dir);
/* Removes dir/filler: the space returns. 0 or -1. */
int fd_unfill(const char *dir);

#endif
