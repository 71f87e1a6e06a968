/* Backtest metrics of SPEC section 10 (definitions in docs/metrics.md). Pure: the caller passes arrays
 * and scratch space; NaN marks a value that is not defined (report.json writes null).
 *
 * Returns are simple per-bar returns of the equity curve, r_i = E_i / E_{i-1} - 1. Annualisation uses the
 * bar interval: P = 365 x 86 400 000 / interval_ms bars per year (crypto trades every day). */
#ifndef EB_CORE_METRICS_H
#define EB_CORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t returns;             /* n - 1 */
    double bars_per_year;       /* P */
    double total_return;        /* E_last / E_0 - 1 */
    double annual_return;       /* (E_last / E_0)^(P / returns) - 1 */
    double volatility;          /* sample sd(r) x sqrt(P) */
    double sharpe;              /* mean(r) / sd(r) x sqrt(P), risk-free rate 0 */
    double sortino;             /* mean(r) / sqrt(sum(min(r,0)^2) / returns) x sqrt(P) */
    double calmar;              /* annual_return / max_drawdown */
    double max_drawdown;        /* largest (peak - E) / peak, a fraction */
    double avg_drawdown;        /* mean of the deepest point of each drawdown episode */
    int64_t max_drawdown_duration_ms; /* longest episode: from its peak to recovery (or the last bar) */
    int64_t recovery_time_ms;   /* deepest episode: from its trough to recovery; -1 if not recovered */
    double var95, cvar95;       /* historical, per bar, as positive losses: k = ceil(5% of returns) worst */
    double alpha, beta;         /* against the benchmark's per-bar returns; alpha annualised (x P) */
} eb_equity_metrics_t;

typedef struct {
    size_t trades, wins, losses;     /* win: pnl > 0, loss: pnl < 0 */
    double win_rate, profit_factor;  /* gross profit / |gross loss| (NaN with no losing trade) */
    double gross_profit, gross_loss;
    double avg_win, avg_loss;        /* avg_loss is negative */
    double largest_win, largest_loss;
    double avg_pnl;
    double expectancy_r;             /* mean R multiple */
    double sqn;                      /* sqrt(trades) x mean(R) / sd(R) (sample sd; Van Tharp) */
} eb_trade_metrics_t;

/* Equity curve of n points at times t (ms) with the bar interval; bench (may be NULL) is the benchmark's
 * price at the same points (buy and hold of the traded pair). scratch holds n doubles. 0, or -1 when
 * n < 2, interval_ms <= 0 or an equity value is not > 0. */
int eb_metrics_equity(const int64_t *t, const double *equity, const double *bench, size_t n, int64_t interval_ms,
                      double *scratch, eb_equity_metrics_t *out);
void eb_metrics_trades(const double *pnl, const double *r_multiple, size_t n, eb_trade_metrics_t *out);
/* In-place ascending heap sort (no allocation; O(n log n) worst case). */
void eb_metrics_sort(double *x, size_t n);

#endif
