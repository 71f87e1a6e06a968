#include "hal/board_pins.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const line_names[EB_LINE_COUNT] = {"killswitch", "led_heartbeat", "led_mode", "led_alarm"};

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
        snprintf(err, cap, "board %s: pins.json: \"chip\" %s (allowed: a gpiochip name or label, 1..%zu "
                 "characters without '/', or \"sim\")", board, chip ? "is not allowed" : "is missing",
                 sizeof out->chip - 1);
        return -1;
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
            snprintf(err, cap, "board %s: pins.json: \"%s\" %s%s (allowed: a line offset 0..%d)", board,
                     line_names[i], v ? "= " : "is missing", shown ? shown : "", EB_LINE_OFFSET_MAX);
            free(shown);
            return -1;
        }
        out->line[i] = (unsigned)d;
        for (int j = 0; j < i; j++)
            if (out->line[j] == out->line[i]) {
                snprintf(err, cap, "board %s: pins.json: \"%s\" and \"%s\" both use line %u (allowed: distinct "
                         "lines)", board, line_names[j], line_names[i], out->line[i]);
                return -1;
            }
    }
    return 0;
}

int eb_board_pins_parse(const char *board, const char *json, eb_board_pins_t *out, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    if (strlen(board) >= sizeof out->board) {
        snprintf(err, err_cap, "board '%s': name longer than %zu characters", board, sizeof out->board - 1);
        return -1;
    }
    strcpy(out->board, board);
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsObject(root)) {
        snprintf(err, err_cap, "board %s: pins.json is not a JSON object", board);
        cJSON_Delete(root);
        return -1;
    }
    int rc = 0;
    for (const cJSON *it = root->child; it && rc == 0; it = it->next)
        if (!known_key(it->string)) {
            snprintf(err, err_cap, "board %s: pins.json: unknown key \"%s\" (allowed: chip, killswitch, "
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
        snprintf(err, err_cap, "board '%s' is not allowed (allowed: a folder name under %s)", board, dir);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s/pins.json", dir, board);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_cap, "board %s: %s: %s", board, path, strerror(errno));
        return -1;
    }
    size_t n = fread(text, 1, sizeof text - 1, f);
    int too_big = n == sizeof text - 1 && fgetc(f) != EOF;
    fclose(f);
    if (too_big) {
        snprintf(err, err_cap, "board %s: %s is larger than %zu bytes", board, path, sizeof text - 1);
        return -1;
    }
    text[n] = '\0';
    return eb_board_pins_parse(board, text, out, err, err_cap);
}

int eb_board_pins_is_sim(const eb_board_pins_t *p) { return strcmp(p->chip, "sim") == 0; }
