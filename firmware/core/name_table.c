#include "core/name_table.h"

#include <string.h>

const char *eb_name_at(const char *const *table, size_t n, int v) { return v >= 0 && (size_t)v < n ? table[v] : NULL; }

int eb_name_find(const char *const *table, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (table[i] && strcmp(table[i], name) == 0)
            return (int)i;
    return -1;
}
