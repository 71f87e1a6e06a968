/* edgebox indicators: the streaming indicators of SPEC section 3 over a bar CSV, one row per bar. */
#include "app/bars_csv.h"
#include "core/ind_atr.h"
#include "core/ind_bbands.h"
#include "core/ind_ema.h"
#include "core/ind_ichimoku.h"
#include "core/ind_rsi.h"
#include "core/ind_sma.h"
#include "tools/edgebox/cli/commands.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EB_COMMAND(indicators, "streaming indicators (RSI, ATR, SMA, EMA, Bollinger, Ichimoku) of a bar CSV, as CSV")

typedef struct {
    int rsi, atr, sma, ema, bb, ich[4];
    double bb_k;
} ind_opts_t;

typedef struct {
    eb_rsi_t rsi;
    eb_atr_t atr;
    eb_ema_t ema;
    eb_sma_t *sma;
    eb_bbands_t *bb;
    eb_ichimoku_t *ich;
} ind_state_t;

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox indicators --in BARS.csv [--rsi 14] [--atr 14] [--sma 20] [--ema 20] [--bb 20,2]\n"
                 "                          [--ichimoku 9,26,52,26]\n"
                 "  prints open_time_ms,rsi,atr,sma,ema,bb_upper,bb_middle,bb_lower,tenkan,kijun,senkou_a,senkou_b\n"
                 "  (senkou_a/b: the cloud at bar t), one row per bar, empty where not defined yet;\n"
                 "  rows are taken in file order (gaps reported on stderr, not filled). Periods 1..100000.\n");
}

/* "a,b,..." into n ints (each 1..100000; the last of the Ichimoku's may be 0). */
static int parse_ints(const char *s, int *v, int n)
{
    for (int i = 0; i < n; i++) {
        char *end;
        long x = strtol(s, &end, 10);
        if (end == s || x < 0 || x > 100000 || (x == 0 && !(n == 4 && i == 3)))
            return -1;
        v[i] = (int)x;
        if (i < n - 1 && *end != ',')
            return -1;
        s = end + 1;
        if (i == n - 1 && *end)
            return -1;
    }
    return 0;
}

static int parse_bb(const char *s, ind_opts_t *o)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (end == s || *end != ',' || n < 1 || n > 100000)
        return -1;
    o->bb = (int)n;
    o->bb_k = strtod(end + 1, &end);
    return *end || !(o->bb_k >= 0 && o->bb_k <= 100) ? -1 : 0;
}

static int parse_opts(int argc, char **argv, ind_opts_t *o, const char **in)
{
    static const struct option opts[] = {{"in", 1, 0, 'i'},  {"rsi", 1, 0, 'r'}, {"atr", 1, 0, 'a'},
                                         {"sma", 1, 0, 's'}, {"ema", 1, 0, 'e'}, {"bb", 1, 0, 'b'},
                                         {"ichimoku", 1, 0, 'k'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    *o = (ind_opts_t){14, 14, 20, 20, 20, {9, 26, 52, 26}, 2.0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'i': *in = optarg; break;
        case 'r': bad = parse_ints(optarg, &o->rsi, 1); break;
        case 'a': bad = parse_ints(optarg, &o->atr, 1); break;
        case 's': bad = parse_ints(optarg, &o->sma, 1); break;
        case 'e': bad = parse_ints(optarg, &o->ema, 1); break;
        case 'b': bad = parse_bb(optarg, o); break;
        case 'k': bad = parse_ints(optarg, o->ich, 4); break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
        if (bad) {
            /* the option's name from the table itself (a parallel letter list named --ema for --bb) */
            const struct option *opt = opts;
            while (opt->name && opt->val != c)
                opt++;
            fprintf(stderr, "edgebox indicators: --%s: '%s' is not allowed (periods 1..100000%s)\n",
                    opt->name ? opt->name : "?", optarg,
                    c == 'b' ? ", as N,K with 0 <= K <= 100" : c == 'k' ? ", as T,K,S,D with D >= 0" : "");
            return 2;
        }
    }
    if (!*in || optind < argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static void cell(double v)
{
    if (isnan(v))
        fputs(",", stdout);
    else
        printf(",%.17g", v);
}

static int init_state(ind_state_t *s, const ind_opts_t *o)
{
    eb_ichimoku_params_t ip = {o->ich[0], o->ich[1], o->ich[2], o->ich[3]};
    eb_rsi_init(&s->rsi, o->rsi);
    eb_atr_init(&s->atr, o->atr);
    eb_ema_init(&s->ema, o->ema);
    s->sma = eb_sma_init(malloc(eb_sma_size(o->sma)), o->sma);
    s->bb = eb_bbands_init(malloc(eb_bbands_size(o->bb)), o->bb, o->bb_k);
    s->ich = eb_ichimoku_init(malloc(eb_ichimoku_size(&ip)), &ip);
    return s->sma && s->bb && s->ich ? 0 : -1;
}

static void free_state(ind_state_t *s)
{
    free(s->sma);
    free(s->bb);
    free(s->ich);
}

static void print_row(ind_state_t *s, const eb_bar_t *b)
{
    printf("%" PRId64, b->open_time_ms);
    cell(eb_rsi_step(&s->rsi, b->close));
    cell(eb_atr_step(&s->atr, b->high, b->low, b->close));
    cell(eb_sma_step(s->sma, b->close));
    cell(eb_ema_step(&s->ema, b->close));
    eb_bbands_value_t bb = eb_bbands_step(s->bb, b->close);
    cell(bb.upper), cell(bb.middle), cell(bb.lower);
    eb_ichimoku_value_t ich = eb_ichimoku_step(s->ich, b->high, b->low);
    cell(ich.tenkan), cell(ich.kijun), cell(ich.senkou_a), cell(ich.senkou_b);
    putchar('\n');
}

int cmd_indicators(int argc, char **argv)
{
    ind_opts_t o;
    const char *in = NULL;
    int rc = parse_opts(argc, argv, &o, &in);
    if (rc)
        return rc == 1 ? 0 : rc;
    eb_bars_csv_t r;
    if (eb_bars_csv_open(&r, in) != 0) {
        fprintf(stderr, "edgebox indicators: %s\n", r.err);
        return 1;
    }
    ind_state_t s;
    if (init_state(&s, &o) != 0) {
        fprintf(stderr, "edgebox indicators: out of memory\n");
        free_state(&s);
        eb_bars_csv_close(&r);
        return 1;
    }
    puts("open_time_ms,rsi,atr,sma,ema,bb_upper,bb_middle,bb_lower,tenkan,kijun,senkou_a,senkou_b");
    eb_bar_t b;
    int st;
    while ((st = eb_bars_csv_next(&r, &b)) == 1) {
        if (r.gap_bars > 0)
            fprintf(stderr, "edgebox indicators: %s:%ld: gap: %ld bar(s) missing after %" PRId64 " (not filled)\n",
                    r.name, r.line, r.gap_bars, r.gap_from_ms);
        print_row(&s, &b);
    }
    if (st < 0)
        fprintf(stderr, "edgebox indicators: %s\n", r.err);
    free_state(&s);
    eb_bars_csv_close(&r);
    return st < 0 ? 1 : 0;
}
