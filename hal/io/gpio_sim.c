/* The simulated board (docs/gpio-sim.md): each line is a file "<dir>/<line>" holding "0\n" or "1\n".
 * The daemon writes the LED files in place (kept open, pwrite) and watches the directory with inotify,
 * so anything that replaces, rewrites, deletes or renames "killswitch" (the host tool renames a temp file
 * over it; a shell `echo 0 > killswitch` closes it after writing) wakes its poll() loop.
 *
 * Edges: the tool also appends "<CLOCK_MONOTONIC ms> <level>\n" to "killswitch.events" after each change,
 * the simulation's counterpart of the kernel's event queue, so a press and a release made while the daemon
 * was busy are both seen with their times. Every read is bounded and non-blocking (common/file_read.h):
 * a FIFO, a directory, a device or a link where a line file belongs is an error, never a hang. */
#include "hal/io/gpio_backend.h"

#include "common/errf.h"
#include "common/file_read.h"
#include "hal/io/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define WIRING_FILE "killswitch.wiring"
#define EVENTS_FILE "killswitch.events"
#define EMPTY_LIMIT_MS 1000 /* an empty kill-switch file longer than this is a fault, not a writer mid-way */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | \
                    IN_DELETE_SELF | IN_MOVE_SELF)

const char *eb_gpio_sim_dir(char *buf, size_t cap)
{
    const char *env = getenv("EDGEBOX_SIM_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (env && env[0])
        n = snprintf(buf, cap, "%s", env);
    else if (xdg && xdg[0])
        n = snprintf(buf, cap, "%s/edgebox-sim", xdg);
    else
        n = snprintf(buf, cap, "/tmp/edgebox-sim-%u", (unsigned)getuid());
    return n > 0 && (size_t)n < cap ? buf : NULL;
}

/* Creates the last path component (0700); an existing one must be our own directory, since other users
 * could otherwise plant a kill-switch file in a shared /tmp. */
static int ensure_dir(const char *dir, char *err, size_t cap)
{
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return eb_errf(err, cap, "sim GPIO directory %s: %s", dir, strerror(errno));
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
        return eb_errf(err, cap, "sim GPIO directory %s is not a directory owned by uid %u", dir, (unsigned)getuid());
    }
    return 0;
}

static int line_path(const char *dir, const char *name, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int write_atomic(const char *dir, const char *name, const char *text, char *err, size_t cap)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64], tmp[EB_GPIO_SIM_DIR_MAX + 96];
    if (line_path(dir, name, path, sizeof path) || snprintf(tmp, sizeof tmp, "%s/.%s.%d.tmp", dir, name, (int)getpid()) >= (int)sizeof tmp) {
        return eb_errf(err, cap, "sim GPIO directory %s: path too long", dir);
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    size_t len = strlen(text);
    int ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        eb_errf(err, cap, "sim GPIO %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* One line "<ms> <level>\n" at the end of killswitch.events (O_APPEND: whole lines, never interleaved). */
static int append_edge(const char *dir, int level, int64_t t_ms, char *err, size_t cap)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64], line[48];
    if (line_path(dir, EVENTS_FILE, path, sizeof path)) {
        return eb_errf(err, cap, "sim GPIO directory %s: path too long", dir);
    }
    int n = snprintf(line, sizeof line, "%lld %d\n", (long long)t_ms, level);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    int ok = fd >= 0 && write(fd, line, (size_t)n) == n;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok) {
        return eb_errf(err, cap, "sim GPIO %s: %s", path, strerror(errno));
    }
    return 0;
}

int eb_gpio_sim_write(const char *dir, eb_line_t line, int level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT) {
        return eb_errf(err, err_cap, "sim GPIO: no such line %d", (int)line);
    }
    if (ensure_dir(dir, err, err_cap))
        return -1;
    /* the level first, then the edge: a reader woken by the rename already reads the new level */
    int64_t t = eb_clock_monotonic_ms();
    if (write_atomic(dir, eb_line_name(line), level ? "1\n" : "0\n", err, err_cap))
        return -1;
    return line == EB_LINE_KILLSWITCH ? append_edge(dir, level != 0, t, err, err_cap) : 0;
}

/* 0 and *level, 1 for an empty file (a writer between truncate and write), -1 with a message. */
static int read_level(const char *dir, eb_line_t line, int *level, char *err, size_t cap)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64], text[16], rerr[400];
    if (line_path(dir, eb_line_name(line), path, sizeof path)) {
        return eb_errf(err, cap, "sim GPIO directory %s: path too long", dir);
    }
    long n = eb_file_read_into(path, text, sizeof text - 1, EB_READ_NOFOLLOW, rerr, sizeof rerr);
    if (n < 0) {
        return eb_errf(err, cap, "sim GPIO %s", rerr);
    }
    if (n == 0) {
        eb_errf(err, cap, "sim GPIO %s is empty (allowed: \"0\" or \"1\")", path);
        return 1;
    }
    text[n] = '\0';
    size_t rest = strspn(text + 1, " \t\r\n");
    if ((text[0] != '0' && text[0] != '1') || text[1 + rest] != '\0') {
        char shown[9];
        size_t k;
        for (k = 0; k < 8 && text[k]; k++)
            shown[k] = text[k] >= 0x20 && text[k] < 0x7f ? text[k] : '?';
        shown[k] = '\0';
        return eb_errf(err, cap, "sim GPIO %s: contents '%s' are not allowed (allowed: \"0\" or \"1\", then a newline)",
                       path, shown);
    }
    *level = text[0] - '0';
    return 0;
}

