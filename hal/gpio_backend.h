/* Internal: the two backends behind hal/gpio.h (hal/gpio.c dispatches on eb_gpio_t.sim). */
#ifndef EB_HAL_GPIO_BACKEND_H
#define EB_HAL_GPIO_BACKEND_H

#include "hal/gpio.h"

int eb_gpio_sim_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap);
int eb_gpio_sim_drain(eb_gpio_t *g);
int eb_gpio_sim_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap);
int eb_gpio_sim_set(eb_gpio_t *g, eb_line_t line, int on);
void eb_gpio_sim_close(eb_gpio_t *g);

int eb_gpio_gpiod_open(eb_gpio_t *g, const eb_gpio_options_t *opt, char *err, size_t err_cap);
int eb_gpio_gpiod_drain(eb_gpio_t *g);
int eb_gpio_gpiod_get(eb_gpio_t *g, eb_line_t line, int *level, char *err, size_t err_cap);
int eb_gpio_gpiod_set(eb_gpio_t *g, eb_line_t line, int on);
void eb_gpio_gpiod_close(eb_gpio_t *g);

#endif
