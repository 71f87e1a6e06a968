/* The host tool as a thin client of a box's operator API (docs/api.md): `edgebox status|trades|halt|
 * rearm|flatten|consent --host H[:PORT]` and `edgebox model push --host H --in M.signed`, over libcurl.
 * The token comes from a file that only its owner may read, and is sent only in the Authorization header:
 * never printed, never in an error. */
#ifndef EB_TOOLS_CLI_REMOTE_H
#define EB_TOOLS_CLI_REMOTE_H

#include <stddef.h>

/* Exit statuses, the same for every remote command (and in each one's --help). */
enum {
    EB_REMOTE_OK = 0,
    EB_REMOTE_REFUSED = 1,    /* the box answered, and refused (409, 400, 5xx: its message is printed) */
    EB_REMOTE_USAGE = 2,      /* bad options, or a token file that is unsafe or unreadable */
    EB_REMOTE_CONNECT = 3,    /* no connection: refused, host unknown */
    EB_REMOTE_TIMEOUT = 4,    /* no answer within --timeout */
    EB_REMOTE_AUTH = 5,       /* 401 (wrong or missing token) or 403 (control is off on the box) */
    EB_REMOTE_TOO_LARGE = 6,  /* 413: the model is over the box's appliance.max_model_kib */
};

#define EB_REMOTE_EXIT_HELP                                                                               \
    "exit status: 0 done, 1 the box refused (its message is printed), 2 usage or token file,\n"           \
    "             3 cannot connect, 4 timed out, 5 token refused (401) or control off (403),\n"            \
    "             6 too large (413)\n"

typedef struct {
    char url[300];        /* http://HOST:PORT or https://HOST:PORT */
    char token[160];      /* "" when no --token-file */
    char fingerprint[96]; /* https: the pinned certificate SHA-256, AA:BB:... (--fingerprint) */
    unsigned char pin[32];
    long timeout_s;
} eb_remote_t;

typedef struct {
    long status;          /* HTTP status, 0 when there was no answer */
    char *body;           /* NUL-terminated (malloc'd; eb_remote_free) */
    size_t len;
} eb_remote_answer_t;

/* Options common to the remote commands: --host [https://]H[:PORT] (required; https needs --fingerprint
 * AA:BB:..., the box's certificate SHA-256), --token-file F, --timeout S. Takes
 * them out of argv (the rest is left for the command, argc updated). EB_REMOTE_OK or EB_REMOTE_USAGE
 * (printed). need_token: the command is a control call. */
int eb_remote_setup(eb_remote_t *r, int *argc, char **argv, int need_token, const char *cmd);

/* One request: body NULL for a GET; body_file to stream a file as application/octet-stream. Returns an
 * exit status: EB_REMOTE_OK when an answer came (whatever its status: see a->status), else connect or
 * timeout, with the reason printed naming cmd. */
int eb_remote_request(const eb_remote_t *r, const char *method, const char *path, const char *json_body,
                      const char *body_file, eb_remote_answer_t *a, const char *cmd);

/* The exit status an answer means, with the box's message printed (to stdout when 2xx, else stderr). */
int eb_remote_outcome(const eb_remote_answer_t *a, const char *cmd);

void eb_remote_free(eb_remote_answer_t *a);

/* `edgebox model push --host ...` (cmd_model.c hands over when --host is given). */
int eb_remote_model_push(int argc, char **argv);

#endif
