#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "hal/io/sched_stats.h"

#include <string.h>
#include <sys/resource.h>

int eb_sched_stats_thread(eb_sched_stats_t *s)
{
    struct rusage u;
    memset(s, 0, sizeof *s);
    /* RUSAGE_THREAD (Linux): the calling thread alone; the daemon decides on its main thread */
    if (getrusage(RUSAGE_THREAD, &u) != 0)
        return -1;
    s->preemptions = u.ru_nivcsw;
    s->minor_faults = u.ru_minflt;
    s->major_faults = u.ru_majflt;
    return 0;
}
