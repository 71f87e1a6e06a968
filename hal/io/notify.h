/* The sd_notify protocol, written directly (SPEC section 9: a static binary cannot use libsystemd).
 * One AF_UNIX SOCK_DGRAM datagram per message to $NOTIFY_SOCKET, which is either a filesystem path
 * ("/run/systemd/notify") or an abstract socket ("@name", sent with a leading NUL and an address length
 * of offsetof(sun_path) + name length: sizeof(struct sockaddr_un) would name a different socket).
 * Without $NOTIFY_SOCKET (not started by systemd) every send is a successful no-op. */
#ifndef EB_HAL_NOTIFY_H
#define EB_HAL_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

typedef struct {
    int fd;                    /* -1 when disabled */
    struct sockaddr_un addr;
    socklen_t addr_len;
} eb_notify_t;

/* `socket_env` is the value of $NOTIFY_SOCKET (NULL or "" disables notifications). Returns 0, or -1 with
 * a message in err naming the value and what is allowed ("/path" or "@abstract", at most 107 bytes). */
int eb_notify_open(eb_notify_t *n, const char *socket_env, char *err, size_t err_cap);
int eb_notify_enabled(const eb_notify_t *n);
/* Sends one datagram as is (may hold several newline-separated assignments). 0 or -1 (errno set). */
int eb_notify_send(eb_notify_t *n, const char *msg);
int eb_notify_ready(eb_notify_t *n);     /* "READY=1" */
int eb_notify_watchdog(eb_notify_t *n);  /* "WATCHDOG=1" */
int eb_notify_stopping(eb_notify_t *n);  /* "STOPPING=1" */
/* "STATUS=<text>"; newlines in text become spaces (STATUS is one line) and it is cut at 400 bytes. */
int eb_notify_status(eb_notify_t *n, const char *text);
void eb_notify_close(eb_notify_t *n);

/* The watchdog ping interval from $WATCHDOG_USEC and $WATCHDOG_PID: half the timeout, as systemd
 * recommends. *interval_us = 0 when no watchdog applies to this process (unset, or WATCHDOG_PID names
 * another pid). Returns -1 with a message for a malformed value (not a positive decimal integer). */
int eb_notify_watchdog_interval(const char *usec_env, const char *pid_env, pid_t self, int64_t *interval_us,
                                char *err, size_t err_cap);

#endif
