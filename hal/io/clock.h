/* Clocks for the daemon (the core never reads one: time comes in with the bar). */
#ifndef EB_HAL_CLOCK_H
#define EB_HAL_CLOCK_H

#include <stdint.h>

int64_t eb_clock_monotonic_ms(void);
int64_t eb_clock_monotonic_us(void);
int64_t eb_clock_monotonic_ns(void);
int64_t eb_clock_realtime_ms(void);

#endif
