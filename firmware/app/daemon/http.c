/* Start and stop of the operator surface: the token, the route table, the listener. The handlers only
 * read the daemon's state or call kill.c/status.c, and allocate nothing, so serving them cannot disturb a
 * bar or the kill switch. */
#include "app/daemon/http.h"

#include "app/daemon/api_control.h"
#include "app/daemon/api_routes.h"
#include "app/daemon/http_state.h"
#include "app/daemon/log.h"
#include "app/daemon/metrics_daemon.h"
#include "app/daemon/openapi.h"
#include "common/errf.h"
#include "common/file_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The bearer token from appliance.http.token_file: a file anyone else may read is refused (the token
 * opens the control routes), and the token itself is never put in a message. */
static int load_token(eb_daemon_t *d, char *err, size_t cap)
{
    const char *path = d->app.http.token_file;
    if (!path[0])
        return 0;
    struct stat st;
    if (lstat(path, &st) != 0)
        return eb_errf(err, cap, "appliance.http.token_file: %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return eb_errf(err, cap, "appliance.http.token_file: %s is not a regular file (a link is not followed)", path);
    if (st.st_mode & 077)
        return eb_errf(err, cap, "appliance.http.token_file: %s is mode %04o; it must be 0600 (chmod 600 %s)", path,
                       (unsigned)(st.st_mode & 07777), path);
    char tok[EB_HTTP_TOKEN_MAX + 2], ferr[300];
    long n = eb_file_read_into(path, tok, sizeof tok - 1, EB_READ_NOFOLLOW, ferr, sizeof ferr);
    if (n < 0)
        return eb_errf(err, cap, "appliance.http.token_file: %s", ferr);
    while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
        n--; /* `echo token > file` leaves a newline */
    int bad = n < 16 || n > EB_HTTP_TOKEN_MAX - 1 || memchr(tok, '\n', (size_t)n) || memchr(tok, ' ', (size_t)n);
    if (!bad)
        bad = eb_http_server_set_token(&d->http->srv, tok, (size_t)n);
    memset(tok, 0, sizeof tok);
    if (bad)
        return eb_errf(err, cap, "appliance.http.token_file: %s: the token must be one line of 16..%d bytes "
                                 "without spaces", path, EB_HTTP_TOKEN_MAX - 1);
    return 0;
}

/* 127.0.0.0/8, as the server's own check (a bad address is refused there) */
static int is_loopback(const char *addr) { return strncmp(addr, "127.", 4) == 0; }

int eb_dhttp_start(eb_daemon_t *d, char *err, size_t cap)
{
    int port = d->opt.http_port > 0 ? d->opt.http_port : d->app.http.port;
    if (port <= 0)
        return 0;
    d->http = malloc(sizeof *d->http); /* once, at start-up, from the arena */
    if (!d->http)
        return eb_errf(err, cap, "http: no memory for %d connections (%zu B): raise appliance.arena_mib",
                       EB_DHTTP_CONNS, sizeof *d->http);
    memset(&d->http->srv, 0, sizeof d->http->srv);
    d->http->reader = NULL;
    memset(d->http->routes, 0, sizeof d->http->routes); /* spare entries stay empty (no path: never matched) */
    eb_dapi_routes(d, d->http->routes);
    eb_http_config_t cfg = eb_http_default_config();
    cfg.port = port;
    cfg.bind_addr = d->app.http.bind;
    cfg.allow_plain_lan = d->app.http.allow_plain_lan;
    if (!is_loopback(cfg.bind_addr) && !cfg.allow_plain_lan) {
        if (eb_http_tls_init(&d->http->tls, d->app.state_dir, cfg.bind_addr, err, cap) != 0) {
            free(d->http);
            d->http = NULL;
            return -1;
        }
        cfg.tls = &d->http->tls;
        eb_dlog(d, 5, "TLS certificate sha256 fingerprint %s (%s)", cfg.tls->fingerprint,
                cfg.tls->made ? "new, in the state directory" : "from the state directory");
    }
    cfg.max_conns = EB_DHTTP_CONNS;
    for (int i = 0; i < d->app.http.ncors; i++)
        d->http->cors[i] = d->app.http.cors[i];
    cfg.cors_origins = d->http->cors;
    cfg.ncors = d->app.http.ncors;
    /* the token after the start (which clears it); a bad token file stops the listener again */
    int rc = eb_http_server_start(&d->http->srv, &cfg, d->http->conns, &d->loop, d->http->routes, EB_DHTTP_ROUTES,
                                  err, cap);
    if (rc == 0 && (load_token(d, err, cap) != 0 || eb_dcontrol_start(d, err, cap) != 0)) {
        eb_http_server_stop(&d->http->srv);
        rc = -1;
    }
    if (rc != 0) {
        if (cfg.tls)
            eb_http_tls_free(cfg.tls);
        free(d->http);
        d->http = NULL;
        return -1;
    }
    /* The read endpoints' own connection: without it they answer 503, and the rest of the surface still
     * serves (an operator can still see the status and disarm). */
    char rerr[700];
    if (eb_journal_reader_open(&d->http->reader, eb_journal_path(d->jw.j), rerr, sizeof rerr) != 0)
        eb_dlog(d, 3, "GET /api/v1/trades, /api/v1/events, /api/v1/decisions and /api/v1/equity will answer 503: %s",
                rerr);
    eb_dlog(d, 5, "operator surface on %s://%s:%d (control %s)", cfg.tls ? "https" : "http", cfg.bind_addr,
            eb_http_server_port(&d->http->srv), d->http->srv.token_len ? "with the token file" : "off: no token file");
    if (d->app.http.allow_plain_lan && !is_loopback(cfg.bind_addr))
        eb_dlog(d, 4, "plain HTTP on a non-loopback address (appliance.http.allow_plain_http_lan): the token and "
                "the answers cross the network unencrypted");
    return 0;
}

void eb_dhttp_journal_closing(eb_daemon_t *d)
{
    if (!d->http)
        return;
    eb_journal_reader_close(d->http->reader);
    d->http->reader = NULL;
}

void eb_dhttp_close(eb_daemon_t *d)
{
    if (!d->http)
        return;
    eb_http_server_stop(&d->http->srv);
    eb_journal_reader_close(d->http->reader);
    if (d->http->srv.cfg.tls)
        eb_http_tls_free(d->http->srv.cfg.tls);
    free(d->http);
    d->http = NULL;
}
