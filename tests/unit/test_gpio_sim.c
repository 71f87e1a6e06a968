/* The simulated GPIO backend: files in a directory, changed by another process, wake a poll() loop; edges
 * are queued with their times; whatever is put where a line file belongs is an error, never a hang. */
#include "hal/io/clock.h"
#include "hal/io/gpio.h"
#include "tests/support/check.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const eb_board_pins_t sim_pins = {"sim", "sim", {0, 1, 2, 3}};

static char *fresh_dir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/eb-gpio-sim-test-XXXXXX");
    return mkdtemp(buf);
}

static void read_file(const char *dir, const char *name, char *out, size_t cap)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(out, 1, cap - 1, f);
        out[n] = '\0';
        fclose(f);
    }
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void remove_dir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Takes the queued edges; returns how many (-1 on error). */
static int drain(eb_gpio_t *g)
{
    eb_gpio_edge_t e[16];
    char err[512];
    return eb_gpio_edges(g, e, 16, err, sizeof err);
}

static int readable_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

TEST(open_creates_released_switch_and_dark_leds)
{
    char dir[64], text[16], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    CHECK(eb_gpio_is_sim(g));
    read_file(dir, "killswitch", text, sizeof text);
    CHECK_EQ_STR(text, "1\n"); /* normally open + pull-up: released reads high */
    read_file(dir, "killswitch.wiring", text, sizeof text);
    CHECK_EQ_STR(text, "no\n");
    read_file(dir, "led_alarm", text, sizeof text);
    CHECK_EQ_STR(text, "0\n");
    int level = -1;
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 1);
    CHECK(eb_gpio_event_fd(g) >= 0);
    /* the queue is not drained at open (a change after the level was read must wake the first pass): what
     * it holds is our own files, no edge */
    CHECK_EQ_INT(drain(g), 0);
    CHECK(!readable_within(eb_gpio_event_fd(g), 0));
    eb_gpio_close(g);
    g = NULL;
    /* normally closed: released reads low */
    remove_dir(dir);
    opt.sim_dir = fresh_dir(dir, sizeof dir);
    opt.killswitch_nc = 1;
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    read_file(dir, "killswitch", text, sizeof text);
    CHECK_EQ_STR(text, "0\n");
    CHECK_EQ_INT(eb_gpio_sim_wiring_nc(dir), 1);
    eb_gpio_close(g);
    g = NULL;
    remove_dir(dir);
}

/* A press made while the daemon was down is what it reads at start-up. */
TEST(existing_press_is_kept)
{
    char dir[64], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_sim_write(dir, EB_LINE_KILLSWITCH, 0, err, sizeof err), 0);
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    int level = -1;
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 0);
    eb_gpio_close(g);
    g = NULL;
    remove_dir(dir);
}

/* Another process changes the line: the event descriptor becomes readable and the new level reads. */
TEST(other_process_wakes_poll)
{
    char dir[64], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    pid_t pid = fork();
    if (pid == 0)
        _exit(eb_gpio_sim_write(dir, EB_LINE_KILLSWITCH, 0, err, sizeof err) == 0 ? 0 : 1);
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK_EQ_INT(status, 0);
    CHECK(readable_within(eb_gpio_event_fd(g), 2000));
    CHECK(drain(g) >= 1);
    CHECK(!readable_within(eb_gpio_event_fd(g), 0)); /* drained */
    int level = -1;
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 0);
    /* a shell's `echo 1 > killswitch` (truncate, write, close) wakes it too (no edge is queued: the level
     * read after waking is the sample) */
    write_file(dir, "killswitch", "1\n");
    CHECK(readable_within(eb_gpio_event_fd(g), 2000));
    CHECK_EQ_INT(drain(g), 0);
    CHECK(!readable_within(eb_gpio_event_fd(g), 0));
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 1);
    eb_gpio_close(g);
    g = NULL;
    remove_dir(dir);
}

