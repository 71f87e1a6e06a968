#include "tools/edgebox/model_lanes.h"

#include <stdlib.h>

void *eb_tool_model_lanes(eb_model_t *m)
{
    size_t n = eb_model_lanes_size(m);
    void *mem = n ? malloc(n) : NULL;
    if (mem && eb_model_attach_lanes(m, mem, n) != 0) {
        free(mem);
        mem = NULL;
    }
    return mem;
}
