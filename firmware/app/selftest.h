#ifndef EB_APP_SELFTEST_H
#define EB_APP_SELFTEST_H

#include <stdio.h>

/* Exercises every linked library on whatever heap the process has (the arena in edgeboxd): SQLite,
 * mbedTLS (SHA-256 known answer, ECDSA P-256 sign/verify), cJSON and curl (handles and URL parsing, no
 * network). Prints one line per part to `log`; returns the number of parts that failed. */
int eb_selftest_run(FILE *log);

#endif
