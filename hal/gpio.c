/* hal/gpio.h: backend dispatch. Both backends are always built so that the host tool can drive the
 * simulated board and read a real one from the same binary. */
#include "hal/gpio.h"
#include "hal/gpio_backend.h"

#include <string.h>

int eb_gpio_open(eb_gpio_t *g, const eb_board_pins_t *pins, const eb_gpio_options_t *opt, char *err,
                 size_t err_cap)
{
    static const eb_gpio_options_t defaults = {0};
    memset(g, 0, sizeof *g);
    g->pins = *pins;
    g->event_fd = -1;
    for (int i = 0; i < EB_LINE_COUNT; i++)
        g->sim_led_fd[i] = -1;
    g->sim = eb_board_pins_is_sim(pins);
    if (!opt)
        opt = &defaults;
    return g->sim ? eb_gpio_sim_open(g, opt, err, err_cap) : eb_gpio_gpiod_open(g, opt, err, err_cap);
}

int eb_gpio_event_fd(const eb_gpio_t *g) { return g->event_fd; }

int eb_gpio_drain_events(eb_gpio_t *g) { return g->sim ? eb_gpio_sim_drain(g) : eb_gpio_gpiod_drain(g); }

int eb_gpio_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap)
{
    if ((unsigned)line >= EB_LINE_COUNT)
        return -1;
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
    if (g->sim)
        eb_gpio_sim_close(g);
    else
        eb_gpio_gpiod_close(g);
}
