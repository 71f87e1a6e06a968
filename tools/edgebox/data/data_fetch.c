/* edgebox data fetch (see data_fetch.h). */
#define _GNU_SOURCE
#include "tools/edgebox/data/data_fetch.h"
#include "common/time_parse.h"
#include "app/bars_csv.h"
#include "app/klines.h"
#include "hal/io/clock.h"

#include "common/file_out.h"
#include "common/file_read.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ME "edgebox data fetch"

typedef struct {
    eb_klines_config_t kc;
    const char *out, *from_text;
    int64_t from_ms;       /* -1: not given */
    int max_failures;
} fetch_opts_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: edgebox data fetch --out FILE [--from T] [--to T] [--symbol BTCUSDT] [--interval 5m]\n"
               "                          [--base URL] [--futures] [--limit N] [--retry-base-ms MS] [--max-failures N]\n"
               "  T: UTC milliseconds or YYYY-MM-DD[THH:MM[:SS]][Z]. --from is needed for a new file; an existing\n"
               "  file is resumed after its last bar. Defaults: BTCUSDT, 5m, https://api.binance.com (spot;\n"
               "  --futures: USD-M /fapi/v1), limit 1000, first retry after 250 ms doubling up to 8 s, give up\n"
               "  after 20 failures in a row. Only closed bars are written.\n");
}

/* UTC milliseconds from "1609459200000" or "2021-01-01[T00:00[:00]][Z]"; -1 when neither. */
static int64_t parse_time(const char *s)
{
    int64_t ms;
    return eb_time_parse_ms(s, 1, &ms) == 0 ? ms : -1;
}

static int bad_opt(const char *key, const char *val, const char *allowed)
{
    fprintf(stderr, ME ": --%s: '%s' is not allowed (allowed: %s)\n", key, val, allowed);
    return 2;
}

