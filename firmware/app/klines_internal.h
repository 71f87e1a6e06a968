/* The klines client's state, shared by klines.c (transfer, schedule) and klines_accept.c (pages). */
#ifndef EB_APP_KLINES_INTERNAL_H
#define EB_APP_KLINES_INTERNAL_H

#include "app/klines.h"

#include <curl/curl.h>

#define EB_KLINES_NONE INT64_MIN

typedef struct {
    eb_bar_t bar;
    int64_t gap;
} eb_klines_item_t;

struct eb_klines {
    eb_klines_config_t cfg;
    char base[208], symbol[24], interval_name[8], ca_file[256];
    int64_t interval_ms;
    CURLM *multi;
    CURL *easy;
    char url[512];
    char *body;             /* body_cap bytes */
    size_t body_len;
    int body_over;
    int64_t retry_after_ms; /* -1 none; <= -2: an HTTP date (see retry_after()) */
    int64_t date_ms;        /* the response's Date header; EB_KLINES_NONE when absent */
    eb_kline_t *page;       /* limit klines */
    eb_klines_item_t *q;    /* ring of qcap = 2 * limit */
    size_t qcap, qhead, qlen;
    int64_t next_open;      /* open time of the next bar wanted */
    int64_t newest_open;    /* newest bar queued */
    int64_t req_start;      /* startTime of the request in flight */
    int64_t gap_retry_from; /* expected open time whose gap was already asked again */
    int64_t next_at, hold_until, last_now;
    int in_flight, caught_up;
    eb_klines_stats_t st;
    char err[1024];
};

/* Schedules the retry after a failure; the message goes to k->err. Returns -1. */
int eb_klines_fail(eb_klines_t *k, int64_t now, int64_t delay_ms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A 200 response in k->body: parse, check against the request, queue the closed bars, schedule. */
int eb_klines_accept_body(eb_klines_t *k, int64_t now);

#endif
