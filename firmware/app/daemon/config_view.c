#include "app/daemon/config_view.h"

#include <ctype.h>
#include <string.h>

int eb_dconfig_secret_name(const char *name)
{
    static const char *const k_words[] = {"secret", "token", "password", "passphrase", "api_key", "apikey",
                                          "private", "credential"};
    char low[128];
    size_t n = 0;
    for (; n < sizeof low - 1 && name[n]; n++)
        low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = '\0';
    if (name[n]) /* longer than the copy: treat as secret rather than look at half of it */
        return 1;
    for (size_t i = 0; i < sizeof k_words / sizeof k_words[0]; i++)
        if (strstr(low, k_words[i]))
            return 1;
    return 0;
}

/* Depth-first; a secret member's whole value goes, whatever its type (an object of credentials too). */
static int redact(cJSON *node)
{
    for (cJSON *c = node->child; c; c = c->next) {
        if (c->string && eb_dconfig_secret_name(c->string)) {
            /* InObject copies the name before the old member (and its name) is freed */
            cJSON *r = cJSON_CreateString(EB_DCONFIG_REDACTED);
            if (!r || !cJSON_ReplaceItemInObjectCaseSensitive(node, c->string, r)) {
                cJSON_Delete(r);
                return -1;
            }
            c = r;
        } else if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && redact(c) != 0) {
            return -1;
        }
    }
    return 0;
}

int eb_dconfig_view(cJSON *root, char *out, size_t cap)
{
    out[0] = '\0';
    if (cap > (size_t)0x7fffffff || redact(root) != 0)
        return -1;
    if (!cJSON_PrintPreallocated(root, out, (int)cap, 0)) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}
