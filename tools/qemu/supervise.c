/* eb-supervise: the part of systemd the QEMU system test needs, for an initramfs without systemd.
 * It runs one command the way edgeboxd.service does (Type=notify, NotifyAccess=main, WatchdogSec,
 * Restart=on-failure, RestartSec, StartLimitBurst in StartLimitIntervalSec, TimeoutStartSec):
 *
 *   eb-supervise WATCHDOG_SEC RESTART_SEC TIMEOUT_START_SEC LIMIT_BURST LIMIT_INTERVAL_SEC -- CMD [ARG...]
 *
 * The child gets NOTIFY_SOCKET (a datagram socket of ours), WATCHDOG_USEC and WATCHDOG_PID. Messages from
 * any other process than the child are dropped (SO_PASSCRED). No READY=1 within TIMEOUT_START_SEC, or
 * after READY=1 no WATCHDOG=1 within WATCHDOG_SEC, counts as a failure: SIGABRT (systemd's default
 * WatchdogSignal) with SIGCONT, so a stopped process dies too, then SIGKILL after 5 s. A failure (a
 * non-zero exit, a signal other than SIGHUP/SIGINT/SIGTERM/SIGPIPE, a timeout) restarts the command
 * after RESTART_SEC, until LIMIT_BURST starts fell within LIMIT_INTERVAL_SEC; a clean exit ends it.
 * Each transition is one line on stderr ("eb-supervise: ..."), which the test reads on the console.
 * With /dev/watchdog present (softdog) it is kept fed, so a dead supervisor resets the machine. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOTIFY_PATH "/run/eb-notify.sock"
#define KILL_GRACE_MS 5000
#define MAX_STARTS 64

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "eb-supervise: [%lld.%03lld] %s\n", now_ms() / 1000, now_ms() % 1000, line);
}

static long parse_sec(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v <= 0 || v > 3600) {
        say("%s '%s' is not allowed (a whole number of seconds, 1..3600)", what, s);
        exit(2);
    }
    return v;
}

static int open_notify_socket(void)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        say("socket: %s", strerror(errno));
        exit(1);
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", NOTIFY_PATH);
    int on = 1;
    if (unlink(NOTIFY_PATH) != 0 && errno != ENOENT) {
        say("unlink %s: %s", NOTIFY_PATH, strerror(errno));
        exit(1);
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
        say("notify socket %s: %s", NOTIFY_PATH, strerror(errno));
        exit(1);
    }
    return fd;
}

/* One datagram: its sender's pid and its text (NUL-terminated). Returns 0 when the socket is empty. */
static int read_message(int fd, pid_t *sender, char *text, size_t cap)
{
    char ctl[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = {.iov_base = text, .iov_len = cap - 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            say("reading the notify socket: %s", strerror(errno));
        return 0;
    }
    text[n] = '\0';
    *sender = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            *sender = u.pid;
        }
    return 1;
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p += n)
        if ((p == text || p[-1] == '\n') && (p[n] == '\0' || p[n] == '\n'))
            return 1;
    return 0;
}

