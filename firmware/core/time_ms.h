/* The range of the UTC millisecond times the pure order pieces take (order_sm, rate_gov, clock_offset):
 * a time outside 0..9999-12-31T23:59:59.999Z is refused, so a time plus any duration they allow (at most
 * days) can never overflow int64_t. */
#ifndef EB_CORE_TIME_MS_H
#define EB_CORE_TIME_MS_H

#define EB_TIME_MS_MAX 253402300799999LL

#endif
