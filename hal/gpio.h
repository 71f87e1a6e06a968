/* GPIO for the appliance: one kill-switch input (pull-up, both-edge events) and three LED outputs,
 * opened by name from a board's pins (hal/board_pins.h). Two backends behind this interface, chosen by
 * the pins' chip: libgpiod v1 for real chips, and "sim" (docs/gpio-sim.md) whose lines are files in a
 * directory that another process (`edgebox gpio press killswitch`) changes.
 *
 * Levels are physical: 0 low, 1 high. With the pull-up, a normally-open button reads 0 when pressed and a
 * normally-closed one reads 1; turning levels into presses is hal/button.h's job. LEDs are active high. */
#ifndef EB_HAL_GPIO_H
#define EB_HAL_GPIO_H

#include "hal/board_pins.h"

#include <stddef.h>

struct gpiod_chip;
struct gpiod_line;

#define EB_GPIO_SIM_DIR_MAX 200

typedef struct {
    const char *consumer;  /* shown by gpioinfo for our lines; NULL: "edgeboxd" */
    const char *sim_dir;   /* sim backend: NULL resolves it as eb_gpio_sim_dir() does */
    int killswitch_nc;     /* the button is normally closed: the sim backend records it for the tool */
} eb_gpio_options_t;

typedef struct {
    eb_board_pins_t pins;
    int sim;                              /* 1: sim backend, 0: libgpiod */
    int event_fd;                         /* readable when the kill-switch line may have changed */
    /* sim backend */
    char sim_dir[EB_GPIO_SIM_DIR_MAX];
    int sim_led_fd[EB_LINE_COUNT];
    int sim_last_level;
    /* libgpiod backend */
    struct gpiod_chip *chip;
    struct gpiod_line *line[EB_LINE_COUNT];
} eb_gpio_t;

/* Opens and requests every line (LEDs off). Returns 0, or -1 with a message; a missing chip names the
 * chip and the board ("board rpi4: GPIO chip 'gpiochip0' not found ..."). */
int eb_gpio_open(eb_gpio_t *g, const eb_board_pins_t *pins, const eb_gpio_options_t *opt, char *err,
                 size_t err_cap);
/* A descriptor for poll(POLLIN): readable when the kill-switch line may have changed level. */
int eb_gpio_event_fd(const eb_gpio_t *g);
/* Consumes the pending notifications without blocking; returns how many concerned the kill switch
 * (then read its level with eb_gpio_get), or -1 on error. */
int eb_gpio_drain_events(eb_gpio_t *g);
/* The current level of any line (for an LED, the level last set). 0, or -1 with a message. */
int eb_gpio_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap);
/* Drives an LED line (the kill switch is an input: -1). 0 or -1. */
int eb_gpio_set(eb_gpio_t *g, eb_line_t line, int on);
void eb_gpio_close(eb_gpio_t *g);

/* Reads one line of a real board without taking it over (direction left as is); used by `edgebox gpio
 * get`. A line held by a running daemon gives a clear "in use by" error. */
int eb_gpio_read_once(const eb_board_pins_t *pins, eb_line_t line, int *level, char *err, size_t err_cap);

/* --- the sim backend's directory (docs/gpio-sim.md) ----------------------------------------------- */
/* $EDGEBOX_SIM_DIR, else $XDG_RUNTIME_DIR/edgebox-sim, else /tmp/edgebox-sim-<uid>. NULL if too long. */
const char *eb_gpio_sim_dir(char *buf, size_t cap);
/* Writes a line's level atomically (temp file + rename), creating the directory if needed: what
 * `edgebox gpio press|release` does. 0, or -1 with a message. */
int eb_gpio_sim_write(const char *dir, eb_line_t line, int level, char *err, size_t err_cap);
/* Reads a line's level from the directory. 0, or -1 with a message (missing file, bad contents). */
int eb_gpio_sim_read(const char *dir, eb_line_t line, int *level, char *err, size_t err_cap);
/* The wiring recorded by the daemon (1 normally closed, 0 normally open, 0 when not recorded). */
int eb_gpio_sim_wiring_nc(const char *dir);

#endif
