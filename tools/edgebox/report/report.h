/* The backtest's report (SPEC section 10, seed 000): report.json, equity.csv and a self-contained
 * report.html with the equity, drawdown and monthly-return charts. */
#ifndef EB_TOOLS_REPORT_REPORT_H
#define EB_TOOLS_REPORT_REPORT_H

#include "tools/edgebox/backtest/backtest.h"

#include <stdio.h>

/* DIR/report.json, DIR/equity.csv, DIR/report.html (the directory is created if missing). */
int eb_report_write(const eb_backtest_opts_t *o, const eb_backtest_result_t *r, const char *dir, char *err,
                    size_t cap);
/* The pieces (used by eb_report_write; FILE-level so tests can write to memory). */
int eb_report_json(FILE *f, const eb_backtest_opts_t *o, const eb_backtest_result_t *r);
int eb_report_equity_csv(FILE *f, const eb_backtest_result_t *r);
int eb_report_html(FILE *f, const eb_backtest_opts_t *o, const eb_backtest_result_t *r);

/* Monthly returns (UTC calendar months) of the equity curve: month i is "YYYY-MM" in label[i] and its
 * return from the last equity of the previous month (the first point for the first month). Returns the
 * count written (at most cap). */
size_t eb_report_monthly(const eb_backtest_result_t *r, char (*label)[16], double *ret, size_t cap);

#endif
