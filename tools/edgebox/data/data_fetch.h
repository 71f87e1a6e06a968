/* edgebox data fetch (SPEC section 2): closed bars from the exchange's public klines into a bar CSV
 * (header open_time_ms,open,high,low,close,volume). Incremental: an existing file is checked whole and the
 * download resumes after its last bar. Errors back off exponentially up to 8 s, 429/418 wait Retry-After
 * (app/klines.h does both); progress goes to stderr. */
#ifndef EB_TOOLS_DATA_FETCH_H
#define EB_TOOLS_DATA_FETCH_H

/* argv[0] = "fetch". Returns the exit status: 0 done, 1 failed (the file keeps every bar written), 2 usage. */
int eb_data_fetch_main(int argc, char **argv);

#endif
