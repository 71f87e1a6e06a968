#include "app/daemon/log.h"

#include <stdarg.h>
#include <string.h>

void eb_dlog(eb_daemon_t *d, int prio, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->log, "<%d>edgeboxd: ", prio);
    vfprintf(d->log, fmt, ap);
    fputc('\n', d->log);
    va_end(ap);
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

void eb_dlog_memory(eb_daemon_t *d, const char *when)
{
    eb_arena_stats_t a;
    eb_os_memory_t os;
    eb_heap_stats(&a);
    if (eb_os_memory(&os) != 0)
        memset(&os, 0, sizeof os);
    const eb_daemon_stats_t *s = &d->stats;
    eb_dlog(d, 6,
            "memory %s: arena in_use=%zu high_water=%zu capacity=%zu failures=%llu; brk=%zu (ready %zu); "
            "anon=%zu in %u mappings (ready %zu in %u); rss_kib=%ld; bars=%llu ready_ms=%lld "
            "decision_us mean=%.2f p50=%.2f p99=%.2f p999=%.2f max=%.1f n=%llu; "
            "unpreempted_us p999=%.2f max=%.1f n=%llu; preempted=%llu faults=%llu; "
            "slowest_us kill+begin=%.1f events=%.1f step=%.1f orders=%.1f bar=%lld; locked=%d",
            when, a.in_use, a.high_water, a.capacity, (unsigned long long)a.failures, os.brk_bytes,
            s->os_at_ready.brk_bytes, os.anon_bytes, os.anon_count, s->os_at_ready.anon_bytes,
            s->os_at_ready.anon_count, rss_kib(), (unsigned long long)d->t.bars,
            (long long)(s->ready_mono_ms - s->start_mono_ms),
            eb_lat_mean_ns(&s->decision) / 1e3, (double)eb_lat_quantile(&s->decision, 0.5) / 1e3,
            (double)eb_lat_quantile(&s->decision, 0.99) / 1e3, (double)eb_lat_quantile(&s->decision, 0.999) / 1e3,
            (double)s->decision.max_ns / 1e3, (unsigned long long)s->decision.count,
            (double)eb_lat_quantile(&s->decision_own, 0.999) / 1e3, (double)s->decision_own.max_ns / 1e3,
            (unsigned long long)s->decision_own.count, (unsigned long long)s->decision_preempted,
            (unsigned long long)s->decision_faults, (double)s->worst_phase_ns[0] / 1e3,
            (double)s->worst_phase_ns[1] / 1e3, (double)s->worst_phase_ns[2] / 1e3, (double)s->worst_phase_ns[3] / 1e3,
            (long long)s->worst_bar_ms, s->memory_locked);
}
