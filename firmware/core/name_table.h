/* Lookups in the enum-to-name tables (designated initializers with a size check, one per enum: see
 * reasons.c). One place for the bounds check and the reverse search, so each table's functions are a
 * line each. */
#ifndef EB_CORE_NAME_TABLE_H
#define EB_CORE_NAME_TABLE_H

#include <stddef.h>

/* table[v] for 0 <= v < n, else NULL. */
const char *eb_name_at(const char *const *table, size_t n, int v);
/* The index of name in table (NULL entries skipped), or -1 (also for a NULL name). */
int eb_name_find(const char *const *table, size_t n, const char *name);

#define EB_NAME_AT(table, v) eb_name_at((table), sizeof(table) / sizeof((table)[0]), (int)(v))
/* The same with a word for a value out of range (status names printed into messages). */
#define EB_NAME_OR(table, v, dflt) (EB_NAME_AT(table, v) ? EB_NAME_AT(table, v) : (dflt))
#define EB_NAME_FIND(table, name) eb_name_find((table), sizeof(table) / sizeof((table)[0]), (name))

#endif
