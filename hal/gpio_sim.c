/* The simulated board (docs/gpio-sim.md): each line is a file "<dir>/<line>" holding "0\n" or "1\n".
 * The daemon writes the LED files in place (kept open, pwrite) and watches the directory with inotify,
 * so anything that replaces or rewrites "killswitch" (the host tool renames a temp file over it; a shell
 * `echo 0 > killswitch` closes it after writing) wakes its poll() loop. */
#include "hal/gpio_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define WIRING_FILE "killswitch.wiring"

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
        snprintf(err, cap, "sim GPIO directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
        snprintf(err, cap, "sim GPIO directory %s is not a directory owned by uid %u", dir, (unsigned)getuid());
        return -1;
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
        snprintf(err, cap, "sim GPIO directory %s: path too long", dir);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text);
    int ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, cap, "sim GPIO %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int eb_gpio_sim_write(const char *dir, eb_line_t line, int level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT) {
        snprintf(err, err_cap, "sim GPIO: no such line %d", (int)line);
        return -1;
    }
    if (ensure_dir(dir, err, err_cap))
        return -1;
    return write_atomic(dir, eb_line_name(line), level ? "1\n" : "0\n", err, err_cap);
}

/* 0 and *level, 1 for an empty file (a writer between truncate and write), -1 with a message. */
static int read_level(const char *dir, eb_line_t line, int *level, char *err, size_t cap)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64], text[16];
    if (line_path(dir, eb_line_name(line), path, sizeof path)) {
        snprintf(err, cap, "sim GPIO directory %s: path too long", dir);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, cap, "sim GPIO %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n == 0) {
        snprintf(err, cap, "sim GPIO %s is empty (allowed: \"0\" or \"1\")", path);
        return 1;
    }
    text[n < 0 ? 0 : n] = '\0';
    size_t rest = strspn(text + 1, " \t\r\n");
    if (n < 0 || (text[0] != '0' && text[0] != '1') || text[1 + rest] != '\0') {
        snprintf(err, cap, "sim GPIO %s: contents '%.8s' are not allowed (allowed: \"0\" or \"1\", then a newline)",
                 path, n < 0 ? "" : text);
        return -1;
    }
    *level = text[0] - '0';
    return 0;
}

int eb_gpio_sim_read(const char *dir, eb_line_t line, int *level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT) {
        snprintf(err, err_cap, "sim GPIO: no such line %d", (int)line);
        return -1;
    }
    return read_level(dir, line, level, err, err_cap) == 0 ? 0 : -1;
}

int eb_gpio_sim_wiring_nc(const char *dir)
{
    char path[EB_GPIO_SIM_DIR_MAX + 64], text[8] = "";
    if (line_path(dir, WIRING_FILE, path, sizeof path))
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int nc = fgets(text, sizeof text, f) && strncmp(text, "nc", 2) == 0;
    fclose(f);
    return nc;
}

static int open_leds(eb_gpio_t *g, char *err, size_t cap)
{
    for (int i = EB_LINE_LED_HEARTBEAT; i < EB_LINE_COUNT; i++) {
        char path[EB_GPIO_SIM_DIR_MAX + 64];
        line_path(g->sim_dir, eb_line_name((eb_line_t)i), path, sizeof path);
        g->sim_led_fd[i] = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (g->sim_led_fd[i] < 0 || pwrite(g->sim_led_fd[i], "0\n", 2, 0) != 2) {
            snprintf(err, cap, "sim GPIO %s: %s", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Records the wiring for the tool and creates a released kill switch unless one is already there (a
 * press made before the daemon started must be seen at start-up). */
static int prepare_killswitch(eb_gpio_t *g, int nc, char *err, size_t cap)
{
    if (write_atomic(g->sim_dir, WIRING_FILE, nc ? "nc\n" : "no\n", err, cap))
        return -1;
    char path[EB_GPIO_SIM_DIR_MAX + 64];
    line_path(g->sim_dir, eb_line_name(EB_LINE_KILLSWITCH), path, sizeof path);
    if (access(path, F_OK) != 0 && write_atomic(g->sim_dir, eb_line_name(EB_LINE_KILLSWITCH), nc ? "0\n" : "1\n", err, cap))
        return -1;
    int level;
    if (read_level(g->sim_dir, EB_LINE_KILLSWITCH, &level, err, cap) != 0)
        return -1;
    g->sim_last_level = level;
    return 0;
}

int eb_gpio_sim_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap)
{
    const char *dir = opt->sim_dir;
    char buf[EB_GPIO_SIM_DIR_MAX];
    if (!dir && !(dir = eb_gpio_sim_dir(buf, sizeof buf))) {
        snprintf(err, err_cap, "sim GPIO: directory path too long (at most %d bytes)", EB_GPIO_SIM_DIR_MAX - 1);
        return -1;
    }
    if (strlen(dir) >= sizeof g->sim_dir) {
        snprintf(err, err_cap, "sim GPIO directory %s: longer than %zu bytes", dir, sizeof g->sim_dir - 1);
        return -1;
    }
    strcpy(g->sim_dir, dir);
    if (ensure_dir(dir, err, err_cap) || prepare_killswitch(g, opt->killswitch_nc, err, err_cap) ||
        open_leds(g, err, err_cap))
        goto fail;
    g->event_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (g->event_fd < 0 || inotify_add_watch(g->event_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        snprintf(err, err_cap, "sim GPIO directory %s: inotify: %s", dir, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    eb_gpio_sim_close(g);
    return -1;
}

int eb_gpio_sim_drain(eb_gpio_t *g)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int count = 0;
    for (;;) {
        ssize_t n = read(g->event_fd, buf, sizeof buf);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? count : -1;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            /* An overflowed queue may have swallowed a kill-switch change: count it as one. */
            if ((ev->mask & IN_Q_OVERFLOW) || (ev->len && strcmp(ev->name, eb_line_name(EB_LINE_KILLSWITCH)) == 0))
                count++;
            p += sizeof *ev + ev->len;
        }
    }
}

int eb_gpio_sim_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap)
{
    int rc = read_level(g->sim_dir, line, level, err, err_cap);
    if (line != EB_LINE_KILLSWITCH)
        return rc == 0 ? 0 : -1;
    if (rc == 1) /* caught a shell between truncate and write: the last good level stands */
        *level = g->sim_last_level;
    else if (rc == 0)
        g->sim_last_level = *level;
    return rc < 0 ? -1 : 0;
}

int eb_gpio_sim_set(eb_gpio_t *g, eb_line_t line, int on)
{
    return pwrite(g->sim_led_fd[line], on ? "1\n" : "0\n", 2, 0) == 2 ? 0 : -1;
}

void eb_gpio_sim_close(eb_gpio_t *g)
{
    for (int i = 0; i < EB_LINE_COUNT; i++) {
        if (g->sim_led_fd[i] >= 0)
            close(g->sim_led_fd[i]);
        g->sim_led_fd[i] = -1;
    }
    if (g->event_fd >= 0)
        close(g->event_fd);
    g->event_fd = -1;
}
