/* hal/io/gpio.h: backend dispatch. Both backends are always built so that the host tool can drive the
 * simulated board and read a real one from the same binary. */
#include "hal/io/gpio.h"
#include "common/errf.h"
#include "hal/io/gpio_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eb_gpio_open(eb_gpio_t **out, const eb_board_pins_t *pins, const eb_gpio_options_t *opt, char *err,
                 size_t err_cap)
{
    static const eb_gpio_options_t defaults = {0};
    *out = NULL;
    eb_gpio_t *g = calloc(1, sizeof *g);
    if (!g) {
        return eb_errf(err, err_cap, "board %s: out of memory for the GPIO handle", pins->board);
    }
    g->pins = *pins;
    g->event_fd = -1;
    for (int i = 0; i < EB_LINE_COUNT; i++)
        g->s.led_fd[i] = -1;
    g->s.empty_since_ms = -1;
    g->sim = eb_board_pins_is_sim(pins);
    if (!opt)
        opt = &defaults;
    int rc = g->sim ? eb_gpio_sim_open(g, opt, err, err_cap) : eb_gpio_gpiod_open(g, opt, err, err_cap);
    if (rc != 0) {
        free(g);
        return -1;
    }
    *out = g;
    return 0;
}

int eb_gpio_is_sim(const eb_gpio_t *g) { return g->sim; }

int eb_gpio_event_fd(const eb_gpio_t *g) { return g->event_fd; }

int eb_gpio_edges(eb_gpio_t *g, eb_gpio_edge_t *out, int cap, char *err, size_t err_cap)
{
    if (cap <= 0)
        return 0;
    return g->sim ? eb_gpio_sim_edges(g, out, cap, err, err_cap) : eb_gpio_gpiod_edges(g, out, cap, err, err_cap);
}

int eb_gpio_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT) {
        return eb_errf(err, err_cap, "no such line %d", (int)line);
    }
    return g->sim ? eb_gpio_sim_get(g, line, level, err, err_cap) : eb_gpio_gpiod_get(g, line, level, err, err_cap);
}

int eb_gpio_set(eb_gpio_t *g, eb_line_t line, int on)
{
    if (line == EB_LINE_KILLSWITCH || (unsigned)line >= EB_LINE_COUNT)
        return -1;
    return g->sim ? eb_gpio_sim_set(g, line, on != 0) : eb_gpio_gpiod_set(g, line, on != 0);
}

void eb_gpio_close(eb_gpio_t *g)
{
    if (!g)
        return;
    if (g->sim)
        eb_gpio_sim_close(g);
    else
        eb_gpio_gpiod_close(g);
    free(g);
}
