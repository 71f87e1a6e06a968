/* A test HTTP server in a forked child (tests/host/test_http_server, tests/bench/bench_http): the app's
 * eb_http_server on its own eb_loop with five routes:
 *   GET  /metrics          the server's edgebox_http_* metrics and one histogram (Prometheus text)
 *   GET  /api/v1/status    {"halts":N}
 *   POST /api/v1/halt      control (bearer token), N+1
 *   POST|PUT /echo         the body back (limit 1024 bytes)
 *   GET  /big              60,000 bytes (to fill a slow reader's window)
 *   POST /stream           a streamed body (up to 1 MiB): {"bytes","sum","aborts"} */
#ifndef EB_TESTS_HTTP_FIXTURE_H
#define EB_TESTS_HTTP_FIXTURE_H

#include <sys/types.h>

#include "app/http/http_server.h"

extern const eb_http_route_t hf_routes[];
extern const size_t hf_nroutes;

/* The child's pid (and *port), or -1 when it did not start (the reason on stderr). */
pid_t hf_start(const eb_http_config_t *cfg, const char *token, int *port);
void hf_stop(pid_t pid);
int64_t hf_mono_ms(void);

#endif