static int parse_opts(int argc, char **argv, fetch_opts_t *o)
{
    static const struct option opts[] = {
        {"out", 1, 0, 'o'},   {"from", 1, 0, 'f'},     {"to", 1, 0, 't'},           {"symbol", 1, 0, 's'},
        {"interval", 1, 0, 'i'}, {"base", 1, 0, 'b'},  {"futures", 0, 0, 'F'},      {"limit", 1, 0, 'l'},
        {"retry-base-ms", 1, 0, 'r'}, {"max-failures", 1, 0, 'm'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    eb_klines_config_default(&o->kc);
    o->out = NULL;
    o->from_ms = -1;
    o->max_failures = 20;
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'f':
            if ((o->from_ms = parse_time(optarg)) < 0)
                return bad_opt("from", optarg, "UTC ms or YYYY-MM-DD[THH:MM[:SS]][Z]");
            break;
        case 't':
            if ((o->kc.end_ms = parse_time(optarg)) <= 0)
                return bad_opt("to", optarg, "UTC ms or YYYY-MM-DD[THH:MM[:SS]][Z]");
            break;
        case 's': o->kc.symbol = optarg; break;
        case 'i': o->kc.interval = optarg; break;
        case 'b': o->kc.base_url = optarg; break;
        case 'F': o->kc.market = EB_KLINES_USDM; break;
        case 'l':
            o->kc.limit = (int)strtol(optarg, &end, 10);
            if (*end || o->kc.limit < 1 || o->kc.limit > (o->kc.market == EB_KLINES_USDM ? 1500 : 1000))
                return bad_opt("limit", optarg, "1..1000, 1..1500 with --futures (give --futures first)");
            break;
        case 'r':
            o->kc.backoff_base_ms = strtoll(optarg, &end, 10);
            if (*end || o->kc.backoff_base_ms < 1 || o->kc.backoff_base_ms > EB_KLINES_BACKOFF_CAP_MS)
                return bad_opt("retry-base-ms", optarg, "1..8000");
            break;
        case 'm':
            o->max_failures = (int)strtol(optarg, &end, 10);
            if (*end || o->max_failures < 1 || o->max_failures > 1000)
                return bad_opt("max-failures", optarg, "1..1000");
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, ME ": unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!o->out) {
        fprintf(stderr, ME ": --out FILE is required\n");
        return 2;
    }
    return -1;
}

/* The open time after the file's last bar (checking the whole file), or -1 when it holds no bar yet
 * (*need_header: the file is missing or empty). -2 after printing why the file cannot be resumed. */
static int64_t resume_point(const char *path, int64_t interval_ms, long *bars, int *need_header)
{
    FILE *f = fopen(path, "r");
    *need_header = 1;
    if (!f)
        return errno == ENOENT ? -1 : (fprintf(stderr, ME ": %s: %s\n", path, strerror(errno)), -2);
    int empty = fgetc(f) == EOF;
    fclose(f);
    if (empty)
        return -1;
    *need_header = 0;
    eb_bars_csv_t r;
    eb_bar_t b = {0};
    int rc;
    if (eb_bars_csv_open(&r, path)) {
        fprintf(stderr, ME ": cannot resume: %s\n", r.err);
        return -2;
    }
    while ((rc = eb_bars_csv_next(&r, &b)) == 1)
        ;
    int64_t step = r.interval_ms;
    *bars = r.bars;
    if (rc < 0)
        fprintf(stderr, ME ": cannot resume: %s\n", r.err);
    eb_bars_csv_close(&r);
    if (rc < 0)
        return -2;
    if (*bars == 0)
        return -1;
    if ((*bars > 1 && step != interval_ms) || b.open_time_ms % interval_ms != 0) {
        fprintf(stderr, ME ": cannot resume: %s holds bars %lld ms apart, not the %lld ms interval asked\n",
                path, (long long)step, (long long)interval_ms);
        return -2;
    }
    return b.open_time_ms + interval_ms;
}

static int write_bars(eb_klines_t *k, FILE *out, long *written)
{
    eb_bar_t b;
    int64_t gap;
    while (eb_klines_take(k, &b, &gap)) {
        if (gap > 0)
            fprintf(stderr, ME ": the exchange has no bars for %lld interval(s) before %lld (gap kept)\n",
                    (long long)gap, (long long)b.open_time_ms);
        fprintf(out, "%lld,%.15g,%.15g,%.15g,%.15g,%.15g\n", (long long)b.open_time_ms, b.open, b.high, b.low, b.close,
                b.volume);
        (*written)++;
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

static void progress(eb_klines_t *k, long written, int64_t from_ms)
{
    int64_t newest = eb_klines_newest_open_ms(k);
    if (newest == INT64_MIN)
        return;
    time_t t = (time_t)(newest / 1000);
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    int64_t now = eb_clock_realtime_ms();
    double pct = now > from_ms ? 100.0 * (double)(newest - from_ms) / (double)(now - from_ms) : 100.0;
    fprintf(stderr, ME ": %ld bars written, up to %s UTC (%.1f%% of the way to now)\n", written, when,
            pct > 100 ? 100 : pct);
}

static int fetch(eb_klines_t *k, FILE *out, const fetch_opts_t *o, int64_t from_ms)
{
    long written = 0;
    uint64_t last_progress = 0;
    while (!eb_klines_caught_up(k)) {
        int64_t now = eb_clock_realtime_ms();
        if (eb_klines_poll(k, now) < 0) {
            fprintf(stderr, ME ": %s\n", eb_klines_error(k));
            if (eb_klines_stats(k)->consecutive_failures >= o->max_failures) {
                fprintf(stderr, ME ": giving up after %d failures in a row; %ld bars written (run again to resume)\n",
                        o->max_failures, written);
                return 1;
            }
        }
        if (write_bars(k, out, &written)) {
            fprintf(stderr, ME ": %s: write failed: %s\n", o->out, strerror(errno));
            return 1;
        }
        if (eb_klines_stats(k)->responses_ok != last_progress) {
            last_progress = eb_klines_stats(k)->responses_ok;
            progress(k, written, from_ms);
        }
        int64_t wait = eb_klines_next_due_ms(k) - eb_clock_realtime_ms();
        struct timespec ts = {0, (wait > 20 ? 20 : wait < 1 ? 1 : wait) * 1000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, ME ": done: %ld new bars in %s\n", written, o->out);
    return 0;
}

int eb_data_fetch_main(int argc, char **argv)
{
    fetch_opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        return rc;
    char err[512];
    eb_klines_t *k = eb_klines_new(&o.kc, err, sizeof err);
    if (!k) {
        fprintf(stderr, ME ": %s\n", err);
        return 2;
    }
    long have = 0;
    int need_header;
    int64_t start = resume_point(o.out, eb_klines_interval(k), &have, &need_header);
    if (start == -2 || (start == -1 && o.from_ms < 0)) {
        if (start == -1)
            fprintf(stderr, ME ": --from is required for a new file (%s is missing or empty)\n", o.out);
        eb_klines_free(k);
        return 2;
    }
    if (start >= 0)
        fprintf(stderr, ME ": %s holds %ld bars; resuming at %lld\n", o.out, have, (long long)start);
    if (start < 0 || o.from_ms > start)
        start = o.from_ms;
    /* The bars it holds plus the new ones go to a temp file renamed when complete: a full disk leaves the
     * old file as it was, never a line cut in half. Rows fetched before a network error are kept. */
    char ferr[4200];
    eb_file_out_t fo;
    size_t old_len = 0;
    char *old = !need_header ? eb_file_read_all(o.out, 0, 0, &old_len, ferr, sizeof ferr) : NULL;
    if ((!need_header && !old) || eb_file_out_open(&fo, o.out, 0644, ferr, sizeof ferr) != 0) {
        fprintf(stderr, ME ": %s\n", ferr);
        free(old);
        eb_klines_free(k);
        return 1;
    }
    if (old_len)
        fwrite(old, 1, old_len, fo.f); /* a failure sets the stream's error flag: commit refuses */
    free(old);
    if (need_header)
        fprintf(fo.f, "%s\n", EB_BARS_CSV_HEADER);
    eb_klines_start_at(k, start);
    rc = fetch(k, fo.f, &o, start);
    if (eb_file_out_commit(&fo, ferr, sizeof ferr) != 0) {
        eb_file_out_abort(&fo);
        fprintf(stderr, ME ": %s\n", ferr);
        rc = 1;
    }
    eb_klines_free(k);
    return rc;
}
