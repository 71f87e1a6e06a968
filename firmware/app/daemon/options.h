/* What the command line gives the daemon, and the daemon's handle. Its own header so that the daemon's
 * parts (internal.h) can hold the options without including daemon.h, whose functions call them all. */
#ifndef EB_APP_DAEMON_OPTIONS_H
#define EB_APP_DAEMON_OPTIONS_H

typedef struct {
    const char *config_path;
    const char *board;        /* --board, overrides the config */
    const char *replay_path;  /* --replay, overrides the config's source and replay_file */
    const char *state_dir;    /* --state-dir, overrides appliance.state_dir */
    double replay_speed;      /* --speed; < 0: the config's */
    long stop_after_bars;     /* tests and benchmarks: stop after this many bars (0: at the end of data) */
    int exit_at_end;          /* stop when the replay ends (default: keep running, as a box would) */
    long report_every_bars;   /* log the memory figures every N bars (soak tests; 0: only at stop) */
    int http_port;            /* --http-port: the operator surface on 127.0.0.1 (0: off) */
} eb_daemon_options_t;

typedef struct eb_daemon eb_daemon_t;

#endif
