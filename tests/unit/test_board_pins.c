/* Board pin files: every board in board/ loads; every malformed file is refused with a message naming
 * the board, the key and what is allowed. */
#include "hal/io/board_pins.h"
#include "../support/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(real_boards_load)
{
    static const char *boards[] = {"sim", "rpi4", "rpi5", "qemu-virt"};
    char err[512] = "";
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++) {
        eb_board_pins_t p;
        int rc = eb_board_pins_load("board", boards[i], &p, err, sizeof err);
        CHECK_MSG(rc == 0, "%s: %s", boards[i], err);
        CHECK_EQ_STR(p.board, boards[i]);
        CHECK_EQ_INT(eb_board_pins_is_sim(&p), strcmp(boards[i], "sim") == 0);
    }
    eb_board_pins_t p;
    CHECK_EQ_INT(eb_board_pins_load("board", "rpi5", &p, err, sizeof err), 0);
    CHECK_EQ_STR(p.chip, "pinctrl-rp1");
    CHECK_EQ_INT(p.line[EB_LINE_KILLSWITCH], 17);
    CHECK_EQ_INT(p.line[EB_LINE_LED_ALARM], 24);
    /* qemu-virt: QMP system_powerdown pulses PL061 line 3, so that is the kill switch (the system test) */
    CHECK_EQ_INT(eb_board_pins_load("board", "qemu-virt", &p, err, sizeof err), 0);
    CHECK_EQ_INT(p.line[EB_LINE_KILLSWITCH], 3);
    CHECK_EQ_INT(p.line[EB_LINE_LED_ALARM], 2);
}

TEST(line_names)
{
    eb_line_t l;
    for (int i = 0; i < EB_LINE_COUNT; i++) {
        CHECK_EQ_INT(eb_line_from_name(eb_line_name((eb_line_t)i), &l), 0);
        CHECK_EQ_INT(l, i);
    }
    CHECK_EQ_STR(eb_line_name(EB_LINE_LED_MODE), "led_mode");
    CHECK(eb_line_name(EB_LINE_COUNT) == NULL);
    CHECK_EQ_INT(eb_line_from_name("led_power", &l), -1);
    CHECK_EQ_INT(eb_line_from_name("", &l), -1);
}

static void refused(const char *json, const char *expect)
{
    eb_board_pins_t p;
    char err[512] = "";
    CHECK_MSG(eb_board_pins_parse("testboard", json, &p, err, sizeof err) == -1, "accepted: %s", json);
    CHECK_MSG(strstr(err, expect) != NULL, "%s: error '%s' lacks '%s'", json, err, expect);
    CHECK_MSG(strstr(err, "board testboard") != NULL, "error '%s' does not name the board", err);
}

TEST(bad_files)
{
    refused("", "not valid JSON");
    refused("{\"chip\": \"gpiochip0\", \"chip\": \"gpiochip1\"}", "key 'chip': duplicate key");
    refused("{\"chip\": \"gpio\\u0000chip0\"}", "\\u0000");
    refused("[1,2]", "not a JSON object");
    refused("{\"chip\":\"gpiochip0\",\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3}",
            "\"led_alarm\" is missing");
    refused("{\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}", "\"chip\" is missing");
    refused("{\"chip\":\"\",\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}",
            "\"chip\" is not allowed");
    refused("{\"chip\":\"../x\",\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}",
            "without '/'");
    refused("{\"chip\":7,\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}",
            "\"chip\" is not allowed");
    refused("{\"chip\":\"c\",\"killswitch\":-1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}",
            "\"killswitch\" = -1 (allowed: a line offset 0..1023)");
    refused("{\"chip\":\"c\",\"killswitch\":1.5,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}",
            "\"killswitch\" = 1.5");
    refused("{\"chip\":\"c\",\"killswitch\":\"17\",\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4}",
            "\"killswitch\" = \"17\"");
    refused("{\"chip\":\"c\",\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":1024}",
            "\"led_alarm\" = 1024");
    refused("{\"chip\":\"c\",\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":2,\"led_alarm\":4}",
            "\"led_heartbeat\" and \"led_mode\" both use line 2");
    refused("{\"chip\":\"c\",\"killswitch\":1,\"led_heartbeat\":2,\"led_mode\":3,\"led_alarm\":4,\"led_x\":5}",
            "unknown key \"led_x\"");
}

TEST(missing_and_bad_board)
{
    eb_board_pins_t p;
    char err[512] = "";
    CHECK_EQ_INT(eb_board_pins_load("board", "nosuchboard", &p, err, sizeof err), -1);
    CHECK(strstr(err, "board/nosuchboard/pins.json") != NULL);
    CHECK(strstr(err, "No such file") != NULL);
    CHECK_EQ_INT(eb_board_pins_load("board", "../board/sim", &p, err, sizeof err), -1);
    CHECK(strstr(err, "is not allowed") != NULL);
    CHECK_EQ_INT(eb_board_pins_load("board", "", &p, err, sizeof err), -1);
    /* a NUL byte after a valid object: the file is read by its length, not cut at the NUL */
    char dir[] = "/tmp/eb-pins-XXXXXX", sub[64], file[96];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof sub, "%s/nulboard", dir);
    CHECK(mkdir(sub, 0700) == 0);
    snprintf(file, sizeof file, "%s/pins.json", sub);
    FILE *f = fopen(file, "wb");
    CHECK(f != NULL);
    if (f) {
        static const char text[] = "{\"chip\": \"gpiochip0\", \"killswitch\": 17, \"led_heartbeat\": 22, "
                                   "\"led_mode\": 23, \"led_alarm\": 24}\n\0{\"chip\": 1}";
        fwrite(text, 1, sizeof text - 1, f);
        fclose(f);
    }
    CHECK_EQ_INT(eb_board_pins_load(dir, "nulboard", &p, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "NUL byte at line 2") != NULL, "%s", err);
    unlink(file);
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    RUN(real_boards_load);
    RUN(line_names);
    RUN(bad_files);
    RUN(missing_and_bad_board);
    return eb_check_report();
}
