#include "tools/edgebox/model_lanes.h"

#include <stdlib.h>

void *eb_tool_model_lanes(eb_model_t *m)
{
    size_t nl = eb_model_lanes_size(m), nr = eb_model_rows_size(m);
    char *mem = nl + nr ? malloc(nl + nr) : NULL;
    if (!mem)
        return NULL;
    int lanes = nl && eb_model_attach_lanes(m, mem, nl) == 0, rows = nr && eb_model_attach_rows(m, mem + nl, nr) == 0;
    if (!lanes && !rows) {
        free(mem);
        return NULL;
    }
    return mem;
}