static pid_t start(char **cmd, long watchdog_sec)
{
    pid_t pid = fork();
    if (pid < 0) {
        say("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        char wpid[24], wusec[24];
        snprintf(wpid, sizeof wpid, "%d", (int)getpid());
        snprintf(wusec, sizeof wusec, "%ld", watchdog_sec * 1000000L);
        if (setenv("NOTIFY_SOCKET", NOTIFY_PATH, 1) || setenv("WATCHDOG_PID", wpid, 1) ||
            setenv("WATCHDOG_USEC", wusec, 1)) {
            perror("eb-supervise: setenv");
            _exit(1);
        }
        execv(cmd[0], cmd);
        fprintf(stderr, "eb-supervise: exec %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* SIGABRT and SIGCONT, then SIGKILL if it is still there after the grace time. Reaps it. */
static int stop_hard(pid_t pid)
{
    kill(pid, SIGABRT);
    kill(pid, SIGCONT);
    int st;
    for (long long until = now_ms() + KILL_GRACE_MS; now_ms() < until;) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return st;
        usleep(20000);
    }
    say("pid %d still there %d ms after SIGABRT: SIGKILL", (int)pid, KILL_GRACE_MS);
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

static int clean_exit(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st) == 0;
    int s = WTERMSIG(st);
    return s == SIGHUP || s == SIGINT || s == SIGTERM || s == SIGPIPE;
}

static void describe(int st, char *out, size_t cap)
{
    if (WIFEXITED(st))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(st));
    else
        snprintf(out, cap, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
}

static void feed(int wd)
{
    if (wd >= 0 && write(wd, ".", 1) != 1)
        say("feeding /dev/watchdog: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    if (argc < 8 || strcmp(argv[6], "--") != 0) {
        fprintf(stderr, "usage: eb-supervise WATCHDOG_SEC RESTART_SEC TIMEOUT_START_SEC LIMIT_BURST "
                        "LIMIT_INTERVAL_SEC -- CMD [ARG...]\n");
        return 2;
    }
    long watchdog_sec = parse_sec(argv[1], "WATCHDOG_SEC"), restart_sec = parse_sec(argv[2], "RESTART_SEC");
    long start_sec = parse_sec(argv[3], "TIMEOUT_START_SEC"), burst = parse_sec(argv[4], "LIMIT_BURST");
    long interval_sec = parse_sec(argv[5], "LIMIT_INTERVAL_SEC");
    if (burst > MAX_STARTS) {
        say("LIMIT_BURST %ld is over %d", burst, MAX_STARTS);
        return 2;
    }
    char **cmd = argv + 7;
    int fd = open_notify_socket();
    int wd = open("/dev/watchdog", O_WRONLY | O_CLOEXEC);
    if (wd >= 0)
        say("feeding /dev/watchdog");
    long long starts[MAX_STARTS];
    long nstarts = 0;

    for (;;) {
        long long t0 = now_ms();
        /* StartLimitBurst: the start LIMIT_BURST starts back must lie outside the interval */
        if (nstarts >= burst && starts[nstarts % burst] > t0 - interval_sec * 1000) {
            say("%ld starts within %ld s: giving up (start limit)", burst, interval_sec);
            break;
        }
        starts[nstarts++ % burst] = t0;
        pid_t pid = start(cmd, watchdog_sec);
        if (pid < 0)
            break;
        say("started %s as pid %d", cmd[0], (int)pid);
        int ready = 0, st = 0, exited = 0;
        long long deadline = t0 + start_sec * 1000;
        while (!exited) {
            long long now = now_ms();
            if (now >= deadline) {
                if (ready)
                    say("watchdog timeout: no WATCHDOG=1 from pid %d for %ld s: SIGABRT", (int)pid, watchdog_sec);
                else
                    say("no READY=1 from pid %d within %ld s: SIGABRT", (int)pid, start_sec);
                st = stop_hard(pid);
                break;
            }
            struct pollfd p = {.fd = fd, .events = POLLIN};
            long long wait = deadline - now < 100 ? deadline - now : 100;
            if (poll(&p, 1, (int)wait) > 0) {
                pid_t sender;
                char text[4096];
                while (read_message(fd, &sender, text, sizeof text)) {
                    if (sender != pid)
                        continue; /* NotifyAccess=main */
                    if (!ready && has_line(text, "READY=1")) {
                        ready = 1;
                        say("READY=1 from pid %d, %.3f s after its start", (int)pid, (double)(now_ms() - t0) / 1000);
                        deadline = now_ms() + watchdog_sec * 1000;
                    }
                    if (ready && has_line(text, "WATCHDOG=1"))
                        deadline = now_ms() + watchdog_sec * 1000;
                }
            }
            feed(wd);
            exited = waitpid(pid, &st, WNOHANG) == pid;
        }
        char how[96];
        describe(st, how, sizeof how);
        if (exited && clean_exit(st)) {
            say("pid %d %s: done", (int)pid, how);
            break;
        }
        say("pid %d %s: restarting in %ld s", (int)pid, how, restart_sec);
        for (long long until = now_ms() + restart_sec * 1000; now_ms() < until;) {
            feed(wd);
            usleep(100000);
        }
    }
    if (wd >= 0 && (write(wd, "V", 1) != 1 || close(wd) != 0)) /* the magic close: stop the watchdog */
        say("closing /dev/watchdog: %s", strerror(errno));
    return 1;
}
