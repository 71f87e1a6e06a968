/* A board's GPIO wiring, from board/<board>/pins.json:
 *     { "chip": "gpiochip0", "killswitch": 17, "led_heartbeat": 22, "led_mode": 23, "led_alarm": 24 }
 * "chip" is a gpiochip name (gpiochipN) or label (e.g. "pinctrl-rp1"); "sim" selects the simulated
 * backend (docs/gpio-sim.md). Every key is required, unknown keys are errors, line numbers are distinct. */
#ifndef EB_HAL_BOARD_PINS_H
#define EB_HAL_BOARD_PINS_H

#include <stddef.h>

/* The four lines, in this order everywhere (index into eb_board_pins_t.line). */
typedef enum {
    EB_LINE_KILLSWITCH = 0,
    EB_LINE_LED_HEARTBEAT,
    EB_LINE_LED_MODE,
    EB_LINE_LED_ALARM,
    EB_LINE_COUNT
} eb_line_t;

#define EB_BOARD_NAME_MAX 32
#define EB_CHIP_NAME_MAX 64
#define EB_LINE_OFFSET_MAX 1023

typedef struct {
    char board[EB_BOARD_NAME_MAX];
    char chip[EB_CHIP_NAME_MAX];
    unsigned line[EB_LINE_COUNT];
} eb_board_pins_t;

/* "killswitch", "led_heartbeat", "led_mode", "led_alarm"; NULL for an out-of-range value. */
const char *eb_line_name(eb_line_t line);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int eb_line_from_name(const char *name, eb_line_t *out);

/* Parses the JSON text of a pins file; `board` names it in errors and is copied into out.
 * Returns 0, or -1 with a message naming the board, the key, the value and what is allowed. */
int eb_board_pins_parse(const char *board, const char *json, eb_board_pins_t *out, char *err, size_t err_cap);
/* Reads <dir>/<board>/pins.json (dir is e.g. "board" in the source tree). Same errors, plus the path. */
int eb_board_pins_load(const char *dir, const char *board, eb_board_pins_t *out, char *err, size_t err_cap);
/* 1 when the pins select the simulated backend (chip "sim"). */
int eb_board_pins_is_sim(const eb_board_pins_t *p);

#endif
