/* `edgebox gpio` against the daemon's side of the simulated board: a press from the tool wakes the
 * daemon's poll() and latches the kill switch through hal/button; release does not re-arm; get prints
 * the LED state the daemon wrote. */
#include "hal/logic/button.h"
#include "hal/io/gpio.h"
#include "tools/edgebox/cli/commands.h"
#include "../support/check.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static int tool(const char *a1, const char *a2, const char *a3)
{
    char *argv[] = {"gpio", "--sim-dir", dir, (char *)a1, (char *)a2, (char *)a3, NULL};
    int argc = a3 ? 6 : 5;
    return cmd_gpio(argc, argv);
}

/* Runs `edgebox gpio get LINE` with stdout captured. */
static void tool_get(const char *line, char *out, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stdout.txt", dir);
    fflush(stdout);
    int saved = dup(1), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    close(fd);
    tool("get", line, NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    if (f) {
        if (!fgets(out, (int)cap, f))
            out[0] = '\0';
        fclose(f);
    }
    unlink(path);
}

static int wait_event(eb_gpio_t *g)
{
    struct pollfd p = {.fd = eb_gpio_event_fd(g), .events = POLLIN};
    eb_gpio_edge_t e[8];
    char err[512];
    return poll(&p, 1, 2000) == 1 && eb_gpio_edges(g, e, 8, err, sizeof err) >= 0;
}

TEST(press_from_the_tool_latches)
{
    static const eb_board_pins_t pins = {"sim", "sim", {0, 1, 2, 3}};
    snprintf(dir, sizeof dir, "/tmp/eb-cmd-gpio-XXXXXX");
    if (!mkdtemp(dir))
        return;
    eb_gpio_t *g = NULL;
    eb_gpio_options_t opt = {.sim_dir = dir};
    char err[512] = "", out[64];
    CHECK_EQ_INT(eb_gpio_open(&g, &pins, &opt, err, sizeof err), 0);
    eb_button_t b;
    eb_button_config_t cfg = eb_button_config_default();
    int level = -1;
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(eb_button_init(&b, &cfg, 0, level, 0), 0);
    tool_get("killswitch", out, sizeof out);
    CHECK_EQ_STR(out, "killswitch 1 released\n");

    CHECK_EQ_INT(tool("press", "killswitch", NULL), 0);
    CHECK(wait_event(g));
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 0);
    eb_button_sample(&b, level, 1000);
    CHECK(eb_button_tick(&b, 1000 + cfg.debounce_ms) & EB_BUTTON_EV_LATCHED);
    tool_get("killswitch", out, sizeof out);
    CHECK_EQ_STR(out, "killswitch 0 pressed\n");

    CHECK_EQ_INT(tool("release", "killswitch", NULL), 0);
    CHECK(wait_event(g));
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    eb_button_sample(&b, level, 2000);
    eb_button_tick(&b, 3000);
    CHECK(eb_button_latched(&b)); /* release does not re-arm */

    CHECK_EQ_INT(eb_gpio_set(g, EB_LINE_LED_ALARM, 1), 0);
    tool_get("led_alarm", out, sizeof out);
    CHECK_EQ_STR(out, "led_alarm 1 on\n");
    CHECK_EQ_INT(tool("press", "led_alarm", NULL), 2);
    CHECK_EQ_INT(tool("get", "nosuchline", NULL), 2);
    eb_gpio_close(g);

    /* a normally closed button: the daemon records it, and the tool's press follows */
    opt.killswitch_nc = 1;
    CHECK_EQ_INT(eb_gpio_open(&g, &pins, &opt, err, sizeof err), 0);
    CHECK_EQ_INT(tool("press", "killswitch", NULL), 0);
    CHECK_EQ_INT(eb_gpio_get(g, EB_LINE_KILLSWITCH, &level, err, sizeof err), 0);
    CHECK_EQ_INT(level, 1);
    tool_get("killswitch", out, sizeof out);
    CHECK_EQ_STR(out, "killswitch 1 pressed\n");
    eb_gpio_close(g);

    static const char *files[] = {"killswitch", "killswitch.wiring", "led_heartbeat", "led_mode", "led_alarm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    RUN(press_from_the_tool_latches);
    return eb_check_report();
}
