/* edgebox gpio: drive the simulated board's kill switch and read any line (docs/gpio-sim.md). */
#include "hal/io/gpio.h"
#include "tools/edgebox/cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EB_COMMAND(gpio, "simulated board: press|release the kill switch, get a line's level")

static void usage(FILE *out)
{
    fprintf(out,
            "usage: edgebox gpio [--board BOARD] [--boards-dir DIR] [--sim-dir DIR] [--wiring no|nc]\n"
            "                    press|release|get LINE\n"
            "  LINE: killswitch, led_heartbeat, led_mode, led_alarm\n"
            "  press|release  the kill switch of the simulated board (BOARD sim, the default)\n"
            "  get            prints 'LINE LEVEL STATE', e.g. 'killswitch 1 released' or 'led_alarm 0 off';\n"
            "                 on a real board it reads the line through libgpiod without taking it over\n"
            "  --boards-dir   where BOARD/pins.json lives (default $EDGEBOX_BOARD_DIR, else ./board)\n"
            "  --sim-dir      the simulated lines (default $EDGEBOX_SIM_DIR, $XDG_RUNTIME_DIR/edgebox-sim,\n"
            "                 /tmp/edgebox-sim-UID)\n"
            "  --wiring       the button's wiring for press/release (default: what the daemon recorded in\n"
            "                 the sim dir, else no = normally open: pressed reads 0)\n");
}

typedef struct {
    const char *board, *boards_dir, *sim_dir, *action, *line_name;
    int wiring_nc; /* -1: from the sim dir */
} gpio_args_t;

static int parse(int argc, char **argv, gpio_args_t *a)
{
    static const struct option opts[] = {{"board", 1, 0, 'b'},  {"boards-dir", 1, 0, 'd'}, {"sim-dir", 1, 0, 's'},
                                         {"wiring", 1, 0, 'w'}, {"help", 0, 0, 'h'},       {0, 0, 0, 0}};
    const char *env = getenv("EDGEBOX_BOARD_DIR");
    *a = (gpio_args_t){"sim", env && env[0] ? env : "board", NULL, NULL, NULL, -1};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b')
            a->board = optarg;
        else if (c == 'd')
            a->boards_dir = optarg;
        else if (c == 's')
            a->sim_dir = optarg;
        else if (c == 'w' && (strcmp(optarg, "no") == 0 || strcmp(optarg, "nc") == 0))
            a->wiring_nc = strcmp(optarg, "nc") == 0;
        else if (c == 'h') {
            usage(stdout);
            return 1;
        } else {
            if (c == 'w')
                fprintf(stderr, "edgebox gpio: --wiring '%s' is not allowed (allowed: no, nc)\n", optarg);
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    a->action = argv[optind];
    a->line_name = argv[optind + 1];
    return 0;
}

static const char *state_text(eb_line_t line, int level, int nc)
{
    if (line != EB_LINE_KILLSWITCH)
        return level ? "on" : "off";
    return (nc ? level == 1 : level == 0) ? "pressed" : "released";
}

static int run(const gpio_args_t *a, eb_line_t line)
{
    char err[512], dirbuf[EB_GPIO_SIM_DIR_MAX];
    eb_board_pins_t pins;
    if (eb_board_pins_load(a->boards_dir, a->board, &pins, err, sizeof err) != 0) {
        fprintf(stderr, "edgebox gpio: %s\n", err);
        return 1;
    }
    int sim = eb_board_pins_is_sim(&pins);
    const char *dir = a->sim_dir ? a->sim_dir : eb_gpio_sim_dir(dirbuf, sizeof dirbuf);
    if (sim && !dir) {
        fprintf(stderr, "edgebox gpio: the sim directory path is too long\n");
        return 1;
    }
    int nc = a->wiring_nc >= 0 ? a->wiring_nc : sim ? eb_gpio_sim_wiring_nc(dir) : 0;
    int level = -1, rc;
    if (strcmp(a->action, "get") == 0) {
        rc = sim ? eb_gpio_sim_read(dir, line, &level, err, sizeof err)
                 : eb_gpio_read_once(&pins, line, &level, err, sizeof err);
        if (rc == 0)
            printf("%s %d %s\n", eb_line_name(line), level, state_text(line, level, nc));
    } else {
        if (!sim || line != EB_LINE_KILLSWITCH) {
            fprintf(stderr, "edgebox gpio: %s works on the kill switch of a simulated board only (board %s, "
                    "line %s)\n", a->action, a->board, eb_line_name(line));
            return 2;
        }
        int pressed = strcmp(a->action, "press") == 0;
        level = pressed ? nc : !nc; /* pull-up: an open contact reads 1 */
        rc = eb_gpio_sim_write(dir, line, level, err, sizeof err);
    }
    if (rc != 0)
        fprintf(stderr, "edgebox gpio: %s\n", err);
    return rc == 0 ? 0 : 1;
}

int cmd_gpio(int argc, char **argv)
{
    gpio_args_t a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : rc;
    eb_line_t line;
    if (eb_line_from_name(a.line_name, &line) != 0) {
        fprintf(stderr, "edgebox gpio: line '%s' is not allowed (allowed: killswitch, led_heartbeat, led_mode, "
                "led_alarm)\n", a.line_name);
        return 2;
    }
    if (strcmp(a.action, "press") != 0 && strcmp(a.action, "release") != 0 && strcmp(a.action, "get") != 0) {
        fprintf(stderr, "edgebox gpio: action '%s' is not allowed (allowed: press, release, get)\n", a.action);
        return 2;
    }
    return run(&a, line);
}
