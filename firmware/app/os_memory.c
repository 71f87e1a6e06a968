/* What the kernel has given the process, for the no-heap-growth checks (soak tests, metrics). */
#include "app/heap.h"

#include <stdio.h>
#include <string.h>

/* Binaries without malloc_override.o run on libc's allocator. */
__attribute__((weak)) int eb_heap_is_arena(void) { return 0; }
__attribute__((weak)) size_t eb_heap_prefault(void) { return 0; }

int eb_os_memory(eb_os_memory_t *out)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    memset(out, 0, sizeof *out);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, inode;
        char perms[8], path[256] = "";
        if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %255s", &lo, &hi, perms, &inode, path) < 4)
            continue;
        size_t len = hi - lo;
        if (strcmp(path, "[heap]") == 0)
            out->brk_bytes += len;
        else if (inode == 0 && path[0] == '\0' && perms[3] == 'p') {
            out->anon_bytes += len;
            out->anon_count++;
        }
    }
    fclose(f);
    return 0;
}
