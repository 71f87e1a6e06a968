#include "hal/io/board_pins.h"

#include "common/errf.h"

#include <cjson/cJSON.h>

#include "common/json_strict.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const line_names[] = {
    [EB_LINE_KILLSWITCH] = "killswitch",
    [EB_LINE_LED_HEARTBEAT] = "led_heartbeat",
    [EB_LINE_LED_MODE] = "led_mode",
    [EB_LINE_LED_ALARM] = "led_alarm",
};
_Static_assert(sizeof line_names / sizeof line_names[0] == EB_LINE_COUNT, "a name for every line");

const char *eb_line_name(eb_line_t line)
{
    return (unsigned)line < EB_LINE_COUNT ? line_names[line] : NULL;
}

int eb_line_from_name(const char *name, eb_line_t *out)
{
    for (int i = 0; i < EB_LINE_COUNT; i++)
        if (strcmp(name, line_names[i]) == 0) {
            *out = (eb_line_t)i;
            return 0;
        }
    return -1;
}

static int known_key(const char *k)
{
    eb_line_t l;
    return strcmp(k, "chip") == 0 || eb_line_from_name(k, &l) == 0;
}

static int parse_chip(const char *board, const cJSON *root, eb_board_pins_t *out, char *err, size_t cap)
{
    const cJSON *chip = cJSON_GetObjectItemCaseSensitive(root, "chip");
    if (!cJSON_IsString(chip) || !chip->valuestring[0] || strlen(chip->valuestring) >= sizeof out->chip ||
        strchr(chip->valuestring, '/')) {
        return eb_errf(err, cap, "board %s: pins.json: \"chip\" %s (allowed: a gpiochip name or label, 1..%zu "
                       "characters without '/', or \"sim\")", board, chip ? "is not allowed" : "is missing",
                       sizeof out->chip - 1);
    }
    strcpy(out->chip, chip->valuestring);
    return 0;
}

static int parse_lines(const char *board, const cJSON *root, eb_board_pins_t *out, char *err, size_t cap)
{
    for (int i = 0; i < EB_LINE_COUNT; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, line_names[i]);
        double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (!v || d < 0 || d > EB_LINE_OFFSET_MAX || d != (double)(unsigned)d) {
            char *shown = v ? cJSON_PrintUnformatted(v) : NULL;
            eb_errf(err, cap, "board %s: pins.json: \"%s\" %s%s (allowed: a line offset 0..%d)", board,
                    line_names[i], v ? "= " : "is missing", shown ? shown : "", EB_LINE_OFFSET_MAX);
            free(shown);
            return -1;
        }
        out->line[i] = (unsigned)d;
        for (int j = 0; j < i; j++)
            if (out->line[j] == out->line[i]) {
                return eb_errf(err, cap, "board %s: pins.json: \"%s\" and \"%s\" both use line %u (allowed: distinct "
                               "lines)", board, line_names[j], line_names[i], out->line[i]);
            }
    }
    return 0;
}

/* len: the file's bytes, so a NUL inside is refused (json_strict) instead of ending the text early. */
static int parse_len(const char *board, const char *json, size_t len, eb_board_pins_t *out, char *err,
                     size_t err_cap)
{
    memset(out, 0, sizeof *out);
    if (strlen(board) >= sizeof out->board) {
        return eb_errf(err, err_cap, "board '%s': name longer than %zu characters", board, sizeof out->board - 1);
    }
    strcpy(out->board, board);
    char name[64];
    snprintf(name, sizeof name, "board %s: pins.json", board);
    cJSON *root = eb_json_strict_parse(json, len, name, err, err_cap);
    if (!root)
        return -1;
    if (!cJSON_IsObject(root)) {
        eb_errf(err, err_cap, "board %s: pins.json is not a JSON object", board);
        cJSON_Delete(root);
        return -1;
    }
    int rc = 0;
    for (const cJSON *it = root->child; it && rc == 0; it = it->next)
        if (!known_key(it->string)) {
            eb_errf(err, err_cap, "board %s: pins.json: unknown key \"%s\" (allowed: chip, killswitch, "
                    "led_heartbeat, led_mode, led_alarm)", board, it->string);
            rc = -1;
        }
    if (rc == 0)
        rc = parse_chip(board, root, out, err, err_cap);
    if (rc == 0)
        rc = parse_lines(board, root, out, err, err_cap);
    cJSON_Delete(root);
    return rc;
}

int eb_board_pins_load(const char *dir, const char *board, eb_board_pins_t *out, char *err, size_t err_cap)
{
    char path[512], text[4096];
    if (!board[0] || strchr(board, '/') || strcmp(board, ".") == 0 || strcmp(board, "..") == 0) {
        return eb_errf(err, err_cap, "board '%s' is not allowed (allowed: a folder name under %s)", board, dir);
    }
    snprintf(path, sizeof path, "%s/%s/pins.json", dir, board);
    FILE *f = fopen(path, "r");
    if (!f) {
        return eb_errf(err, err_cap, "board %s: %s: %s", board, path, strerror(errno));
    }
    size_t n = fread(text, 1, sizeof text - 1, f);
    int too_big = n == sizeof text - 1 && fgetc(f) != EOF;
    fclose(f);
    if (too_big) {
        return eb_errf(err, err_cap, "board %s: %s is larger than %zu bytes", board, path, sizeof text - 1);
    }
    text[n] = '\0';
    return parse_len(board, text, n, out, err, err_cap);
}

int eb_board_pins_is_sim(const eb_board_pins_t *p) { return strcmp(p->chip, "sim") == 0; }

int eb_board_pins_parse(const char *board, const char *json, eb_board_pins_t *out, char *err, size_t err_cap)
{
    return parse_len(board, json, strlen(json), out, err, err_cap);
}
