/* What the kernel did to the calling thread: how often it took the CPU away (an involuntary context
 * switch: another task ran) and how many page faults it served. The daemon samples them around each
 * bar's decision so a slow decision can be told apart: preempted by the machine, or slow by itself. */
#ifndef EB_HAL_SCHED_STATS_H
#define EB_HAL_SCHED_STATS_H

#include <stdint.h>

typedef struct {
    int64_t preemptions;  /* involuntary context switches so far */
    int64_t minor_faults; /* page faults served without I/O so far */
    int64_t major_faults; /* page faults that read the disk */
} eb_sched_stats_t;

/* 0, or -1 (errno set) when the kernel cannot say; the counters are then zero. */
int eb_sched_stats_thread(eb_sched_stats_t *s);

#endif
