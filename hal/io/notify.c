#include "hal/io/notify.h"

#include "common/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATUS_MAX 400

int eb_notify_open(eb_notify_t *n, const char *socket_env, char *err, size_t err_cap)
{
    memset(n, 0, sizeof *n);
    n->fd = -1;
    if (!socket_env || !socket_env[0])
        return 0;
    size_t len = strlen(socket_env);
    size_t max = sizeof n->addr.sun_path - 1; /* a path needs its NUL; an abstract name its leading NUL */
    if ((socket_env[0] != '/' && socket_env[0] != '@') || len > max || (socket_env[0] == '@' && len < 2)) {
        return eb_errf(err, err_cap, "NOTIFY_SOCKET='%s' is not allowed (allowed: \"/path\" or \"@abstract-name\", "
                       "at most %zu bytes)", socket_env, max);
    }
    n->addr.sun_family = AF_UNIX;
    memcpy(n->addr.sun_path, socket_env, len);
    if (socket_env[0] == '@') {
        n->addr.sun_path[0] = '\0';
        n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    } else {
        n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    }
    n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (n->fd < 0) {
        return eb_errf(err, err_cap, "NOTIFY_SOCKET='%s': socket: %s", socket_env, strerror(errno));
    }
    return 0;
}

int eb_notify_enabled(const eb_notify_t *n) { return n->fd >= 0; }

int eb_notify_send(eb_notify_t *n, const char *msg)
{
    if (n->fd < 0)
        return 0;
    /* MSG_DONTWAIT: a service manager that stops reading fills the socket's queue, and a blocking send
     * would then freeze the main loop, kill switch included. A dropped WATCHDOG=1 is the right failure:
     * enough of them and the manager restarts us, as it should for a box it cannot hear. */
    ssize_t w = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT, (const struct sockaddr *)&n->addr,
                       n->addr_len);
    return w == (ssize_t)strlen(msg) ? 0 : -1;
}

int eb_notify_ready(eb_notify_t *n) { return eb_notify_send(n, "READY=1"); }
int eb_notify_watchdog(eb_notify_t *n) { return eb_notify_send(n, "WATCHDOG=1"); }
int eb_notify_stopping(eb_notify_t *n) { return eb_notify_send(n, "STOPPING=1"); }

int eb_notify_status(eb_notify_t *n, const char *text)
{
    char msg[sizeof "STATUS=" + STATUS_MAX];
    size_t at = strlen(strcpy(msg, "STATUS="));
    for (const char *p = text; *p && at < sizeof msg - 1; p++)
        msg[at++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    msg[at] = '\0';
    return eb_notify_send(n, msg);
}

void eb_notify_close(eb_notify_t *n)
{
    if (n->fd >= 0)
        close(n->fd);
    n->fd = -1;
}

/* A positive decimal integer without sign, spaces or trailing text. */
static int parse_positive(const char *s, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0)
        return -1;
    *out = v;
    return 0;
}

int eb_notify_watchdog_interval(const char *usec_env, const char *pid_env, pid_t self, int64_t *interval_us,
                                char *err, size_t err_cap)
{
    *interval_us = 0;
    if (!usec_env || !usec_env[0])
        return 0;
    unsigned long long usec, pid;
    if (parse_positive(usec_env, &usec) || usec > (unsigned long long)INT64_MAX) {
        return eb_errf(err, err_cap, "WATCHDOG_USEC='%s' is not allowed (allowed: a positive integer, microseconds)",
                       usec_env);
    }
    if (pid_env && pid_env[0]) {
        if (parse_positive(pid_env, &pid)) {
            return eb_errf(err, err_cap, "WATCHDOG_PID='%s' is not allowed (allowed: a positive integer)", pid_env);
        }
        if (pid != (unsigned long long)self)
            return 0; /* the watchdog is meant for another process (e.g. our parent) */
    }
    *interval_us = usec >= 2 ? (int64_t)(usec / 2) : 1;
    return 0;
}
