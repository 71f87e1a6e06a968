/* The libgpiod v1.6 backend: the kill switch as an input with the pull-up and both-edge events, the LEDs
 * as outputs starting off. Every failure names the board, the chip and the line. */
#include "hal/io/gpio_backend.h"

#include "common/errf.h"

#include <errno.h>
#include <gpiod.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_CONSUMER "edgeboxd"

/* A chip is named by its device name (gpiochip0) or its label (pinctrl-rp1, which keeps its name when
 * the numbering of /dev/gpiochip* changes between kernels). */
static struct gpiod_chip *open_chip(const eb_board_pins_t *p, char *err, size_t cap)
{
    struct gpiod_chip *chip = strncmp(p->chip, "gpiochip", 8) == 0 ? gpiod_chip_open_by_name(p->chip) : NULL;
    if (!chip)
        chip = gpiod_chip_open_by_label(p->chip);
    if (!chip)
        eb_errf(err, cap, "board %s: GPIO chip '%s' not found (no /dev/gpiochip* has that name or label: "
                "wrong board, or the GPIO driver is not loaded; `gpiodetect` lists the chips)", p->board, p->chip);
    return chip;
}

static struct gpiod_line *get_line(struct gpiod_chip *chip, const eb_board_pins_t *p, eb_line_t l, char *err,
                                   size_t cap)
{
    unsigned n = gpiod_chip_num_lines(chip);
    struct gpiod_line *line = p->line[l] < n ? gpiod_chip_get_line(chip, p->line[l]) : NULL;
    if (!line)
        eb_errf(err, cap, "board %s: %s is line %u, but chip '%s' has lines 0..%u", p->board, eb_line_name(l),
                p->line[l], p->chip, n ? n - 1 : 0);
    return line;
}

static void request_error(const eb_board_pins_t *p, eb_line_t l, struct gpiod_line *line, const char *what,
                          char *err, size_t cap)
{
    int e = errno;
    const char *user = e == EBUSY && gpiod_line_update(line) == 0 ? gpiod_line_consumer(line) : NULL;
    eb_errf(err, cap, "board %s: cannot request %s (chip '%s' line %u) as %s: %s%s%s%s", p->board,
            eb_line_name(l), p->chip, p->line[l], what, strerror(e), user ? " (in use by '" : "",
            user ? user : "", user ? "')" : "");
}

int eb_gpio_gpiod_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap)
{
    const eb_board_pins_t *p = &g->pins;
    const char *consumer = opt->consumer ? opt->consumer : DEFAULT_CONSUMER;
    if (!(g->g.chip = open_chip(p, err, err_cap)))
        return -1;
    for (int i = 0; i < EB_LINE_COUNT; i++)
        if (!(g->g.line[i] = get_line(g->g.chip, p, (eb_line_t)i, err, err_cap)))
            goto fail;
    if (gpiod_line_request_both_edges_events_flags(g->g.line[EB_LINE_KILLSWITCH], consumer,
                                                    GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP) != 0) {
        request_error(p, EB_LINE_KILLSWITCH, g->g.line[EB_LINE_KILLSWITCH],
                      "input with pull-up and edge events (bias needs Linux >= 5.5)", err, err_cap);
        goto fail;
    }
    for (int i = EB_LINE_LED_HEARTBEAT; i < EB_LINE_COUNT; i++)
        if (gpiod_line_request_output(g->g.line[i], consumer, 0) != 0) {
            request_error(p, (eb_line_t)i, g->g.line[i], "output", err, err_cap);
            goto fail;
        }
    g->event_fd = gpiod_line_event_get_fd(g->g.line[EB_LINE_KILLSWITCH]);
    return 0;
fail:
    eb_gpio_gpiod_close(g);
    return -1;
}

/* The event descriptor blocks on read, so each read is preceded by a zero-timeout poll. The kernel stamps
 * line events with CLOCK_MONOTONIC (Linux >= 5.7 for the v1 ABI); the button clamps a stamp that lies
 * outside what it has seen, so an older kernel's realtime stamps degrade to "now", not to a wrong order. */
int eb_gpio_gpiod_edges(eb_gpio_t *g, eb_gpio_edge_t *out, int cap, char *err, size_t err_cap)
{
    int n = 0;
    while (n < cap) {
        struct pollfd pfd = {.fd = g->event_fd, .events = POLLIN};
        int r = poll(&pfd, 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (r > 0 && (pfd.revents & (POLLERR | POLLNVAL)))) {
            return eb_errf(err, err_cap, "board %s: waiting for %s events: %s", g->pins.board,
                           eb_line_name(EB_LINE_KILLSWITCH), r < 0 ? strerror(errno) : "descriptor error");
        }
        if (r == 0 || !(pfd.revents & POLLIN))
            break;
        struct gpiod_line_event ev;
        if (gpiod_line_event_read_fd(g->event_fd, &ev) != 0) {
            return eb_errf(err, err_cap, "board %s: reading %s events (chip '%s' line %u): %s", g->pins.board,
                           eb_line_name(EB_LINE_KILLSWITCH), g->pins.chip, g->pins.line[EB_LINE_KILLSWITCH],
                           strerror(errno));
        }
        out[n].level = ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
        out[n].time_ms = (int64_t)ev.ts.tv_sec * 1000 + ev.ts.tv_nsec / 1000000;
        n++;
    }
    return n;
}

int eb_gpio_gpiod_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap)
{
    int v = gpiod_line_get_value(g->g.line[line]);
    if (v < 0) {
        return eb_errf(err, err_cap, "board %s: reading %s (chip '%s' line %u): %s", g->pins.board, eb_line_name(line),
                       g->pins.chip, g->pins.line[line], strerror(errno));
    }
    *level = v;
    return 0;
}

int eb_gpio_gpiod_set(eb_gpio_t *g, eb_line_t line, int on) { return gpiod_line_set_value(g->g.line[line], on); }

void eb_gpio_gpiod_close(eb_gpio_t *g)
{
    if (g->g.chip)
        gpiod_chip_close(g->g.chip); /* releases the requested lines too */
    g->g.chip = NULL;
    memset(g->g.line, 0, sizeof g->g.line);
    g->event_fd = -1;
}

int eb_gpio_read_once(const eb_board_pins_t *pins, eb_line_t line, int *level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT) {
        return eb_errf(err, err_cap, "no such line %d", (int)line);
    }
    struct gpiod_chip *chip = open_chip(pins, err, err_cap);
    if (!chip)
        return -1;
    struct gpiod_line *l = get_line(chip, pins, line, err, err_cap);
    struct gpiod_line_request_config cfg = {"edgebox", GPIOD_LINE_REQUEST_DIRECTION_AS_IS, 0};
    int rc = -1;
    if (l && gpiod_line_request(l, &cfg, 0) != 0)
        request_error(pins, line, l, "read-only (direction as is)", err, err_cap);
    else if (l && (*level = gpiod_line_get_value(l)) < 0)
        eb_errf(err, err_cap, "board %s: reading %s: %s", pins->board, eb_line_name(line), strerror(errno));
    else if (l)
        rc = 0;
    gpiod_chip_close(chip);
    return rc;
}
