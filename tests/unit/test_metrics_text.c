/* The Prometheus text writer: the exact form of families, samples, labels (escaped), histograms
 * (cumulative buckets, +Inf, _sum, _count), special values; and every convention promtool checks is
 * refused where the metric is declared, with the name in the error, nothing further written. */
#include "app/http/metrics_text.h"
#include "tests/support/check.h"

#include <math.h>
#include <string.h>

static char buf[4096];

TEST(form)
{
    eb_metrics_text_t w;
    eb_mt_init(&w, buf, sizeof buf);
    eb_mt_family(&w, "edgebox_bars_total", EB_METRIC_COUNTER, "Bars seen.\nTwo lines \\ one slash.");
    eb_mt_sample_u64(&w, 42, NULL);
    eb_mt_family(&w, "edgebox_data_age_seconds", EB_METRIC_GAUGE, "Age of the last bar.");
    const char *labels[] = {"symbol", "BTC\"USDT\\\n", NULL};
    eb_mt_sample(&w, 1.5, labels);
    eb_mt_sample(&w, NAN, NULL);
    eb_mt_sample(&w, -INFINITY, NULL);
    CHECK_EQ_INT(eb_mt_finish(&w), 0);
    CHECK_EQ_STR(buf, "# HELP edgebox_bars_total Bars seen.\\nTwo lines \\\\ one slash.\n"
                      "# TYPE edgebox_bars_total counter\n"
                      "edgebox_bars_total 42\n"
                      "# HELP edgebox_data_age_seconds Age of the last bar.\n"
                      "# TYPE edgebox_data_age_seconds gauge\n"
                      "edgebox_data_age_seconds{symbol=\"BTC\\\"USDT\\\\\\n\"} 1.5\n"
                      "edgebox_data_age_seconds NaN\n"
                      "edgebox_data_age_seconds -Inf\n");
    CHECK_EQ_INT(w.len, strlen(buf));
}

TEST(histogram)
{
    eb_metrics_text_t w;
    eb_mt_init(&w, buf, sizeof buf);
    eb_mt_family(&w, "edgebox_decision_seconds", EB_METRIC_HISTOGRAM, "Bar to decision.");
    const double b[] = {0.001, 0.01};
    const uint64_t c[] = {5, 3, 2};
    const char *labels[] = {"stage", "model", NULL};
    eb_mt_histogram(&w, b, c, 2, 0.125, labels);
    CHECK_EQ_INT(eb_mt_finish(&w), 0);
    CHECK_EQ_STR(buf, "# HELP edgebox_decision_seconds Bar to decision.\n"
                      "# TYPE edgebox_decision_seconds histogram\n"
                      "edgebox_decision_seconds_bucket{stage=\"model\",le=\"0.001\"} 5\n"
                      "edgebox_decision_seconds_bucket{stage=\"model\",le=\"0.01\"} 8\n"
                      "edgebox_decision_seconds_bucket{stage=\"model\",le=\"+Inf\"} 10\n"
                      "edgebox_decision_seconds_sum{stage=\"model\"} 0.125\n"
                      "edgebox_decision_seconds_count{stage=\"model\"} 10\n");
    /* le in its shortest exact form (%.17g would print 1.0000000000000001e-05), still the same double */
    eb_mt_init(&w, buf, sizeof buf);
    eb_mt_family(&w, "edgebox_small_seconds", EB_METRIC_HISTOGRAM, "Small bounds.");
    const double sb[] = {1e-5, 5e-4, 0.1 + 0.2};
    const uint64_t sc[] = {1, 0, 0, 0};
    eb_mt_histogram(&w, sb, sc, 3, 0, NULL);
    CHECK_EQ_INT(eb_mt_finish(&w), 0);
    CHECK(strstr(buf, "edgebox_small_seconds_bucket{le=\"1e-05\"} 1\n") != NULL);
    CHECK(strstr(buf, "edgebox_small_seconds_bucket{le=\"0.0005\"} 1\n") != NULL);
    CHECK(strstr(buf, "edgebox_small_seconds_bucket{le=\"0.30000000000000004\"} 1\n") != NULL);
}

struct refusal { const char *name; eb_metric_type_t type; const char *help; const char *err_has; };

