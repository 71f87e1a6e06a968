/* Helpers for the tests that run edgeboxd and the edgebox tool as processes (tests/host/test_daemon_*.c):
 * where the binaries are, temporary directories, spawning with a controlled environment, an sd_notify
 * receiver (a real AF_UNIX datagram socket, path or abstract) that keeps every message with its arrival
 * time, and reading the journal afterwards through SQLite. */
#ifndef EB_TESTS_DAEMON_PROC_H
#define EB_TESTS_DAEMON_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "$EB_BUILD/bin/NAME" (EB_BUILD defaults to build/host), or NULL when it is not an executable. */
const char *dp_bin(const char *name, char *buf, size_t cap);

/* A fresh directory /tmp/eb-TAG-XXXXXX (0 or -1), and its removal with everything under it (kept when
 * EB_KEEP_TMP is set, to look at a failure). */
int dp_tmpdir(const char *tag, char *out, size_t cap);
void dp_rmtree(const char *dir);

/* Starts argv[0] with the environment changed by `env` ("KEY=VALUE" sets, "KEY" unsets; NULL-terminated,
 * may be NULL). NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are always removed first, so an
 * environment inherited from a service manager never leaks in. stdout and stderr go to `log` (appended;
 * NULL: /dev/null). Returns the pid or -1. */
pid_t dp_spawn(const char *const argv[], const char *const env[], const char *log);
/* Waits up to timeout_ms: the exit status, 128+signal for a signal, or -1 on timeout (the process is
 * then killed with SIGKILL and reaped, so no test leaves one behind). */
int dp_wait(pid_t pid, int timeout_ms);
/* spawn + wait. */
int dp_run(const char *const argv[], const char *const env[], const char *log, int timeout_ms);
/* 1 while the process has not exited (it is not reaped). */
int dp_alive(pid_t pid);

/* The whole file, NUL-terminated (malloc'd; NULL if unreadable); *len excludes the NUL. */
char *dp_read_file(const char *path, size_t *len);
int dp_write_file(const char *path, const char *text);
/* 1 when the file contains `needle`. */
int dp_file_contains(const char *path, const char *needle);
int dp_exists(const char *path);
/* Number of entries in a directory (without . and ..), -1 if it cannot be read. */
int dp_count_entries(const char *dir);
/* Copies a file (0 or -1). dp_drop writes DROP_DIR/.NAME first and renames it to DROP_DIR/NAME, as a
 * push into the daemon's watched drop directory must (dot files are ignored there). */
int dp_copy(const char *from, const char *to);
int dp_drop(const char *from, const char *drop_dir, const char *name);

/* A TCP port on 127.0.0.1 free a moment ago (bound and released), or -1. */
int dp_free_port(void);
/* One HTTP/1.0 request to 127.0.0.1:port on a fresh connection; the whole answer, malloc'd ("" when
 * nothing came). `headers`: extra lines, each ending in CRLF ("" for none). */
char *dp_http(int port, const char *method, const char *path, const char *headers);
/* A connected socket to 127.0.0.1:port, or -1. */
int dp_connect(int port);
/* The status of an answer from dp_http (0 when there is none). */
int dp_http_status(const char *resp);
int64_t dp_now_ms(void);
int64_t dp_now_us(void); /* monotonic, microseconds */
void dp_sleep_ms(int ms);

/* ROOT/NAME, created (0700); the path in out. */
void dp_case(const char *root, const char *name, char *out, size_t cap);
/* Writes CASEDIR/edgebox.json (path in `path`): paper mode on the sim board of the source tree, state in
 * CASEDIR/state, bars from `replay` at max speed; `appliance_extra` and `top_extra` are JSON members
 * appended to the appliance section and to the top level ("" for none). 0 or -1. */
int dp_config(const char *casedir, const char *replay, const char *appliance_extra, const char *top_extra,
              char *path, size_t cap);
/* "EDGEBOX_SIM_DIR=CASEDIR/sim" into buf. */
const char *dp_sim_env(const char *casedir, char *buf, size_t cap);
/* A signed model for the daemon: `edgebox train` on `bars` into DIR/ID.ebm, then `edgebox model sign`
 * with KEYDIR/model.key, release `release`, model id `id`, into `out`. 0 or -1. */
