/* Requests per second of the HTTP server on loopback (issue 15 item 10, first part): /api/v1/status and
 * /metrics through wrk when it is installed (8 connections, 3 s each), and always a C loop of 100,000
 * keep-alive requests on one connection at a time, with the server's resident memory before and after
 * (after a warm-up that gives the first connection's buffers their pages, the high-water mark must not move). The server is the test fixture,
 * with the daemon's defaults (64 connections, 8 per address, 100 requests per connection);
 * EB_BENCH_SNDBUF=N sets its per-connection SO_SNDBUF (0: the kernel's autotuning). At the end, the
 * server's own edgebox_http_* counters. */
#include "tests/support/daemon_proc.h"
#include "tests/support/http_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long vm_kib(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0)
            v = atol(line + strlen(key));
    if (f)
        fclose(f);
    return v;
}

/* n requests for `path`, a new connection whenever the server closes one; -1 on a wrong answer. */
static double c_loop(int port, const char *path, int n)
{
    char req[128], buf[65536];
    int rl = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: bench\r\n\r\n", path);
    int fd = -1, done = 0;
    int64_t t0 = hf_mono_ms();
    while (done < n) {
        if (fd < 0 && (fd = dp_connect(port)) < 0)
            return -1;
        if (send(fd, req, (size_t)rl, MSG_NOSIGNAL) != rl) {
            close(fd);
            fd = -1;
            continue;
        }
        size_t len = 0;
        long want = -1;
        for (;;) {
            ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
            if (k <= 0)
                break;
            len += (size_t)k;
            buf[len] = '\0';
            char *h = strstr(buf, "\r\n\r\n");
            char *cl = strstr(buf, "Content-Length: ");
            if (h && cl) {
                want = (long)(h + 4 - buf) + atol(cl + 16);
                if ((long)len >= want)
                    break;
            }
        }
        if (want < 0 || (long)len < want || strncmp(buf, "HTTP/1.1 200 ", 13) != 0)
            return -1;
        done++;
        if (strstr(buf, "Connection: close")) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    int64_t ms = hf_mono_ms() - t0;
    return ms > 0 ? 1000.0 * n / (double)ms : 0;
}

static void run_wrk(const char *wrk, int port, const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -t1 -c8 -d3s http://127.0.0.1:%d%s 2>&1 | grep -E 'Requests/sec|Latency|Non-2xx|errors'",
             wrk, port, path);
    printf("wrk -t1 -c8 -d3s %s:\n", path);
    fflush(stdout);
    if (system(cmd) != 0)
        printf("  (wrk failed)\n");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    eb_http_config_t cfg = eb_http_default_config();
    cfg.port = 0;
    if (getenv("EB_BENCH_SNDBUF"))
        cfg.sndbuf_bytes = atoi(getenv("EB_BENCH_SNDBUF"));
    int port = 0;
    pid_t pid = hf_start(&cfg, "bench-token", &port);
    if (pid < 0) {
        fprintf(stderr, "bench_http: the server did not start\n");
        return 1;
    }
    int fail = 0;
    const char *paths[] = {"/api/v1/status", "/metrics"};
    for (int i = 0; i < 2; i++) /* warm-up: the first connection slot's buffers get their pages */
        fail |= c_loop(port, paths[i], 2000) <= 0;
    long rss0 = vm_kib(pid, "VmRSS:"), hwm0 = vm_kib(pid, "VmHWM:");
    for (int i = 0; i < 2; i++) {
        double rps = c_loop(port, paths[i], 50000);
        printf("C loop, 50000 x GET %s, one connection at a time: %.0f requests/s\n", paths[i], rps);
        fail |= rps <= 0;
    }
    long rss1 = vm_kib(pid, "VmRSS:"), hwm1 = vm_kib(pid, "VmHWM:");
    printf("server RSS %ld -> %ld KiB, high-water %ld -> %ld KiB over 100,000 requests\n", rss0, rss1, hwm0, hwm1);
    FILE *p = popen("command -v wrk", "r");
    char wrk[256] = "";
    if (p) {
        if (!fgets(wrk, sizeof wrk, p))
            wrk[0] = '\0';
        pclose(p);
    }
    wrk[strcspn(wrk, "\n")] = '\0';
    if (wrk[0] == '/') {
        for (int i = 0; i < 2; i++)
            run_wrk(wrk, port, paths[i]);
    } else {
        printf("wrk not installed (Debian package wrk): the C loop only\n");
    }
    /* the server's own count of what it answered, to tell a refused connection from a slow one */
    int fd = dp_connect(port);
    char buf[16384];
    size_t len = 0;
    ssize_t k;
    if (fd >= 0 && send(fd, "GET /metrics HTTP/1.0\r\n\r\n", 25, MSG_NOSIGNAL) == 25)
        while (len < sizeof buf - 1 && (k = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
            len += (size_t)k;
    if (fd >= 0)
        close(fd);
    buf[len] = '\0';
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, "edgebox_http_", 13) == 0)
            printf("  %s\n", line);
    hf_stop(pid);
    return fail;
}
