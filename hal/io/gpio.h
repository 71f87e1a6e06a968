/* GPIO for the appliance: one kill-switch input (pull-up, both-edge events) and three LED outputs,
 * opened by name from a board's pins (hal/io/board_pins.h). Two backends behind this interface, chosen by
 * the pins' chip: libgpiod v1 for real chips, and "sim" (docs/gpio-sim.md) whose lines are files in a
 * directory that another process (`edgebox gpio press killswitch`) changes. The handle is opaque: each
 * backend's fields stay in hal/io/gpio_backend.h.
 *
 * Levels are physical: 0 low, 1 high. With the pull-up, a normally-open button reads 0 when pressed and a
 * normally-closed one reads 1; turning levels into presses is hal/logic/button.h's job. LEDs are active high.
 *
 * Edges are queued from the moment the line is opened (by the kernel for gpiod, in an append-only file
 * for the simulation), each with the level it leaves and its CLOCK_MONOTONIC time, so a press and release
 * made while the caller was busy are both seen, in order, at the times they happened. */
#ifndef EB_HAL_IO_GPIO_H
#define EB_HAL_IO_GPIO_H

#include "hal/io/board_pins.h"

#include <stddef.h>
#include <stdint.h>

#define EB_GPIO_SIM_DIR_MAX 200

typedef struct eb_gpio eb_gpio_t;

typedef struct {
    const char *consumer;  /* shown by gpioinfo for our lines; NULL: "edgeboxd" */
    const char *sim_dir;   /* sim backend: NULL resolves it as eb_gpio_sim_dir() does */
    int killswitch_nc;     /* the button is normally closed: the sim backend records it for the tool */
} eb_gpio_options_t;

typedef struct {
    int level;       /* the line's level after the edge */
    int64_t time_ms; /* CLOCK_MONOTONIC ms when it happened (as the kernel or the writer stamped it) */
} eb_gpio_edge_t;

/* Opens and requests every line (LEDs off). *out is allocated once here (start-up memory). Returns 0, or
 * -1 with a message and *out NULL; a missing chip names the chip and the board ("board rpi4: GPIO chip
 * 'gpiochip0' not found ..."). */
int eb_gpio_open(eb_gpio_t **out, const eb_board_pins_t *pins, const eb_gpio_options_t *opt, char *err,
                 size_t err_cap);
/* 1 for the sim backend. */
int eb_gpio_is_sim(const eb_gpio_t *g);
/* A descriptor for poll(POLLIN): readable when the kill-switch line may have changed level. */
int eb_gpio_event_fd(const eb_gpio_t *g);
/* The kill-switch edges queued since the last call, oldest first, at most cap. Never blocks. Returns the
 * count (0: none), or -1 with a message when the queue cannot be read. */
int eb_gpio_edges(eb_gpio_t *g, eb_gpio_edge_t *out, int cap, char *err, size_t err_cap);
/* The current level of any line (for an LED, the level last set). Never blocks. 0, or -1 with a message
 * (the sim backend: a missing file, a directory, a FIFO, a link, bad contents, or one empty too long). */
int eb_gpio_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap);
/* Drives an LED line (the kill switch is an input: -1). 0 or -1. */
int eb_gpio_set(eb_gpio_t *g, eb_line_t line, int on);
void eb_gpio_close(eb_gpio_t *g); /* NULL is fine */

/* Reads one line of a real board without taking it over (direction left as is); used by `edgebox gpio
 * get`. A line held by a running daemon gives a clear "in use by" error. */
int eb_gpio_read_once(const eb_board_pins_t *pins, eb_line_t line, int *level, char *err, size_t err_cap);

/* --- the sim backend's directory (docs/gpio-sim.md) ----------------------------------------------- */
/* $EDGEBOX_SIM_DIR, else $XDG_RUNTIME_DIR/edgebox-sim, else /tmp/edgebox-sim-<uid>. NULL if too long. */
const char *eb_gpio_sim_dir(char *buf, size_t cap);
/* Writes a line's level atomically (temp file + rename), creating the directory if needed, and for the
 * kill switch appends the edge to killswitch.events: what `edgebox gpio press|release` does. 0, or -1. */
int eb_gpio_sim_write(const char *dir, eb_line_t line, int level, char *err, size_t err_cap);
/* Reads a line's level from the directory. 0, or -1 with a message (missing file, bad contents). */
int eb_gpio_sim_read(const char *dir, eb_line_t line, int *level, char *err, size_t err_cap);
/* The wiring recorded by the daemon (1 normally closed, 0 normally open, 0 when not recorded). */
int eb_gpio_sim_wiring_nc(const char *dir);

#endif
