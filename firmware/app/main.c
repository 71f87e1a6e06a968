/* edgeboxd: the appliance daemon. Options here; the start-up order, the loop and the trading are in
 * app/daemon/ (see daemon/daemon.h and daemon/internal.h). */
#include "app/daemon/daemon.h"
#include "app/heap.h"
#include "app/selftest.h"
#include "app/versions.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int g_stop;
static void on_signal(int sig) { g_stop = sig; }

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edgeboxd --config FILE [options]\n"
            "  --config FILE        appliance and strategy config (JSON; docs/appliance-config.md)\n"
            "  --board NAME         sim, rpi4, rpi5, qemu-virt (default: the config's, else %s)\n"
            "  --replay BARS.csv    paper trading on these bars (stands in for appliance.source/replay_file)\n"
            "  --state-dir DIR      journal, model slots and drop directory (overrides appliance.state_dir)\n"
            "  --speed X|max        replay clock: X times real time, or as fast as the loop runs\n"
            "  --stop-after-bars N  stop after N bars (tests, benchmarks)\n"
            "  --exit-at-end        stop when the replay ends (default: stay up, as a box does)\n"
            "  --report-every-bars N  log the memory figures every N bars (soak tests)\n"
            "  --http-port N        the operator surface on port N (overrides appliance.http.port; docs/api.md)\n"
            "  --self-test          exercise every linked library on the memory arena and exit\n"
            "  --version            our version and the linked libraries' versions\n"
            "  --help               this text\n"
            "Signals: SIGINT/SIGTERM stop cleanly. Under systemd: READY=1, STATUS=, WATCHDOG=1 (sd_notify).\n",
            EB_BOARD);
}

static int parse_speed(const char *s, double *out)
{
    if (strcmp(s, "max") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !(v >= 1 && v <= 1e7)) {
        fprintf(stderr, "<3>edgeboxd: --speed: '%s' is not allowed (\"max\" or a number in 1..1e7)\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

static int self_test(void)
{
    if (eb_heap_reserve((size_t)24 << 20) != 0) {
        fprintf(stderr, "<2>edgeboxd: cannot reserve 24 MiB: %s\n", strerror(errno));
        return 1;
    }
    return eb_selftest_run(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"board", required_argument, 0, 'b'},
        {"replay", required_argument, 0, 'r'}, {"speed", required_argument, 0, 'x'},
        {"state-dir", required_argument, 0, 'S'},
        {"stop-after-bars", required_argument, 0, 'n'}, {"exit-at-end", no_argument, 0, 'e'},
        {"report-every-bars", required_argument, 0, 'R'}, {"http-port", required_argument, 0, 'H'},
        {"self-test", no_argument, 0, 's'},    {"version", no_argument, 0, 'V'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    eb_daemon_options_t o = {.replay_speed = -1};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'b': o.board = optarg; break;
        case 'r': o.replay_path = optarg; break;
        case 'S': o.state_dir = optarg; break;
        case 'x': if (parse_speed(optarg, &o.replay_speed)) return 2; break;
        case 'n':
            o.stop_after_bars = strtol(optarg, &end, 10);
            if (*end || o.stop_after_bars < 1) {
                fprintf(stderr, "<3>edgeboxd: --stop-after-bars: '%s' is not a positive integer\n", optarg);
                return 2;
            }
            break;
        case 'e': o.exit_at_end = 1; break;
        case 'R':
            o.report_every_bars = strtol(optarg, &end, 10);
            if (*end || o.report_every_bars < 1) {
                fprintf(stderr, "<3>edgeboxd: --report-every-bars: '%s' is not a positive integer\n", optarg);
                return 2;
            }
            break;
        case 'H': {
            long p = strtol(optarg, &end, 10);
            if (*end || p < 1 || p > 65535) {
                fprintf(stderr, "<3>edgeboxd: --http-port: '%s' is not a port (1..65535)\n", optarg);
                return 2;
            }
            o.http_port = (int)p;
            break;
        }
        case 's': return self_test();
        case 'V': eb_versions_print(stdout, "edgeboxd"); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "<3>edgeboxd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    eb_daemon_t *d;
    int rc = eb_daemon_start(&d, &o);
    if (rc != 0)
        return rc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = eb_daemon_run(d, &g_stop);
    eb_daemon_stop(d, g_stop == SIGINT ? "SIGINT" : g_stop == SIGTERM ? "SIGTERM" : NULL);
    return rc;
}