int eb_gpio_sim_read(const char *dir, eb_line_t line, int *level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT) {
        return eb_errf(err, err_cap, "sim GPIO: no such line %d", (int)line);
    }
    return read_level(dir, line, level, err, err_cap) == 0 ? 0 : -1;
}

int eb_gpio_sim_wiring_nc(const char *dir)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64], text[8], err[64];
    if (line_path(dir, WIRING_FILE, path, sizeof path))
        return 0;
    long n = eb_file_read_into(path, text, sizeof text - 1, EB_READ_NOFOLLOW, err, sizeof err);
    return n >= 2 && strncmp(text, "nc", 2) == 0;
}

static int open_leds(eb_gpio_t *g, char *err, size_t cap)
{
    for (int i = EB_LINE_LED_HEARTBEAT; i < EB_LINE_COUNT; i++) {
        char path[EB_GPIO_SIM_DIR_MAX + 64];
        line_path(g->s.dir, eb_line_name((eb_line_t)i), path, sizeof path);
        g->s.led_fd[i] = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
        struct stat st;
        const char *why = NULL;
        if (g->s.led_fd[i] < 0 || fstat(g->s.led_fd[i], &st) != 0)
            why = strerror(errno);
        else if (!S_ISREG(st.st_mode))
            why = "not a regular file";
        else if (pwrite(g->s.led_fd[i], "0\n", 2, 0) != 2)
            why = strerror(errno);
        if (why) {
            return eb_errf(err, cap, "sim GPIO %s: %s", path, why);
        }
    }
    return 0;
}

/* The events file's identity and size (fd: open on it, or -1 to open it here, creating it empty when
 * missing). 0, or -1 with a message. */
static int events_stat(const eb_gpio_t *g, int fd, struct stat *st, char *err, size_t cap)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64];
    line_path(g->s.dir, EVENTS_FILE, path, sizeof path);
    int own = fd < 0;
    if (own)
        fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    const char *why = NULL;
    if (fd < 0 || fstat(fd, st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st->st_mode))
        why = "not a regular file";
    if (own && fd >= 0)
        close(fd);
    if (why)
        eb_errf(err, cap, "sim GPIO %s: %s", path, why);
    return why ? -1 : 0;
}

/* Records the wiring for the tool and creates a released kill switch unless one is already there (a
 * press made before the daemon started must be seen at start-up); edges start from the events file's end. */
/* A missing kill-switch file gets the released level, but never over a level written meanwhile: a press
 * made while the daemon starts must not be replaced by "released" (link(2) fails when the name exists). */
static int create_released(const char *dir, const char *path, int nc, char *err, size_t cap)
{
    char tmp[EB_GPIO_SIM_DIR_MAX + 96];
    if (snprintf(tmp, sizeof tmp, "%s/.killswitch.%d.new", dir, (int)getpid()) >= (int)sizeof tmp)
        return eb_errf(err, cap, "sim GPIO directory %s: path too long", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int ok = fd >= 0 && write(fd, nc ? "0\n" : "1\n", 2) == 2;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (ok && link(tmp, path) != 0 && errno != EEXIST)
        ok = 0;
    int saved = errno;
    unlink(tmp);
    return ok ? 0 : eb_errf(err, cap, "sim GPIO %s: %s", path, strerror(saved));
}

static int prepare_killswitch(eb_gpio_t *g, int nc, char *err, size_t cap)
{
    if (write_atomic(g->s.dir, WIRING_FILE, nc ? "nc\n" : "no\n", err, cap))
        return -1;
    char path[EB_GPIO_SIM_DIR_MAX + 64];
    line_path(g->s.dir, eb_line_name(EB_LINE_KILLSWITCH), path, sizeof path);
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT && create_released(g->s.dir, path, nc, err, cap))
        return -1;
    int level;
    if (read_level(g->s.dir, EB_LINE_KILLSWITCH, &level, err, cap) != 0)
        return -1;
    g->s.last_level = level;
    if (events_stat(g, -1, &st, err, cap) != 0)
        return -1;
    g->s.events_off = st.st_size;
    g->s.events_ino = st.st_ino;
    return 0;
}

/* Empties the inotify queue (the names do not matter: the files are read afterwards). -1 on error. */
static int drain_inotify(eb_gpio_t *g)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(g->event_fd, buf, sizeof buf);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        if (n == 0)
            return 0;
    }
}

