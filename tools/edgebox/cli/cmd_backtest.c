/* edgebox backtest: the core engine over a bar file; writes report.json, equity.csv and report.html. */
#include "tools/edgebox/report/report.h"
#include "tools/edgebox/cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

EB_COMMAND(backtest, "run the trading engine over bars: report.json, equity.csv, report.html")

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox backtest --config C (--model M | --signal S) --in BARS.csv --out DIR\n"
                 "  --model M    a compiled .ebm blob or an XGBoost JSON / LightGBM text model (its feature\n"
                 "               schema hash must match the config's features)\n"
                 "  --signal S   model-free: always-long, always-short, random:SEED, file:F (CSV\n"
                 "               open_time_ms,signal with -1/0/1)\n"
                 "  fills (docs/engine.md): next bar's open +/- costs.slippage_bps, fee costs.taker_fee_bps;\n"
                 "  stops inside the bar, costs.stop_extreme_fraction of the way to the bar's extreme beyond\n"
                 "  them (0: at the stop); spot entries reserve costs.entry_gap_bps for the next open's gap\n");
}

int cmd_backtest(int argc, char **argv)
{
    static const struct option opts[] = {{"config", 1, 0, 'c'}, {"model", 1, 0, 'm'}, {"signal", 1, 0, 's'},
                                         {"in", 1, 0, 'i'},     {"out", 1, 0, 'o'},   {"help", 0, 0, 'h'},
                                         {0, 0, 0, 0}};
    eb_backtest_opts_t o;
    memset(&o, 0, sizeof o);
    const char *signal = NULL, *out = NULL;
    char err[1024];
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; break;
        case 'm': o.model_path = optarg; break;
        case 's': signal = optarg; break;
        case 'i': o.bars_path = optarg; break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !o.config_path || !o.bars_path || !out || !o.model_path == !signal) {
        fprintf(stderr, "edgebox backtest: %s\n",
                optind < argc ? "unexpected argument" : !o.model_path == !signal ? "give exactly one of --model and --signal"
                                                                                 : "--config, --in and --out are required");
        usage(stderr);
        return 2;
    }
    eb_config_default(&o.cfg);
    if (eb_config_load(o.config_path, &o.cfg, err, sizeof err) != 0 ||
        (signal && eb_backtest_parse_signal(signal, &o, err, sizeof err) != 0)) {
        fprintf(stderr, "edgebox backtest: %s\n", err);
        return 2;
    }
    eb_backtest_result_t r;
    if (eb_backtest_run(&o, &r, err, sizeof err) != 0) {
        fprintf(stderr, "edgebox backtest: %s\n", err);
        return 1;
    }
    int rc = eb_report_write(&o, &r, out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "edgebox backtest: %s\n", err);
    else
        printf("%zu bars, %zu trades, final equity %.2f, max drawdown %.2f%%, expectancy %.3f R -> %s/report.json\n",
               r.npoints, r.ntrades, r.final_equity, r.metrics_ok ? r.em.max_drawdown * 100 : 0.0, r.tm.expectancy_r,
               out);
    eb_backtest_free(&r);
    return rc ? 1 : 0;
}
