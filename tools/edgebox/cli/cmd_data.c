/* edgebox data synth: deterministic synthetic bars as CSV (SPEC section 2). */
#include "core/synth.h"
#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/data/data_fetch.h"

#include "common/file_out.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EB_COMMAND(data, "market data: 'data fetch' downloads Binance klines, 'data synth' makes synthetic bars")

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox data fetch --out FILE [--from T] [--symbol S] [--interval 5m] [--base URL] ...\n"
                 "         (incremental Binance klines download; edgebox data fetch --help)\n"
                 "       edgebox data synth [--bars N] [--seed S] [--interval 5m|1h|...] [--start MS]\n"
                 "                          [--price P] [--vol SIGMA] [--gaps PROB] [--trend T] [--out FILE]\n"
                 "  writes open_time_ms,open,high,low,close,volume (defaults: 10000 bars, seed 1, 5m,\n"
                 "  start 2021-01-01T00:00Z, price 30000, vol 0.002 per bar, no gaps, stdout)\n"
                 "  --trend: the up/down regimes' drift per bar in units of vol (0..1, default 0.05: close\n"
                 "  to a random walk; 0.15 and above: a learnable market, as the demo uses)\n");
}

static int parse_interval(const char *s, int64_t *ms)
{
    char *end;
    long n = strtol(s, &end, 10);
    long unit = strcmp(end, "m") == 0 ? 60000 : strcmp(end, "h") == 0 ? 3600000 : strcmp(end, "d") == 0 ? 86400000 : 0;
    if (end == s || n <= 0 || unit == 0)
        return -1;
    *ms = (int64_t)n * unit;
    return 0;
}

static int bad(const struct option *opts, int c, const char *val)
{
    static const struct { int c; const char *allowed; } ranges[] = {
        {'n', "1..100000000"}, {'s', "0..2^64-1"}, {'i', "N followed by m, h or d, e.g. 5m"},
        {'t', "UTC milliseconds >= 0"}, {'p', "0 < P < 1e9"}, {'v', "0 < SIGMA <= 0.1"}, {'g', "0..0.5"}, {'r', "0..1"}};
    const char *key = "?", *allowed = "?";
    for (const struct option *o = opts; o->name; o++)
        if (o->val == c)
            key = o->name;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (ranges[i].c == c)
            allowed = ranges[i].allowed;
    fprintf(stderr, "edgebox data synth: --%s: '%s' is not allowed (allowed: %s)\n", key, val, allowed);
    return 2;
}

static int synth(int argc, char **argv)
{
    static const struct option opts[] = {{"bars", 1, 0, 'n'}, {"seed", 1, 0, 's'},  {"interval", 1, 0, 'i'},
                                         {"start", 1, 0, 't'}, {"price", 1, 0, 'p'}, {"vol", 1, 0, 'v'},
                                         {"gaps", 1, 0, 'g'},  {"out", 1, 0, 'o'},   {"help", 0, 0, 'h'},
                                         {"trend", 1, 0, 'r'}, {0, 0, 0, 0}};
    eb_synth_params_t p = eb_synth_params_default();
    long long bars = 10000;
    const char *out_path = NULL;
    char *end;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        errno = 0;
        int ok = 1;
        switch (c) {
        case 'n':
            bars = strtoll(optarg, &end, 10);
            ok = !*end && bars >= 1 && bars <= 100000000;
            break;
        case 's':
            p.seed = strtoull(optarg, &end, 10);
            ok = !*end && !errno && *optarg != '-';
            break;
        case 'i':
            ok = parse_interval(optarg, &p.interval_ms) == 0;
            break;
        case 't':
            p.start_ms = strtoll(optarg, &end, 10);
            ok = !*end && p.start_ms >= 0;
            break;
        case 'p':
            p.start_price = strtod(optarg, &end);
            ok = !*end && p.start_price > 0 && p.start_price < 1e9;
            break;
        case 'v':
            p.base_vol = strtod(optarg, &end);
            ok = !*end && p.base_vol > 0 && p.base_vol <= 0.1;
            break;
        case 'g':
            p.gap_prob = strtod(optarg, &end);
            ok = !*end && p.gap_prob >= 0 && p.gap_prob <= 0.5;
            break;
        case 'r':
            p.trend = strtod(optarg, &end);
            ok = !*end && p.trend >= 0 && p.trend <= 1;
            break;
        case 'o': out_path = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (!ok)
            return bad(opts, c, optarg);
    }
    /* --out: a temp file renamed when complete (a full disk leaves no cut CSV); stdout: main checks it */
    eb_file_out_t fo;
    char err[4200];
    if (out_path && eb_file_out_open(&fo, out_path, 0644, err, sizeof err) != 0) {
        fprintf(stderr, "edgebox data synth: %s\n", err);
        return 1;
    }
    FILE *out = out_path ? fo.f : stdout;
    eb_synth_t s;
    eb_synth_init(&s, &p);
    fprintf(out, "open_time_ms,open,high,low,close,volume\n");
    for (long long i = 0; i < bars; i++) {
        eb_bar_t b;
        eb_synth_next(&s, &b);
        fprintf(out, "%lld,%.2f,%.2f,%.2f,%.2f,%.6f\n", (long long)b.open_time_ms, b.open, b.high, b.low, b.close,
                b.volume);
    }
    if (out_path && eb_file_out_commit(&fo, err, sizeof err) != 0) {
        eb_file_out_abort(&fo);
        fprintf(stderr, "edgebox data synth: %s\n", err);
        return 1;
    }
    return 0;
}

int cmd_data(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "synth") == 0)
        return synth(argc - 1, argv + 1);
    if (strcmp(argv[1], "fetch") == 0)
        return eb_data_fetch_main(argc - 1, argv + 1);
    fprintf(stderr, "edgebox data: unknown subcommand '%s' (fetch, synth)\n", argv[1]);
    return 2;
}
