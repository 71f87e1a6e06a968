/* The app's choice of blink code per disarm reason: every reason has an entry, the codes of the reasons
 * that blink are distinct, the highest-priority reason wins, and docs/leds.md's table says the same. */
#include "app/led_codes.h"
#include "tests/support/check.h"

#include <stdio.h>
#include <string.h>

TEST(codes_are_distinct_and_bounded)
{
    int seen[16] = {0};
    for (int r = 0; r < (int)EB_DISARM_COUNT; r++) {
        int c = eb_led_code((eb_disarm_reason_t)r);
        CHECK_MSG(c >= 0 && c <= 10, "%s has code %d", eb_disarm_reason_name((eb_disarm_reason_t)r), c);
        if (c > 0 && c < 16) {
            CHECK_MSG(!seen[c], "code %d used twice", c);
            seen[c] = 1;
        }
    }
    for (int c = 1; c <= 10; c++)
        CHECK_MSG(seen[c], "code %d unused", c);
    CHECK_EQ_INT(eb_led_code(EB_DISARM_KILL_SWITCH), 0);
    CHECK_EQ_INT(eb_led_code(EB_DISARM_STARTING), 0);
    CHECK_EQ_INT(eb_led_code(EB_DISARM_KILL_SWITCH_FAULT), 0);
    CHECK_EQ_INT(eb_led_code(EB_DISARM_COUNT), 0);
}

TEST(priority)
{
    CHECK_EQ_INT(eb_led_code_for(0), 0);
    CHECK_EQ_INT(eb_led_code_for(EB_DISARM_BIT(EB_DISARM_STALE_DATA) | EB_DISARM_BIT(EB_DISARM_BREAKER_DAILY)), 2);
    CHECK_EQ_INT(eb_led_code_for(EB_DISARM_BIT(EB_DISARM_STARTING)), 0);
    CHECK_EQ_INT(eb_led_code_for(EB_DISARM_BIT(EB_DISARM_STARTING) | EB_DISARM_BIT(EB_DISARM_NO_MODEL)), 6);
    CHECK_EQ_INT(eb_led_code_for(EB_DISARM_BIT(EB_DISARM_KILL_SWITCH) | EB_DISARM_BIT(EB_DISARM_JOURNAL)), 9);
}

/* docs/leds.md lists "| N | `name` |" for every reason with a blink code. */
TEST(docs_table_matches)
{
    FILE *f = fopen("docs/leds.md", "r");
    CHECK_MSG(f != NULL, "docs/leds.md missing (tests run from the repository root)");
    if (!f)
        return;
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    for (int r = 0; r < (int)EB_DISARM_COUNT; r++) {
        int c = eb_led_code((eb_disarm_reason_t)r);
        if (c == 0)
            continue;
        char row[80];
        snprintf(row, sizeof row, "\n| %d | `%s` |", c, eb_disarm_reason_name((eb_disarm_reason_t)r));
        CHECK_MSG(strstr(text, row) != NULL, "docs/leds.md lacks the row '%s'", row + 1);
    }
}

int main(void)
{
    RUN(codes_are_distinct_and_bounded);
    RUN(priority);
    RUN(docs_table_matches);
    return eb_check_report();
}