TEST(leds_are_files_and_do_not_wake_the_loop)
{
    char dir[64], text[16], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    CHECK_EQ_INT(drain(g), 0); /* the files open made */
    CHECK_EQ_INT(eb_gpio_set(g, EB_LINE_LED_MODE, 1), 0);
    CHECK_EQ_INT(eb_gpio_set(g, EB_LINE_LED_ALARM, 1), 0);
    CHECK_EQ_INT(eb_gpio_set(g, EB_LINE_LED_ALARM, 0), 0);
    read_file(dir, "led_mode", text, sizeof text);
    CHECK_EQ_STR(text, "1\n");
    read_file(dir, "led_alarm", text, sizeof text);
    CHECK_EQ_STR(text, "0\n");
    int level = -1;
    CHECK_EQ_INT(eb_gpio_sim_read(dir, EB_LINE_LED_MODE, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 1);
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_LED_MODE, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 1);
    CHECK(!readable_within(eb_gpio_event_fd(g), 50));
    CHECK_EQ_INT(drain(g), 0);
    CHECK_EQ_INT(eb_gpio_set(g, EB_LINE_KILLSWITCH, 1), -1); /* an input */
    CHECK_EQ_INT(eb_gpio_set(g, EB_LINE_COUNT, 1), -1);
    eb_gpio_close(g);
    g = NULL;
    remove_dir(dir);
}

TEST(bad_contents)
{
    char dir[64], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    int level = -1;
    write_file(dir, "killswitch", "pressed\n");
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), -1);
    CHECK(strstr(err, "killswitch: contents 'pressed") != NULL);
    CHECK(strstr(err, "allowed") != NULL);
    write_file(dir, "killswitch", "10\n");
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), -1);
    /* an empty file is a writer caught mid-way: the last good level stands */
    write_file(dir, "killswitch", "0");
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 0);
    write_file(dir, "killswitch", "");
    level = -1;
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 0);
    CHECK_EQ_INT(eb_gpio_sim_read(dir, EB_LINE_KILLSWITCH, &level, err, sizeof err), -1);
    CHECK(strstr(err, "is empty") != NULL);
    eb_gpio_close(g);
    g = NULL;
    /* a daemon does not start on a kill switch it cannot read */
    write_file(dir, "killswitch", "2\n");
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), -1);
    CHECK(strstr(err, "contents '2") != NULL);
    char text[16];
    read_file(dir, "killswitch", text, sizeof text);
    CHECK_EQ_STR(text, "2\n"); /* not "repaired" */
    eb_gpio_close(g);
    g = NULL;
    remove_dir(dir);
}

TEST(directory_must_be_ours)
{
    char dir[64], path[128], err[512] = "";
    fresh_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/plainfile", dir);
    write_file(dir, "plainfile", "x");
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = path};
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), -1);
    CHECK(strstr(err, "is not a directory owned by uid") != NULL);
    CHECK_EQ_INT(eb_gpio_sim_write(path, EB_LINE_KILLSWITCH, 0, err, sizeof err), -1);
    snprintf(path, sizeof path, "%s/missing/parent", dir);
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), -1);
    CHECK(strstr(err, "No such file") != NULL);
    int level;
    CHECK_EQ_INT(eb_gpio_sim_read(dir, EB_LINE_KILLSWITCH, &level, err, sizeof err), -1);
    CHECK(strstr(err, "killswitch: No such file") != NULL);
    unlink(strcat(strcpy(path, dir), "/plainfile"));
    rmdir(dir);
}

TEST(directory_resolution)
{
    char buf[EB_GPIO_SIM_DIR_MAX], want[64];
    setenv("EDGEBOX_SIM_DIR", "/x/y", 1);
    setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
    CHECK_EQ_STR(eb_gpio_sim_dir(buf, sizeof buf), "/x/y");
    unsetenv("EDGEBOX_SIM_DIR");
    CHECK_EQ_STR(eb_gpio_sim_dir(buf, sizeof buf), "/run/user/7/edgebox-sim");
    unsetenv("XDG_RUNTIME_DIR");
    snprintf(want, sizeof want, "/tmp/edgebox-sim-%u", (unsigned)getuid());
    CHECK_EQ_STR(eb_gpio_sim_dir(buf, sizeof buf), want);
    CHECK(eb_gpio_sim_dir(buf, 5) == NULL);
}