int dp_make_model(const char *tool, const char *dir, const char *keydir, const char *bars, const char *id,
                  int release, char *out, size_t cap);

/* The fixture the trading tests share, in a fresh /tmp/eb-TAG-XXXXXX: 1,500 synthetic bars (seed 7) to
 * replay in DIR/bars.csv, a signing key pair in DIR/keys, and a model trained on 4,000 other bars (seed 8),
 * signed as release 1 with id `model_id`, in `model`. */
typedef struct {
    char daemon[256], tool[256], dir[256], bars[300], keys[300], model[400], model_id[32];
} dp_fixture_t;
/* 0; 1 when edgeboxd or edgebox is not built (the test skips); -1 when the fixture cannot be made. */
int dp_fixture_open(dp_fixture_t *f, const char *tag, const char *model_id);
/* dp_fixture_open as a test's main() wants it: 0 when the fixture is ready; otherwise the skip (binaries not
 * built) or the failure is reported under the test name "setup" and non-zero is returned (main then returns
 * eb_check_report()). */
int dp_fixture_ready(dp_fixture_t *f, const char *tag, const char *model_id);
/* DIR/NAME with its config (the fixture's public key, then `appliance_extra`; `top_extra` as in dp_config)
 * replaying `bars`, and, with `with_model`, the fixture's model waiting in its drop directory. */
void dp_fixture_case(const dp_fixture_t *f, const char *name, const char *bars, const char *appliance_extra,
                     const char *top_extra, int with_model, char *casedir, size_t cap, char *cfg, size_t cfgcap);

/* --- sd_notify receiver -------------------------------------------------------------------------- */
#define DP_NOTIFY_MAX 8192
#define DP_NOTIFY_TEXT 480
typedef struct {
    int64_t t_ms; /* arrival (the kernel's stamp) on dp_now_ms()'s clock */
    int64_t t_us; /* the same in microseconds (dp_now_us()) */
    char text[DP_NOTIFY_TEXT];
} dp_msg_t;
typedef struct {
    int fd;
    char env[128]; /* "NOTIFY_SOCKET=/path" or "NOTIFY_SOCKET=@name": pass it in dp_spawn's env */
    char path[108];
    dp_msg_t *msg;
    int n;
} dp_notify_t;

/* `where`: a filesystem path, or "@name" for an abstract socket. 0 or -1. */
int dp_notify_open(dp_notify_t *r, const char *where);
void dp_notify_close(dp_notify_t *r);
/* Collects messages for up to timeout_ms. */
void dp_notify_pump(dp_notify_t *r, int timeout_ms);
/* Index of the first message at or after index `from` that contains `needle`, receiving for up to
 * timeout_ms while none has; -1 when none arrived in time. */
int dp_notify_wait(dp_notify_t *r, int from, const char *needle, int timeout_ms);
/* Messages in [from, n) that start with `prefix`. */
int dp_notify_count(const dp_notify_t *r, int from, const char *prefix);
/* The newest message starting with "STATUS=" (its text after "STATUS="), or "" when none. */
const char *dp_notify_last_status(const dp_notify_t *r);

/* --- the journal, read after the daemon has stopped -------------------------------------------- */
/* The first column of the first row as an integer (sql NULL or no row: `dflt`; error: INT64_MIN). */
int64_t dp_sql_int(const char *db, const char *sql, int64_t dflt);
/* Every row of the result, columns joined by '|' and rows by '\n', REALs as %.17g (malloc'd; NULL on an
 * error, printed to stderr). Two runs that traded alike give identical text. */
char *dp_sql_dump(const char *db, const char *sql);

/* `promtool check metrics` over an HTTP answer's body (saved in DIR/metrics.txt, its output in
 * DIR/promtool.log), reported as checks: exit 0 and nothing said. A SKIP when promtool is not installed. */
void dp_check_promtool(const char *dir, const char *http_answer);

#endif