TEST(refusals_name_the_metric)
{
    const struct refusal cases[] = {
        {"edgebox_bars", EB_METRIC_COUNTER, "h", "counter name must end in _total"},
        {"edgebox_open_total", EB_METRIC_GAUGE, "h", "only counters end in _total"},
        {"edgebox_latency_ms", EB_METRIC_GAUGE, "h", "base unit"},
        {"edgebox_latency_ms_total", EB_METRIC_COUNTER, "h", "base unit"},
        {"edgebox_heap_kb", EB_METRIC_GAUGE, "h", "base unit"},
        {"edgebox_uptime_minutes", EB_METRIC_GAUGE, "h", "base unit"},
        {"edgeboxBars", EB_METRIC_GAUGE, "h", "snake_case"},
        {"edgebox-bars", EB_METRIC_GAUGE, "h", "snake_case"},
        {"9lives", EB_METRIC_GAUGE, "h", "must start with"},
        {"", EB_METRIC_GAUGE, "h", "must start with"},
        {"edgebox_x_bucket", EB_METRIC_GAUGE, "h", "belong to histograms"},
        {"edgebox_x", EB_METRIC_GAUGE, "", "needs a HELP"},
        {"edgebox_x", EB_METRIC_GAUGE, NULL, "needs a HELP"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eb_metrics_text_t w;
        eb_mt_init(&w, buf, sizeof buf);
        eb_mt_family(&w, cases[i].name, cases[i].type, cases[i].help);
        eb_mt_sample(&w, 1, NULL);
        CHECK_MSG(eb_mt_finish(&w) == -1 && strstr(w.err, cases[i].err_has) && strstr(w.err, cases[i].name) &&
                      w.len == 0,
                  "case %zu '%s': err '%s', %zu bytes written", i, cases[i].name, w.err, w.len);
    }
    /* labels: bad names, le outside histograms, a missing value */
    const char *const bad_labels[][3] = {{"le", "1", NULL}, {"__name", "x", NULL}, {"a-b", "x", NULL}, {"k", NULL, NULL}};
    for (size_t i = 0; i < 4; i++) {
        eb_metrics_text_t w;
        eb_mt_init(&w, buf, sizeof buf);
        eb_mt_family(&w, "edgebox_x", EB_METRIC_GAUGE, "h");
        eb_mt_sample(&w, 1, bad_labels[i]);
        CHECK_MSG(eb_mt_finish(&w) == -1 && strstr(w.err, bad_labels[i][0]), "label case %zu: '%s'", i, w.err);
    }
    eb_metrics_text_t w;
    eb_mt_init(&w, buf, sizeof buf);
    eb_mt_sample(&w, 1, NULL);
    CHECK(eb_mt_finish(&w) == -1 && strstr(w.err, "before its family"));
    eb_mt_init(&w, buf, sizeof buf);
    eb_mt_family(&w, "edgebox_x", EB_METRIC_GAUGE, "h");
    eb_mt_histogram(&w, (const double[]){1}, (const uint64_t[]){1, 1}, 1, 1, NULL);
    CHECK(eb_mt_finish(&w) == -1 && strstr(w.err, "histogram samples in a non-histogram"));
    eb_mt_init(&w, buf, sizeof buf);
    eb_mt_family(&w, "edgebox_h_seconds", EB_METRIC_HISTOGRAM, "h");
    eb_mt_histogram(&w, (const double[]){2, 1}, (const uint64_t[]){1, 1, 1}, 2, 1, NULL);
    CHECK(eb_mt_finish(&w) == -1 && strstr(w.err, "ascend"));
}

TEST(overflow_is_an_error)
{
    char small[64];
    eb_metrics_text_t w;
    eb_mt_init(&w, small, sizeof small);
    eb_mt_family(&w, "edgebox_a_rather_long_metric_name_total", EB_METRIC_COUNTER, "A long help text too.");
    eb_mt_sample_u64(&w, 1, NULL);
    CHECK_EQ_INT(eb_mt_finish(&w), -1);
    CHECK(strstr(w.err, "output over 64 bytes") != NULL);
    CHECK(w.len < sizeof small && strlen(small) == w.len);
}

int main(void)
{
    RUN(form);
    RUN(histogram);
    RUN(refusals_name_the_metric);
    RUN(overflow_is_an_error);
    return eb_check_report();
}
