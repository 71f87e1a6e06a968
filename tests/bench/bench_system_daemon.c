/* edgeboxd as a process (issue 7's figures): start-up to READY=1 as systemd sees it (a real sd_notify
 * socket, timed from fork), bar close to decision, resident set and arena high-water, each beside its goal.
 * The model is the 600-tree bench model (3 classes x 200 rounds, depth 6) when bench_engine has cached it
 * in build/, signed here with a throwaway key; without it the daemon runs model-free and says so. */
#include "app/heap.h"
#include "core/synth.h"
#include "tools/edgebox/model_compile.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BARS 50000
#define MODEL_CACHE "build/bench_engine_200x3.ebm" /* made by bench_engine, which runs first */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int write_bars(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    eb_synth_params_t p = eb_synth_params_default();
    eb_synth_t s;
    eb_synth_init(&s, &p);
    fprintf(f, "open_time_ms,open,high,low,close,volume\n");
    for (int i = 0; i < BARS; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        fprintf(f, "%lld,%.2f,%.2f,%.2f,%.2f,%.6f\n", (long long)b.open_time_ms, b.open, b.high, b.low, b.close,
                b.volume);
    }
    return fclose(f);
}

/* Signs the cached bench model into DIR/state/drop; returns 1 when a model was pushed. */
static int push_model(const char *dir, char *pub, size_t cap)
{
    if (access(MODEL_CACHE, R_OK) != 0)
        return 0;
    char keydir[512], key[600], signed_path[600];
    snprintf(keydir, sizeof keydir, "%s/keys", dir);
    snprintf(key, sizeof key, "%s/model.key", keydir);
    snprintf(pub, cap, "%s/model.pub", keydir);
    snprintf(signed_path, sizeof signed_path, "%s/state/drop/bench.signed", dir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s/bin/edgebox keygen --out %s >/dev/null && %s/bin/edgebox model sign --key %s --in %s --release 1 "
             "--out %s >/dev/null",
             getenv("EB_BUILD") ? getenv("EB_BUILD") : "build/host", keydir,
             getenv("EB_BUILD") ? getenv("EB_BUILD") : "build/host", key, MODEL_CACHE, signed_path);
    return system(cmd) == 0;
}

static int listen_notify(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return -1;
    memcpy(a.sun_path, path, strlen(path) + 1);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    return fd;
}

static double field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? atof(p + strlen(key)) : -1;
}

int main(void)
{
    char dir[] = "/tmp/edgebox-bench-daemon-XXXXXX", path[600], cfg[600], pub[600] = "", sock[100], log[600];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/bars.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/cfg.json", dir);
    snprintf(sock, sizeof sock, "%s/notify", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    char state[600], drop[700];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(drop, sizeof drop, "%s/drop", state);
    mkdir(state, 0700);
    mkdir(drop, 0700);
    if (write_bars(path) != 0)
        return 1;
    int model = push_model(dir, pub, sizeof pub);
    FILE *f = fopen(cfg, "w");
    fprintf(f, "{\"appliance\": {\"board\": \"sim\", \"board_dir\": \"board\", \"state_dir\": \"%s\", "
               "\"replay_file\": \"%s\", \"replay_speed\": \"max\"%s%s%s}}\n",
            state, path, model ? ", \"public_key\": \"" : "", model ? pub : "", model ? "\"" : "");
    fclose(f);
    int nfd = listen_notify(sock);
    if (nfd < 0)
        return 1;
    char daemon[600];
    snprintf(daemon, sizeof daemon, "%s/bin/edgeboxd", getenv("EB_BUILD") ? getenv("EB_BUILD") : "build/host");
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(lf, 2);
        setenv("NOTIFY_SOCKET", sock, 1);
        char sim[700];
        snprintf(sim, sizeof sim, "%s/sim", dir);
        setenv("EDGEBOX_SIM_DIR", sim, 1);
        execl(daemon, "edgeboxd", "--config", cfg, "--exit-at-end", (char *)NULL);
        _exit(127);
    }
    double ready = -1;
    char msg[512];
    while (ready < 0) {
        struct pollfd p = {.fd = nfd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0)
            break;
        ssize_t n = recv(nfd, msg, sizeof msg - 1, 0);
        if (n > 0 && (msg[n] = '\0', strstr(msg, "READY=1")))
            ready = now_ms() - t0;
    }
    int status;
    waitpid(pid, &status, 0);
    char line[1024] = "", buf[1024];
    f = fopen(log, "r");
    while (f && fgets(buf, sizeof buf, f))
        if (strstr(buf, "memory at stop"))
            snprintf(line, sizeof line, "%s", buf);
    if (f)
        fclose(f);
    double rss_mib = field(line, "rss_kib=") / 1024.0, hw_mib = field(line, "high_water=") / 1048576.0;
    printf("edgeboxd on %d synthetic bars, %s, board sim, paper replay at full speed:\n", BARS,
           model ? "600-tree model (3 classes x 200 rounds, depth 6)" : "no model (run bench_engine first)");
    printf("  start-up to READY=1 (sd_notify, from fork)  %8.1f ms     goal < 300 ms\n", ready);
    printf("  bar close to decision, mean                 %8.2f us     goal < 50 us\n", field(line, "mean="));
    printf("  bar close to decision, max                  %8.1f us     (includes page faults and preemption)\n",
           field(line, "max="));
    printf("  resident set at stop                        %8.2f MiB    goal < 16 MiB\n", rss_mib);
    printf("  arena high-water (of %.0f MiB reserved)      %8.2f MiB\n", field(line, "capacity=") / 1048576.0, hw_mib);
    char rm[700];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0)
        return 1;
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && ready >= 0;
    return ok ? 0 : 1;
}
