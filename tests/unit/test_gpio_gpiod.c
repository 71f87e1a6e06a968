/* The libgpiod backend. Build hosts have no GPIO chip and no gpio-sim/gpio-mockup module, so what can be
 * tested here is the error path the daemon depends on: a missing chip is a clear error naming the chip
 * and the board, before anything is requested. With a chip present (a real board) more runs. */
#include "hal/io/gpio.h"
#include "tests/support/check.h"

#include <glob.h>

static int have_chips(void)
{
    glob_t gl;
    int n = glob("/dev/gpiochip*", 0, NULL, &gl) == 0 ? (int)gl.gl_pathc : 0;
    globfree(&gl);
    return n;
}

TEST(missing_chip_is_named)
{
    static const char *chips[] = {"gpiochip987", "no-such-label"};
    for (size_t i = 0; i < 2; i++) {
        eb_board_pins_t p = {"rpi4", "", {17, 22, 23, 24}};
        strcpy(p.chip, chips[i]);
        eb_gpio_t *g = (eb_gpio_t *)&p; /* anything non-NULL: a failed open must set it to NULL */
        char err[512] = "", want[64];
        CHECK_EQ_INT(eb_gpio_open(&g, &p, NULL, err, sizeof err), -1);
        snprintf(want, sizeof want, "board rpi4: GPIO chip '%s' not found", chips[i]);
        CHECK_MSG(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
        CHECK(g == NULL);
        eb_gpio_close(g); /* safe after a failed open */
        int level = -1;
        CHECK_EQ_INT(eb_gpio_read_once(&p, EB_LINE_KILLSWITCH, &level, err, sizeof err), -1);
        CHECK(strstr(err, want) != NULL);
        CHECK_EQ_INT(level, -1);
    }
}

TEST(real_board_pins_fail_cleanly_without_hardware)
{
    if (have_chips()) {
        CHECK_SKIP("this machine has /dev/gpiochip*: the no-hardware error is not observable");
        return;
    }
    eb_board_pins_t p;
    char err[512] = "";
    CHECK_EQ_INT(eb_board_pins_load("board", "rpi5", &p, err, sizeof err), 0);
    eb_gpio_t *g = NULL;
    CHECK_EQ_INT(eb_gpio_open(&g, &p, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "board rpi5: GPIO chip 'pinctrl-rp1' not found") != NULL);
}

int main(void)
{
    RUN(missing_chip_is_named);
    RUN(real_board_pins_fail_cleanly_without_hardware);
    return eb_check_report();
}
