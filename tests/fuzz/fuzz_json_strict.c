/* libFuzzer: the strict JSON layer every config goes through. Any bytes either are refused with a
 * message (naming the file) or give a tree; nothing reads past the input (an exact-size copy) and a
 * refusal leaves no tree behind (LeakSanitizer).
 * FUZZ_SOURCES: firmware/common/json_strict.c firmware/common/errf.c
 * FUZZ_LIBS: -lcjson */
#include "common/json_strict.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    char err[512] = "";
    cJSON *j = eb_json_strict_parse(text, size, "fuzz.json", err, sizeof err);
    if (!j && strncmp(err, "fuzz.json", 9) != 0)
        abort(); /* every refusal names the file */
    cJSON_Delete(j);
    free(text);
    return 0;
}
