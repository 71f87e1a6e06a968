/* Internal: the handle and the two backends behind hal/io/gpio.h (gpio.c dispatches on eb_gpio_t.sim). */
#ifndef EB_HAL_IO_GPIO_BACKEND_H
#define EB_HAL_IO_GPIO_BACKEND_H

#include "hal/io/gpio.h"

#include <sys/types.h>

struct gpiod_chip;
struct gpiod_line;

struct eb_gpio {
    eb_board_pins_t pins;
    int sim;      /* 1: sim backend, 0: libgpiod */
    int event_fd; /* readable when the kill-switch line may have changed */
    struct {
        char dir[EB_GPIO_SIM_DIR_MAX];
        int led_fd[EB_LINE_COUNT];
        int last_level;
        int64_t empty_since_ms;  /* the kill-switch file has read empty since then (-1: it has not) */
        off_t events_off;        /* how far killswitch.events has been read */
        ino_t events_ino;        /* which file that offset belongs to */
        char partial[64];        /* an incomplete last line of killswitch.events */
        size_t partial_len;
    } s;
    struct {
        struct gpiod_chip *chip;
        struct gpiod_line *line[EB_LINE_COUNT];
    } g;
};

int eb_gpio_sim_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap);
int eb_gpio_sim_edges(eb_gpio_t *g, eb_gpio_edge_t *out, int cap, char *err, size_t err_cap);
int eb_gpio_sim_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap);
int eb_gpio_sim_set(eb_gpio_t *g, eb_line_t line, int on);
void eb_gpio_sim_close(eb_gpio_t *g);

int eb_gpio_gpiod_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap);
int eb_gpio_gpiod_edges(eb_gpio_t *g, eb_gpio_edge_t *out, int cap, char *err, size_t err_cap);
int eb_gpio_gpiod_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap);
int eb_gpio_gpiod_set(eb_gpio_t *g, eb_line_t line, int on);
void eb_gpio_gpiod_close(eb_gpio_t *g);

#endif
