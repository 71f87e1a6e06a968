/* edgeboxd: the appliance daemon.
 *
 * This is the skeleton of SPEC section 9's start-up order: reserve memory, then run the main loop until
 * SIGINT/SIGTERM. The trading loop, HAL, journal and model store hang off this file as they land. */
#include "app/heap.h"
#include "app/selftest.h"
#include "app/versions.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_ARENA_MIB 24

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) { g_stop = sig; }

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edgeboxd [options]\n"
            "  --config FILE     strategy and appliance config (JSON)\n"
            "  --board NAME      board: sim, rpi4, rpi5, qemu-virt (default: the build's board, %s)\n"
            "  --arena-mib N     memory reserved at start-up, MiB (default %d, 4..4096)\n"
            "  --heartbeat-ms N  interval of the alive line on stderr (default 1000)\n"
            "  --run-for-ms N    stop by itself after N ms (tests; default: run until a signal)\n"
            "  --self-test       exercise every linked library on the arena and exit\n"
            "  --version         print the version and the linked libraries' versions\n"
            "  --help            this text\n",
            EB_BOARD, DEFAULT_ARENA_MIB);
}

static int parse_long(const char *key, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "<3>edgeboxd: %s: '%s' is not an integer in %ld..%ld\n", key, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int main_loop(long heartbeat_ms, long run_for_ms)
{
    long start = now_ms(), next_beat = start;
    unsigned long beats = 0;
    while (!g_stop) {
        long now = now_ms();
        if (run_for_ms > 0 && now - start >= run_for_ms)
            break;
        if (now >= next_beat) {
            eb_arena_stats_t s;
            eb_heap_stats(&s);
            fprintf(stderr, "<6>edgeboxd: alive beat=%lu uptime_ms=%ld arena_in_use=%zu arena_high_water=%zu\n",
                    beats++, now - start, s.in_use, s.high_water);
            next_beat = now + heartbeat_ms;
        }
        poll(NULL, 0, (int)(next_beat - now < 100 ? next_beat - now : 100));
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},    {"board", required_argument, 0, 'b'},
        {"arena-mib", required_argument, 0, 'a'}, {"heartbeat-ms", required_argument, 0, 'h'},
        {"run-for-ms", required_argument, 0, 'r'}, {"self-test", no_argument, 0, 's'},
        {"version", no_argument, 0, 'V'},         {"help", no_argument, 0, '?' + 256},
        {0, 0, 0, 0}};
    long arena_mib = DEFAULT_ARENA_MIB, heartbeat_ms = 1000, run_for_ms = 0;
    const char *board = EB_BOARD;
    int self_test = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': break; /* the config loader arrives with the trading loop */
        case 'b': board = optarg; break;
        case 'a': if (parse_long("--arena-mib", optarg, 4, 4096, &arena_mib)) return 2; break;
        case 'h': if (parse_long("--heartbeat-ms", optarg, 10, 3600000, &heartbeat_ms)) return 2; break;
        case 'r': if (parse_long("--run-for-ms", optarg, 1, 86400000, &run_for_ms)) return 2; break;
        case 's': self_test = 1; break;
        case 'V': eb_versions_print(stdout, "edgeboxd"); return 0;
        case '?' + 256: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "<3>edgeboxd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (eb_heap_reserve((size_t)arena_mib << 20) != 0) {
        fprintf(stderr, "<2>edgeboxd: cannot reserve %ld MiB at start-up: %s\n", arena_mib, strerror(errno));
        return 1;
    }
    if (self_test)
        return eb_selftest_run(stdout) == 0 ? 0 : 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, "<5>edgeboxd: %s started on board %s, %ld MiB arena reserved\n", EB_VERSION, board, arena_mib);
    main_loop(heartbeat_ms, run_for_ms);
    fprintf(stderr, "<5>edgeboxd: stopped (%s)\n", g_stop == SIGINT ? "SIGINT" : g_stop == SIGTERM ? "SIGTERM" : "run-for elapsed");
    return 0;
}
