/* sd_notify: real receiving sockets (a path socket and an abstract one) check the exact datagrams. */
#include "hal/io/notify.h"
#include "../support/check.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Binds a receiver to `name` ("/path" or "@abstract") exactly as systemd does. */
static int bind_receiver(const char *name)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    memcpy(a.sun_path, name, len);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
    if (name[0] == '@')
        a.sun_path[0] = '\0';
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, alen) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Receives one datagram without blocking forever (the send already happened). */
static int recv_one(int fd, char *buf, size_t cap)
{
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t r = recv(fd, buf, cap - 1, 0);
    if (r < 0)
        return -1;
    buf[r] = '\0';
    return (int)r;
}

static void exchange_messages(const char *name)
{
    int rx = bind_receiver(name);
    CHECK_MSG(rx >= 0, "bind %s", name);
    if (rx < 0)
        return;
    eb_notify_t n;
    char err[256] = "", buf[1024];
    CHECK_EQ_INT(eb_notify_open(&n, name, err, sizeof err), 0);
    CHECK(eb_notify_enabled(&n));
    CHECK_EQ_INT(eb_notify_ready(&n), 0);
    CHECK_EQ_INT(recv_one(rx, buf, sizeof buf), 7);
    CHECK_EQ_STR(buf, "READY=1");
    CHECK_EQ_INT(eb_notify_status(&n, "armed; reasons: none"), 0);
    recv_one(rx, buf, sizeof buf);
    CHECK_EQ_STR(buf, "STATUS=armed; reasons: none");
    CHECK_EQ_INT(eb_notify_status(&n, "two\nlines\r"), 0);
    recv_one(rx, buf, sizeof buf);
    CHECK_EQ_STR(buf, "STATUS=two lines ");
    CHECK_EQ_INT(eb_notify_watchdog(&n), 0);
    CHECK_EQ_INT(recv_one(rx, buf, sizeof buf), 10);
    CHECK_EQ_STR(buf, "WATCHDOG=1");
    CHECK_EQ_INT(eb_notify_stopping(&n), 0);
    recv_one(rx, buf, sizeof buf);
    CHECK_EQ_STR(buf, "STOPPING=1");
    eb_notify_close(&n);
    close(rx);
}

TEST(path_socket)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/eb-notify-test-%d.sock", (int)getpid());
    unlink(path);
    exchange_messages(path);
    unlink(path);
}

TEST(abstract_socket)
{
    char name[128];
    snprintf(name, sizeof name, "@eb-notify-test-%d", (int)getpid());
    exchange_messages(name);
}

/* The abstract address is the name alone: a receiver bound to the name plus trailing NULs (what
 * sizeof(struct sockaddr_un) would send to) must NOT get the datagram. */
TEST(abstract_length_is_exact)
{
    char name[128];
    snprintf(name, sizeof name, "@eb-notify-len-%d", (int)getpid());
    int wrong = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path + 1, name + 1, strlen(name) - 1);
    CHECK_EQ_INT(bind(wrong, (struct sockaddr *)&a, sizeof a), 0);
    eb_notify_t n;
    char err[256];
    CHECK_EQ_INT(eb_notify_open(&n, name, err, sizeof err), 0);
    CHECK_EQ_INT(eb_notify_ready(&n), -1); /* nobody listens on the exact name */
    char buf[64];
    struct timeval tv = {.tv_usec = 100000};
    setsockopt(wrong, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    CHECK(recv(wrong, buf, sizeof buf, 0) < 0);
    eb_notify_close(&n);
    close(wrong);
}

TEST(disabled_without_socket)
{
    eb_notify_t n;
    char err[256];
    CHECK_EQ_INT(eb_notify_open(&n, NULL, err, sizeof err), 0);
    CHECK(!eb_notify_enabled(&n));
    CHECK_EQ_INT(eb_notify_ready(&n), 0);
    CHECK_EQ_INT(eb_notify_open(&n, "", err, sizeof err), 0);
    CHECK_EQ_INT(eb_notify_watchdog(&n), 0);
    eb_notify_close(&n);
}