/* A press and a release made while the reader was busy are both queued, in order, with their times. */
TEST(edges_queue_while_busy)
{
    char dir[64], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_sim_write(dir, EB_LINE_KILLSWITCH, 1, err, sizeof err), 0); /* before open: history */
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    int64_t t0 = eb_clock_monotonic_ms();
    CHECK_EQ_INT(eb_gpio_sim_write(dir, EB_LINE_KILLSWITCH, 0, err, sizeof err), 0);
    usleep(30000);
    CHECK_EQ_INT(eb_gpio_sim_write(dir, EB_LINE_KILLSWITCH, 1, err, sizeof err), 0);
    int64_t t1 = eb_clock_monotonic_ms();
    eb_gpio_edge_t e[8];
    CHECK(readable_within(eb_gpio_event_fd(g), 1000));
    int n = eb_gpio_edges(g, e, 1, err, sizeof err); /* one at a time: the rest stays queued */
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(eb_gpio_edges(g, e + 1, 7, err, sizeof err), 1);
    CHECK(e[0].level == 0 && e[1].level == 1);
    CHECK(e[0].time_ms >= t0 && e[1].time_ms <= t1 && e[1].time_ms - e[0].time_ms >= 25);
    CHECK_EQ_INT(eb_gpio_edges(g, e, 8, err, sizeof err), 0);
    /* a half-written line waits for its end */
    char path[300];
    snprintf(path, sizeof path, "%s/killswitch.events", dir);
    FILE *f = fopen(path, "a");
    fputs("123", f);
    fflush(f);
    CHECK_EQ_INT(eb_gpio_edges(g, e, 8, err, sizeof err), 0);
    fputs("45 0\n", f);
    fclose(f);
    CHECK_EQ_INT(eb_gpio_edges(g, e, 8, err, sizeof err), 1);
    CHECK(e[0].time_ms == 12345 && e[0].level == 0);
    f = fopen(path, "a");
    fputs("garbage\n", f);
    fclose(f);
    CHECK_EQ_INT(eb_gpio_edges(g, e, 8, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "killswitch.events") && strstr(err, "not allowed"), "%s", err);
    eb_gpio_close(g);
    remove_dir(dir);
}

/* What may stand where the kill-switch file belongs: each is an error at once, and wakes the loop. */
TEST(unreadable_line_kinds)
{
    static const char *kinds[] = {"deleted", "directory", "fifo", "symlink", "device"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char dir[64], err[512] = "", path[300], target[300];
        eb_gpio_t *g = NULL;
        eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
        CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
        snprintf(path, sizeof path, "%s/killswitch", dir);
        CHECK_EQ_INT(unlink(path), 0);
        if (k == 1)
            CHECK_EQ_INT(mkdir(path, 0700), 0);
        else if (k == 2)
            CHECK_EQ_INT(mkfifo(path, 0600), 0);
        else if (k == 3) {
            snprintf(target, sizeof target, "%s/led_mode", dir);
            CHECK_EQ_INT(symlink(target, path), 0);
        } else if (k == 4)
            CHECK_EQ_INT(symlink("/dev/zero", path), 0);
        CHECK_MSG(readable_within(eb_gpio_event_fd(g), 1000), "%s: no wake-up", kinds[k]);
        CHECK(drain(g) >= 0);
        int level = -1;
        int64_t t0 = eb_clock_monotonic_ms();
        CHECK_MSG(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err) == -1, "%s read as %d", kinds[k], level);
        CHECK_MSG(eb_clock_monotonic_ms() - t0 < 500, "%s: the read blocked", kinds[k]);
        CHECK_MSG(strstr(err, "killswitch"), "%s: %s", kinds[k], err);
        eb_gpio_close(g);
        remove_dir(dir);
    }
}

/* An empty file is a writer caught mid-way for a moment; for longer than a second it is a fault. */
TEST(empty_too_long)
{
    char dir[64], err[512] = "";
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = fresh_dir(dir, sizeof dir)};
    CHECK_EQ_INT(eb_gpio_open(&g, &sim_pins, &opt, err, sizeof err), 0);
    write_file(dir, "killswitch", "");
    int level = -1;
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 1);
    usleep(1100000);
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "empty for more than"), "%s", err);
    write_file(dir, "killswitch", "0\n");
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 0);
    eb_gpio_close(g);
    remove_dir(dir);
}

int main(void)
{
    RUN(open_creates_released_switch_and_dark_leds);
    RUN(existing_press_is_kept);
    RUN(other_process_wakes_poll);
    RUN(leds_are_files_and_do_not_wake_the_loop);
    RUN(bad_contents);
    RUN(edges_queue_while_busy);
    RUN(unreadable_line_kinds);
    RUN(empty_too_long);
    RUN(directory_must_be_ours);
    RUN(directory_resolution);
    return eb_check_report();
}
