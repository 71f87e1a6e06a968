/* What a valid page of klines does to the client: which bars are closed, gaps, the queue and when to ask
 * next (rules in klines.h). Nothing changes until the whole page has passed every check. */
#include "app/klines_internal.h"

#include <stdio.h>

/* Checks of the page against the request (the parser checked the page on its own). */
static int check_page(eb_klines_t *k, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        int64_t off = k->page[i].bar.open_time_ms - k->req_start;
        if (off < 0 || off % k->interval_ms != 0) {
            k->st.refused++;
            return eb_klines_fail(k, now, -1, "GET %s: kline %zu opens at %lld, not on the interval grid from startTime %lld: refused",
                                  k->url, i, (long long)k->page[i].bar.open_time_ms, (long long)k->req_start);
        }
    }
    return 0;
}

static int is_closed(const eb_klines_t *k, size_t i, size_t n, int64_t now)
{
    int64_t close = k->page[i].close_time_ms;
    int exchange_says = i + 1 < n || (k->date_ms != EB_KLINES_NONE && close < k->date_ms);
    return close < now && exchange_says;
}

static void push(eb_klines_t *k, const eb_bar_t *bar, int64_t gap)
{
    size_t at = (k->qhead + k->qlen) % k->qcap;
    k->q[at].bar = *bar;
    k->q[at].gap = gap;
    k->qlen++;
    k->newest_open = bar->open_time_ms;
    k->next_open = bar->open_time_ms + k->interval_ms;
    k->st.bars_delivered++;
}

/* Queues the closed bars in order. Returns the count; *stop: 1 at an open bar or the end, 2 at a gap seen
 * for the first time (ask again from the expected open time). */
static int take_closed(eb_klines_t *k, size_t n, int64_t now, int *stop)
{
    int added = 0;
    *stop = 0;
    for (size_t i = 0; i < n; i++) {
        const eb_bar_t *b = &k->page[i].bar;
        if (b->open_time_ms < k->next_open)
            continue; /* asked from a time inside a page already queued: never twice */
        if ((k->cfg.end_ms > 0 && b->open_time_ms >= k->cfg.end_ms) || !is_closed(k, i, n, now)) {
            *stop = 1;
            break;
        }
        int64_t gap = (b->open_time_ms - k->next_open) / k->interval_ms;
        if (gap > 0 && k->gap_retry_from != k->next_open) {
            k->gap_retry_from = k->next_open;
            k->st.gaps_seen++;
            *stop = 2;
            break;
        }
        if (gap > 0) {
            k->st.gaps_accepted++;
            k->st.missing_bars += (uint64_t)gap;
        } else if (k->gap_retry_from == k->next_open) {
            k->st.gaps_backfilled++;
        }
        k->gap_retry_from = EB_KLINES_NONE;
        push(k, b, gap);
        added++;
    }
    return added;
}

int eb_klines_accept_body(eb_klines_t *k, int64_t now)
{
    size_t n = 0;
    char why[512];
    if (eb_klines_parse(k->body, k->body_len, k->interval_ms, (size_t)k->cfg.limit, k->page, &n, why, sizeof why)) {
        k->st.refused++;
        return eb_klines_fail(k, now, -1, "GET %s: refused: %s", k->url, why);
    }
    if (check_page(k, n, now))
        return -1;
    k->st.responses_ok++;
    k->st.consecutive_failures = 0;
    k->err[0] = 0;
    int stop;
    int added = take_closed(k, n, now, &stop);
    if (stop == 2 || (stop == 0 && n == (size_t)k->cfg.limit && added > 0)) {
        k->caught_up = 0; /* a gap to ask again, or a full page: more may follow at once */
        k->next_at = now;
        return added;
    }
    k->caught_up = 1;
    if (k->cfg.end_ms > 0 && k->next_open >= k->cfg.end_ms) {
        k->next_at = INT64_MAX; /* everything before the end is in */
        return added;
    }
    int64_t close_next = k->next_open + k->interval_ms; /* when the next bar wanted closes */
    k->next_at = close_next + k->cfg.settle_ms > now ? close_next + k->cfg.settle_ms : now + k->cfg.repoll_ms;
    return added;
}
