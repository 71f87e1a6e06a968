#ifndef EB_APP_VERSIONS_H
#define EB_APP_VERSIONS_H

#include <stdio.h>

/* Prints "edgeboxd VERSION (board)" and one line per linked library with the version it reports
 * at run time (not the header it was compiled against). */
void eb_versions_print(FILE *out, const char *program);

#endif