int eb_gpio_sim_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap)
{
    const char *dir = opt->sim_dir;
    char buf[EB_GPIO_SIM_DIR_MAX];
    if (!dir && !(dir = eb_gpio_sim_dir(buf, sizeof buf))) {
        return eb_errf(err, err_cap, "sim GPIO: directory path too long (at most %d bytes)", EB_GPIO_SIM_DIR_MAX - 1);
    }
    if (strlen(dir) >= sizeof g->s.dir) {
        return eb_errf(err, err_cap, "sim GPIO directory %s: longer than %zu bytes", dir, sizeof g->s.dir - 1);
    }
    strcpy(g->s.dir, dir);
    /* the watch first, so that nothing written while the files are prepared goes unnoticed */
    if (ensure_dir(dir, err, err_cap))
        goto fail;
    g->event_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (g->event_fd < 0 || inotify_add_watch(g->event_fd, dir, WATCH_MASK) < 0) {
        eb_errf(err, err_cap, "sim GPIO directory %s: inotify: %s", dir, strerror(errno));
        goto fail;
    }
    if (prepare_killswitch(g, opt->killswitch_nc, err, err_cap) || open_leds(g, err, err_cap))
        goto fail;
    /* The queue is left as it is: our own files' events cost one needless read of the line, but a change by
     * another process after the level was read must wake the first pass (a drained queue would hide it). */
    return 0;
fail:
    eb_gpio_sim_close(g);
    return -1;
}

/* Parses "<ms> <level>" (the newline already cut). 0, or -1. */
static int parse_edge(const char *s, eb_gpio_edge_t *e)
{
    char *end;
    errno = 0;
    long long t = strtoll(s, &end, 10);
    if (errno || end == s || t < 0 || *end != ' ' || (end[1] != '0' && end[1] != '1') || end[2] != '\0')
        return -1;
    e->time_ms = t;
    e->level = end[1] - '0';
    return 0;
}

int eb_gpio_sim_edges(eb_gpio_t *g, eb_gpio_edge_t *out, int cap, char *err, size_t err_cap)
{
    if (drain_inotify(g) != 0) {
        return eb_errf(err, err_cap, "sim GPIO directory %s: inotify: %s", g->s.dir, strerror(errno));
    }
    char path[EB_GPIO_SIM_DIR_MAX + 64];
    line_path(g->s.dir, EVENTS_FILE, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    struct stat st;
    if (fd < 0) {
        return eb_errf(err, err_cap, "sim GPIO %s: %s", path, strerror(errno));
    }
    if (events_stat(g, fd, &st, err, err_cap) != 0) {
        close(fd);
        return -1;
    }
    if (st.st_ino != g->s.events_ino || st.st_size < g->s.events_off) { /* replaced or truncated: from its start */
        g->s.events_ino = st.st_ino;
        g->s.events_off = 0;
        g->s.partial_len = 0;
    }
    int n = 0;
    char buf[1024];
    while (n < cap) {
        ssize_t r = pread(fd, buf, sizeof buf, g->s.events_off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r && n < cap; i++) {
            g->s.events_off++;
            if (buf[i] != '\n') {
                if (g->s.partial_len + 1 >= sizeof g->s.partial) {
                    close(fd);
                    return eb_errf(err, err_cap, "sim GPIO %s: a line longer than %zu bytes", path,
                                   sizeof g->s.partial - 1);
                }
                g->s.partial[g->s.partial_len++] = buf[i];
                continue;
            }
            g->s.partial[g->s.partial_len] = '\0';
            g->s.partial_len = 0;
            if (parse_edge(g->s.partial, &out[n]) != 0) {
                close(fd);
                return eb_errf(err, err_cap, "sim GPIO %s: line '%.20s' is not allowed (allowed: \"<ms> 0|1\")", path,
                               g->s.partial);
            }
            n++;
        }
    }
    close(fd);
    return n;
}

int eb_gpio_sim_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap)
{
    int rc = read_level(g->s.dir, line, level, err, err_cap);
    if (line != EB_LINE_KILLSWITCH)
        return rc == 0 ? 0 : -1;
    int64_t now = eb_clock_monotonic_ms();
    if (rc == 1) { /* caught a shell between truncate and write: the last good level stands, for a while */
        if (g->s.empty_since_ms < 0)
            g->s.empty_since_ms = now;
        if (now - g->s.empty_since_ms > EMPTY_LIMIT_MS) {
            return eb_errf(err, err_cap, "sim GPIO %s/killswitch has been empty for more than %d ms "
                           "(allowed: \"0\" or \"1\")", g->s.dir, EMPTY_LIMIT_MS);
        }
        *level = g->s.last_level;
        return 0;
    }
    g->s.empty_since_ms = -1;
    if (rc == 0)
        g->s.last_level = *level;
    return rc < 0 ? -1 : 0;
}

int eb_gpio_sim_set(eb_gpio_t *g, eb_line_t line, int on)
{
    return pwrite(g->s.led_fd[line], on ? "1\n" : "0\n", 2, 0) == 2 ? 0 : -1;
}

void eb_gpio_sim_close(eb_gpio_t *g)
{
    for (int i = 0; i < EB_LINE_COUNT; i++) {
        if (g->s.led_fd[i] >= 0)
            close(g->s.led_fd[i]);
        g->s.led_fd[i] = -1;
    }
    if (g->event_fd >= 0)
        close(g->event_fd);
    g->event_fd = -1;
}
