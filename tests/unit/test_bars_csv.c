/* The bar CSV reader: good files, gaps, and every kind of bad input refused with file, line and field. */
#include "app/bars_csv.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <string.h>

#define HDR "open_time_ms,open,high,low,close,volume\n"

/* Reads text to the end; returns the last status, *bars the bars read, err the message. */
static int read_all(const char *text, long *bars, char *err, size_t cap, long *gaps)
{
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    eb_bars_csv_t r;
    int st = eb_bars_csv_open_stream(&r, fp, "t.csv");
    eb_bar_t b;
    *bars = 0;
    if (gaps)
        *gaps = 0;
    while (st == 0 && (st = eb_bars_csv_next(&r, &b)) == 1) {
        ++*bars;
        if (gaps)
            *gaps += r.gap_bars;
        st = 0;
    }
    snprintf(err, cap, "%s", r.err);
    fclose(fp);
    return st;
}

TEST(good_file_with_gaps_and_crlf)
{
    const char *text = HDR "1000,10,11,9,10.5,3\n"
                           "2000,10.5,10.5,10.5,10.5,0\r\n" /* zero-range, zero volume: fine */
                           "5000,10,12,9.5,11,1e2\n";       /* two bars missing */
    long n, gaps;
    char err[1024];
    CHECK_EQ_INT(read_all(text, &n, err, sizeof err, &gaps), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(gaps, 2);
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    eb_bars_csv_t r;
    eb_bar_t b;
    eb_bars_csv_open_stream(&r, fp, "t.csv");
    eb_bars_csv_next(&r, &b);
    CHECK(b.open_time_ms == 1000 && b.open == 10 && b.high == 11 && b.low == 9 && b.close == 10.5 && b.volume == 3);
    fclose(fp);
}

static void refused(const char *text, const char *want)
{
    long n;
    char err[1024];
    int st = read_all(text, &n, err, sizeof err, NULL);
    CHECK_MSG(st == -1 && strstr(err, want) != NULL, "expected '%s', got status %d '%s'", want, st, err);
}

TEST(bad_input_names_line_and_field)
{
    refused("open_time,open,high,low,close,volume\n1,1,1,1,1,1\n", "t.csv:1: field 'header'");
    refused("", "t.csv:1: empty file");
    refused(HDR "1000,10,11,9,abc,3\n", "t.csv:2: field 'close': 'abc' is not a finite number");
    refused(HDR "1000,10,11,9,10,3\n12x,10,11,9,10,3\n", "t.csv:3: field 'open_time_ms': '12x'");
    refused(HDR "1000,10,11,9,10,3\n1000,10,11,9,10,3\n", "t.csv:3: field 'open_time_ms': 1000 duplicates");
    refused(HDR "2000,10,11,9,10,3\n1000,10,11,9,10,3\n", "t.csv:3: field 'open_time_ms': 1000 is before");
    refused(HDR "1000,10,9,11,10,3\n", "t.csv:2: field 'high': high is below low");
    refused(HDR "1000,10,11,9,10,-3\n", "t.csv:2: field 'volume': volume is negative");
    refused(HDR "1000,10,11,9,10\n", "t.csv:2: field 'volume': missing");
    refused(HDR "1000,10,11,9,10,3,7\n", "t.csv:2: field 'volume': followed by ',7'");
    refused(HDR "1000,nan,11,9,10,3\n", "t.csv:2: field 'open': 'nan' is not a finite number");
    refused(HDR "1000,10,11,9,,3\n", "t.csv:2: field 'close': '' is not a finite number");
    refused(HDR "1000,12,11,9,10,3\n", "t.csv:2: field 'open': open and close must lie within");
    refused(HDR "1000,0,0,0,0,3\n", "t.csv:2: field 'open': prices must be > 0");
    refused(HDR "\n", "t.csv:2: field 'open_time_ms': '' is not");
}

TEST(overlong_line_and_missing_file)
{
    static char text[2048];
    snprintf(text, sizeof text, "%s1000,10,11,9,10,3%0900d\n", HDR, 0);
    refused(text, "t.csv:2: line longer than 512");
    eb_bars_csv_t r;
    CHECK_EQ_INT(eb_bars_csv_open(&r, "/nonexistent/bars.csv"), -1);
    CHECK(strstr(r.err, "/nonexistent/bars.csv: No such file") != NULL);
}

/* Issue 11 item 10: one bar 1 ms off the grid, a NUL byte, a directory (each said as it is). */
TEST(off_grid_nul_and_directory)
{
    refused(HDR "0,10,11,9,10,3\n300000,10,11,9,10,3\n600001,10,11,9,10,3\n900000,10,11,9,10,3\n",
            "t.csv:4: field 'open_time_ms': 600001 is off the bars' grid");
    refused(HDR "0,10,11,9,10,3\n300001,10,11,9,10,3\n600000,10,11,9,10,3\n", "t.csv:4: field 'open_time_ms'");
    /* a gap of whole intervals and a file starting after a gap stay fine */
    long n, gaps;
    char err[1024];
    CHECK_EQ_INT(read_all(HDR "0,10,11,9,10,3\n900000,10,11,9,10,3\n1200000,10,11,9,10,3\n", &n, err, sizeof err,
                          &gaps), 0);
    CHECK_EQ_INT(n, 3);
    static const char nul[] = HDR "0,10,11,9,10,3\n300000,10,1\0,9,10,3\n";
    FILE *fp = fmemopen((void *)nul, sizeof nul - 1, "r");
    eb_bars_csv_t r;
    eb_bar_t b;
    CHECK_EQ_INT(eb_bars_csv_open_stream(&r, fp, "t.csv"), 0);
    CHECK_EQ_INT(eb_bars_csv_next(&r, &b), 1);
    CHECK_EQ_INT(eb_bars_csv_next(&r, &b), -1);
    CHECK_MSG(strstr(r.err, "t.csv:3: NUL byte at line 3") != NULL, "%s", r.err);
    fclose(fp);
    CHECK_EQ_INT(eb_bars_csv_open(&r, "/tmp"), -1);
    CHECK_MSG(strstr(r.err, "/tmp: is a directory") != NULL, "%s", r.err);
}

int main(void)
{
    RUN(off_grid_nul_and_directory);
    RUN(good_file_with_gaps_and_crlf);
    RUN(bad_input_names_line_and_field);
    RUN(overlong_line_and_missing_file);
    return eb_check_report();
}