TEST(bad_socket_values)
{
    eb_notify_t n;
    char err[512] = "", longname[200];
    CHECK_EQ_INT(eb_notify_open(&n, "relative/path", err, sizeof err), -1);
    CHECK(strstr(err, "NOTIFY_SOCKET='relative/path'") != NULL);
    CHECK(strstr(err, "allowed") != NULL);
    CHECK_EQ_INT(eb_notify_open(&n, "@", err, sizeof err), -1);
    CHECK_EQ_INT(eb_notify_open(&n, "vsock:2:1", err, sizeof err), -1);
    memset(longname, 'a', sizeof longname - 1);
    longname[0] = '/';
    longname[sizeof longname - 1] = '\0';
    CHECK_EQ_INT(eb_notify_open(&n, longname, err, sizeof err), -1);
    CHECK(strstr(err, "at most 107 bytes") != NULL);
    CHECK_EQ_INT(n.fd, -1);
    /* 107 bytes is the longest that fits */
    longname[107] = '\0';
    CHECK_EQ_INT(eb_notify_open(&n, longname, err, sizeof err), 0);
    eb_notify_close(&n);
}

TEST(watchdog_interval)
{
    int64_t us = -1;
    char err[256] = "";
    CHECK_EQ_INT(eb_notify_watchdog_interval(NULL, NULL, 42, &us, err, sizeof err), 0);
    CHECK_EQ_INT(us, 0);
    CHECK_EQ_INT(eb_notify_watchdog_interval("30000000", NULL, 42, &us, err, sizeof err), 0);
    CHECK_EQ_INT(us, 15000000);
    CHECK_EQ_INT(eb_notify_watchdog_interval("30000000", "42", 42, &us, err, sizeof err), 0);
    CHECK_EQ_INT(us, 15000000);
    CHECK_EQ_INT(eb_notify_watchdog_interval("30000000", "41", 42, &us, err, sizeof err), 0);
    CHECK_EQ_INT(us, 0); /* meant for another process */
    CHECK_EQ_INT(eb_notify_watchdog_interval("1", NULL, 42, &us, err, sizeof err), 0);
    CHECK_EQ_INT(us, 1);
    static const char *bad[] = {"0", "-5", "abc", "12x", " 12", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        us = -1;
        CHECK_EQ_INT(eb_notify_watchdog_interval(bad[i], NULL, 42, &us, err, sizeof err), -1);
        CHECK_EQ_INT(us, 0);
        CHECK(strstr(err, "WATCHDOG_USEC") != NULL);
    }
    CHECK_EQ_INT(eb_notify_watchdog_interval("100", "x1", 42, &us, err, sizeof err), -1);
    CHECK(strstr(err, "WATCHDOG_PID='x1'") != NULL);
}

/* A receiver that never reads: its queue fills, and then a send fails at once instead of blocking the
 * caller (the daemon's loop) until the manager reads again. The alarm turns a block into a failed run. */
TEST(full_receiver_never_blocks)
{
    char name[128];
    snprintf(name, sizeof name, "@eb-notify-full-%d", (int)getpid());
    int rx = bind_receiver(name);
    CHECK(rx >= 0);
    if (rx < 0)
        return;
    eb_notify_t n;
    char err[256] = "";
    CHECK_EQ_INT(eb_notify_open(&n, name, err, sizeof err), 0);
    alarm(10);
    int sent = 0, refused = 0;
    for (int i = 0; i < 100000 && !refused; i++) {
        if (eb_notify_watchdog(&n) == 0)
            sent++;
        else
            refused++;
    }
    alarm(0);
    CHECK_MSG(sent > 0 && refused == 1, "sent %d, refused %d", sent, refused);
    char buf[64];
    CHECK_EQ_INT(recv_one(rx, buf, sizeof buf), 10); /* what was queued is intact, and room again... */
    CHECK_EQ_INT(eb_notify_watchdog(&n), 0);         /* ...lets the next one through */
    eb_notify_close(&n);
    close(rx);
}

int main(void)
{
    RUN(path_socket);
    RUN(abstract_socket);
    RUN(abstract_length_is_exact);
    RUN(disabled_without_socket);
    RUN(bad_socket_values);
    RUN(watchdog_interval);
    RUN(full_receiver_never_blocks);
    return eb_check_report();
}
