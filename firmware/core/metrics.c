#include "core/metrics.h"

#include <math.h>
#include <string.h>

#define YEAR_MS (365.0 * 86400000.0)

static void sift_down(double *x, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && x[child + 1] > x[child])
            child++;
        if (x[root] >= x[child])
            return;
        double tmp = x[root];
        x[root] = x[child];
        x[child] = tmp;
        root = child;
    }
}

void eb_metrics_sort(double *x, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(x, i, n);
    for (size_t end = n; end-- > 1;) {
        double tmp = x[0];
        x[0] = x[end];
        x[end] = tmp;
        sift_down(x, 0, end);
    }
}

/* Drawdown episodes: from a peak until the equity is back at or above it. */
static void drawdowns(const int64_t *t, const double *e, size_t n, eb_equity_metrics_t *m)
{
    double peak = e[0], depth = 0, sum_depth = 0;
    int64_t peak_t = t[0], trough_t = t[0], max_trough_t = t[0];
    size_t episodes = 0;
    int in_dd = 0;
    m->max_drawdown = 0;
    m->max_drawdown_duration_ms = 0;
    m->recovery_time_ms = 0;
    for (size_t i = 1; i <= n; i++) {
        int end = i == n;
        if (end || e[i] >= peak) {
            if (in_dd) {
                int64_t until = end ? t[n - 1] : t[i];
                episodes++;
                sum_depth += depth;
                if (until - peak_t > m->max_drawdown_duration_ms)
                    m->max_drawdown_duration_ms = until - peak_t;
                if (depth >= m->max_drawdown && depth > 0)
                    m->recovery_time_ms = end ? -1 : until - max_trough_t;
            }
            if (end)
                break;
            peak = e[i];
            peak_t = t[i];
            in_dd = 0;
            depth = 0;
            continue;
        }
        double d = (peak - e[i]) / peak;
        in_dd = 1;
        if (d > depth) {
            depth = d;
            trough_t = t[i];
        }
        if (d > m->max_drawdown) {
            m->max_drawdown = d;
            max_trough_t = trough_t;
        }
    }
    m->avg_drawdown = episodes ? sum_depth / (double)episodes : 0;
}

static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return n ? s / (double)n : NAN;
}

static void tail_risk(double *r, size_t n, eb_equity_metrics_t *m)
{
    eb_metrics_sort(r, n);
    size_t k = (n * 5 + 99) / 100; /* ceil(5% of n), at least 1 when n >= 1 */
    m->var95 = -r[k - 1];
    m->cvar95 = -mean_of(r, k);
}

static void against_bench(const double *r, const double *bench, size_t n, double P, eb_equity_metrics_t *m)
{
    double mr = mean_of(r, n), mb = 0, cov = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mb += bench[i + 1] / bench[i] - 1;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double b = bench[i + 1] / bench[i] - 1 - mb;
        cov += (r[i] - mr) * b;
        var += b * b;
    }
    m->beta = var > 0 ? cov / var : NAN;
    m->alpha = var > 0 ? (mr - m->beta * mb) * P : NAN;
}

int eb_metrics_equity(const int64_t *t, const double *equity, const double *bench, size_t n, int64_t interval_ms,
                      double *scratch, eb_equity_metrics_t *m)
{
    if (!t || !equity || !scratch || !m || n < 2 || interval_ms <= 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(equity[i] > 0) || !isfinite(equity[i]))
            return -1;
    memset(m, 0, sizeof *m);
    size_t nr = n - 1;
    double P = YEAR_MS / (double)interval_ms;
    double *r = scratch;
    for (size_t i = 0; i < nr; i++)
        r[i] = equity[i + 1] / equity[i] - 1;
    double mean = mean_of(r, nr), ss = 0, down = 0;
    for (size_t i = 0; i < nr; i++) {
        ss += (r[i] - mean) * (r[i] - mean);
        down += r[i] < 0 ? r[i] * r[i] : 0;
    }
    double sd = nr > 1 ? sqrt(ss / (double)(nr - 1)) : NAN, dd = sqrt(down / (double)nr);
    m->returns = nr;
    m->bars_per_year = P;
    m->total_return = equity[n - 1] / equity[0] - 1;
    m->annual_return = pow(equity[n - 1] / equity[0], P / (double)nr) - 1;
    m->volatility = sd * sqrt(P);
    m->sharpe = sd > 0 ? mean / sd * sqrt(P) : NAN;
    m->sortino = dd > 0 ? mean / dd * sqrt(P) : NAN;
    if (bench)
        against_bench(r, bench, nr, P, m);
    else
        m->alpha = m->beta = NAN;
    drawdowns(t, equity, n, m);
    m->calmar = m->max_drawdown > 0 ? m->annual_return / m->max_drawdown : NAN;
    tail_risk(r, nr, m); /* sorts r: last */
    return 0;
}

void eb_metrics_trades(const double *pnl, const double *rm, size_t n, eb_trade_metrics_t *m)
{
    memset(m, 0, sizeof *m);
    m->trades = n;
    m->largest_win = m->largest_loss = NAN;
    double sum = 0, rsum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += pnl[i];
        rsum += rm[i];
        if (pnl[i] > 0) {
            m->wins++;
            m->gross_profit += pnl[i];
            m->largest_win = isnan(m->largest_win) || pnl[i] > m->largest_win ? pnl[i] : m->largest_win;
        } else if (pnl[i] < 0) {
            m->losses++;
            m->gross_loss += pnl[i];
            m->largest_loss = isnan(m->largest_loss) || pnl[i] < m->largest_loss ? pnl[i] : m->largest_loss;
        }
    }
    m->win_rate = n ? (double)m->wins / (double)n : NAN;
    m->profit_factor = m->losses ? m->gross_profit / -m->gross_loss : NAN;
    m->avg_win = m->wins ? m->gross_profit / (double)m->wins : NAN;
    m->avg_loss = m->losses ? m->gross_loss / (double)m->losses : NAN;
    m->avg_pnl = n ? sum / (double)n : NAN;
    m->expectancy_r = n ? rsum / (double)n : NAN;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (rm[i] - m->expectancy_r) * (rm[i] - m->expectancy_r);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
    m->sqn = n > 1 && sd > 0 ? sqrt((double)n) * m->expectancy_r / sd : NAN;
}
