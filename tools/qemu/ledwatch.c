/* eb-ledwatch: samples one output line of gpiochip0 from /sys/kernel/debug/gpio, for the QEMU system
 * test's LED check. The daemon holds its LED lines, so the character device refuses a second reader;
 * debugfs shows every requested line's level without requesting it. A shell loop is too slow for a
 * 5 Hz blink under QEMU's emulation (about 100 ms a sample), so this is C.
 *
 *   eb-ledwatch NAME LINE SAMPLES PERIOD_MS
 *
 * prints "EB-LED NAME SECONDS BITS": BITS one 0/1 per sample, SECONDS the time the samples took. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEBUGFS_GPIO "/sys/kernel/debug/gpio"
#define MAX_SAMPLES 1000

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 1 or 0: the level of gpiochip0's line LINE ("gpio-N (...) out hi"); -1 when it is not shown. */
static int level(int fd, int line)
{
    char buf[8192];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    unsigned base;
    const char *chip = strstr(buf, "gpiochip0: GPIOs ");
    if (!chip || sscanf(chip, "gpiochip0: GPIOs %u-", &base) != 1)
        return -1;
    char name[32];
    snprintf(name, sizeof name, "\n gpio-%u ", base + (unsigned)line);
    const char *l = strstr(chip, name);
    if (!l)
        return -1;
    const char *end = strchr(l + 1, '\n');
    const char *hi = strstr(l, " hi");
    return hi && (!end || hi < end);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: eb-ledwatch NAME LINE SAMPLES PERIOD_MS\n");
        return 2;
    }
    int line = atoi(argv[2]), samples = atoi(argv[3]), period_ms = atoi(argv[4]);
    if (line < 0 || line > 7 || samples < 1 || samples > MAX_SAMPLES || period_ms < 1 || period_ms > 1000) {
        fprintf(stderr, "eb-ledwatch: LINE 0..7, SAMPLES 1..%d, PERIOD_MS 1..1000\n", MAX_SAMPLES);
        return 2;
    }
    int fd = open(DEBUGFS_GPIO, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "eb-ledwatch: %s: %s (debugfs not mounted?)\n", DEBUGFS_GPIO, strerror(errno));
        return 1;
    }
    char bits[MAX_SAMPLES + 1];
    double t0 = now_s();
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (int i = 0; i < samples; i++) {
        int v = level(fd, line);
        if (v < 0) {
            fprintf(stderr, "eb-ledwatch: gpiochip0 line %d is not in %s (not requested?)\n", line, DEBUGFS_GPIO);
            return 1;
        }
        bits[i] = (char)('0' + v);
        next.tv_nsec += period_ms * 1000000L;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
            ;
    }
    bits[samples] = '\0';
    printf("EB-LED %s %.2f %s\n", argv[1], now_s() - t0, bits);
    return 0;
}
