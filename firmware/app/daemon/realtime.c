#include "app/daemon/realtime.h"

#include "app/daemon/log.h"
#include "app/heap.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#define STACK_PREFAULT (256 * 1024) /* well above the loop's deepest call chain, far below the 8 MiB limit */

/* Touches the stack pages the loop will use, so their first use is not a fault. */
static void __attribute__((noinline)) prefault_stack(void)
{
    volatile char pad[STACK_PREFAULT];
    for (size_t i = 0; i < sizeof pad; i += 4096)
        pad[i] = 0;
}

static void lock_memory(eb_daemon_t *d)
{
    if (!d->app.lock_memory)
        return;
    /* MCL_CURRENT populates every mapping (the arena included); MCL_FUTURE covers what comes later */
    if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
        d->stats.memory_locked = 1;
        return;
    }
    eb_dlog(d, 4, "memory not locked (%s): page faults may delay a bar; the unit grants it with "
                  "LimitMEMLOCK=infinity, or set appliance.lock_memory false", strerror(errno));
}

static void set_priority(eb_daemon_t *d)
{
    if (d->app.rt_priority <= 0)
        return;
    struct sched_param sp = {.sched_priority = d->app.rt_priority};
    if (sched_setscheduler(0, SCHED_FIFO, &sp) == 0) {
        eb_dlog(d, 6, "running at real-time priority %d (SCHED_FIFO)", d->app.rt_priority);
        return;
    }
    eb_dlog(d, 4, "appliance.rt_priority %d refused (%s): running on the normal scheduler; the unit grants it "
                  "with LimitRTPRIO= or CAP_SYS_NICE", d->app.rt_priority, strerror(errno));
}

int eb_drt_setup(eb_daemon_t *d, char *err, size_t cap)
{
    (void)err;
    (void)cap;
    lock_memory(d);
    d->stats.prefaulted_pages = eb_heap_prefault(); /* locked pages are present already: this is cheap then */
    prefault_stack();
    set_priority(d);
    return 0;
}
