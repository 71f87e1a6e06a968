/* See daemon_proc.h. */
#define _GNU_SOURCE
#include "daemon_proc.h"

#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *dp_bin(const char *name, char *buf, size_t cap)
{
    const char *b = getenv("EB_BUILD");
    int n = snprintf(buf, cap, "%s/bin/%s", b && b[0] ? b : "build/host", name);
    if (n < 0 || (size_t)n >= cap || access(buf, X_OK) != 0)
        return NULL;
    return buf;
}

int dp_tmpdir(const char *tag, char *out, size_t cap)
{
    int n = snprintf(out, cap, "/tmp/eb-%s-XXXXXX", tag);
    return n > 0 && (size_t)n < cap && mkdtemp(out) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void dp_rmtree(const char *dir)
{
    if (getenv("EB_KEEP_TMP")) { /* debugging a failure: keep the cases, their logs and journals */
        fprintf(stderr, "EB_KEEP_TMP: kept %s\n", dir);
        return;
    }
    if (dir && dir[0] && strncmp(dir, "/tmp/eb-", 8) == 0) /* never anything outside our own temp dirs */
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int64_t dp_now_ms(void) { return dp_now_us() / 1000; }

int64_t dp_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void dp_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void child_env(const char *const env[])
{
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    for (int i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq) {
            unsetenv(env[i]);
            continue;
        }
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - env[i]), env[i]);
        setenv(key, eq + 1, 1);
    }
}

pid_t dp_spawn(const char *const argv[], const char *const env[], const char *log)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    child_env(env);
    int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : open("/dev/null", O_WRONLY);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static int status_code(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

int dp_wait(pid_t pid, int timeout_ms)
{
    int64_t end = dp_now_ms() + timeout_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return status_code(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (dp_now_ms() >= end)
            break;
        dp_sleep_ms(5);
    }
    kill(pid, SIGCONT);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

int dp_run(const char *const argv[], const char *const env[], const char *log, int timeout_ms)
{
    pid_t pid = dp_spawn(argv, env, log);
    return pid < 0 ? -1 : dp_wait(pid, timeout_ms);
}

int dp_alive(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

char *dp_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int dp_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int dp_file_contains(const char *path, const char *needle)
{
    char *t = dp_read_file(path, NULL);
    int found = t && strstr(t, needle) != NULL;
    free(t);
    return found;
}

int dp_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int dp_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

int dp_copy(const char *from, const char *to)
{
    size_t n;
    char *data = dp_read_file(from, &n);
    if (!data)
        return -1;
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    free(data);
    return ok ? 0 : -1;
}

int dp_drop(const char *from, const char *drop_dir, const char *name)
{
    char tmp[512], final[512];
    snprintf(tmp, sizeof tmp, "%s/.%s.part", drop_dir, name);
    snprintf(final, sizeof final, "%s/%s", drop_dir, name);
    return dp_copy(from, tmp) == 0 && rename(tmp, final) == 0 ? 0 : -1;
}

void dp_case(const char *root, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", root, name);
    mkdir(out, 0700);
}

/* 1 when the JSON text has the key "key" (a strict config refuses a key given twice, so a test's own
 * value replaces the default instead of following it). */
static int has_key(const char *json, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = strchr(json, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, key, n) != 0 || p[n + 1] != '"')
            continue;
        const char *q = p + n + 2;
        while (*q == ' ')
            q++;
        if (*q == ':')
            return 1;
    }
    return 0;
}

int dp_config(const char *casedir, const char *replay, const char *appliance_extra, const char *top_extra,
              char *path, size_t cap)
{
    char cwd[256], text[4096], defaults[2200] = "";
    if (!getcwd(cwd, sizeof cwd))
        return -1;
    snprintf(path, cap, "%s/edgebox.json", casedir);
    /* each default, unless the case names the key itself */
    char state[700], bdir[400], rep[700];
    snprintf(state, sizeof state, "\"state_dir\": \"%s/state\"", casedir);
    snprintf(bdir, sizeof bdir, "\"board_dir\": \"%s/board\"", cwd);
    snprintf(rep, sizeof rep, "\"replay_file\": \"%s\"", replay);
    const char *keys[] = {"state_dir", "board", "board_dir", "replay_file"};
    const char *vals[] = {state, "\"board\": \"sim\"", bdir, rep};
    size_t used = 0;
    for (int i = 0; i < 4; i++) {
        if (has_key(appliance_extra, keys[i]))
            continue;
        int w = snprintf(defaults + used, sizeof defaults - used, "%s%s", used ? ", " : "", vals[i]);
        if (w < 0 || (size_t)w >= sizeof defaults - used)
            return -1;
        used += (size_t)w;
    }
    int n = snprintf(text, sizeof text, "{\"appliance\": {%s%s%s}%s%s}\n", defaults,
                     used && appliance_extra[0] ? ", " : "", appliance_extra, top_extra[0] ? ", " : "", top_extra);
    return n > 0 && (size_t)n < sizeof text ? dp_write_file(path, text) : -1;
}

const char *dp_sim_env(const char *casedir, char *buf, size_t cap)
{
    snprintf(buf, cap, "EDGEBOX_SIM_DIR=%s/sim", casedir);
    return buf;
}

int dp_make_model(const char *tool, const char *dir, const char *keydir, const char *bars, const char *id,
                  int release, char *out, size_t cap)
{
    char ebm[512], key[512], rel[24], log[512];
    snprintf(ebm, sizeof ebm, "%s/%s.ebm", dir, id);
    snprintf(key, sizeof key, "%s/model.key", keydir);
    snprintf(rel, sizeof rel, "%d", release);
    snprintf(log, sizeof log, "%s/%s.log", dir, id);
    snprintf(out, cap, "%s/%s.signed", dir, id);
    const char *train[] = {tool, "train", "--config", "configs/walkforward-small.json", "--in", bars, "--out", ebm, NULL};
    const char *sign[] = {tool, "model", "sign", "--key", key, "--in", ebm, "--release", rel, "--model-id", id,
                          "--out", out, NULL};
    if (!dp_exists(ebm) && dp_run(train, NULL, log, 60000) != 0)
        return -1;
    return dp_run(sign, NULL, log, 10000) == 0 ? 0 : -1;
}

int dp_fixture_open(dp_fixture_t *f, const char *tag, const char *model_id)
{
    char train[300];
    memset(f, 0, sizeof *f);
    if (!dp_bin("edgeboxd", f->daemon, sizeof f->daemon) || !dp_bin("edgebox", f->tool, sizeof f->tool))
        return 1;
    if (dp_tmpdir(tag, f->dir, sizeof f->dir) != 0)
        return -1;
    snprintf(f->bars, sizeof f->bars, "%s/bars.csv", f->dir);
    snprintf(train, sizeof train, "%s/train.csv", f->dir);
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->dir);
    snprintf(f->model_id, sizeof f->model_id, "%s", model_id);
    const char *a[] = {f->tool, "data", "synth", "--bars", "1500", "--seed", "7", "--out", f->bars, NULL};
    const char *b[] = {f->tool, "data", "synth", "--bars", "4000", "--seed", "8", "--out", train, NULL};
    const char *k[] = {f->tool, "keygen", "--out", f->keys, NULL};
    if (dp_run(a, NULL, NULL, 10000) != 0 || dp_run(b, NULL, NULL, 10000) != 0 || dp_run(k, NULL, NULL, 10000) != 0)
        return -1;
    return dp_make_model(f->tool, f->dir, f->keys, train, model_id, 1, f->model, sizeof f->model);
}

int dp_fixture_ready(dp_fixture_t *f, const char *tag, const char *model_id)
{
    eb_check_test = "setup";
    int rc = dp_fixture_open(f, tag, model_id);
    if (rc > 0)
        CHECK_SKIP("edgeboxd or edgebox not built under $EB_BUILD/bin");
    else if (rc < 0)
        CHECK_MSG(0, "cannot make the fixture (bars, key, model) in /tmp");
    return rc;
}

void dp_fixture_case(const dp_fixture_t *f, const char *name, const char *bars, const char *appliance_extra,
                     const char *top_extra, int with_model, char *casedir, size_t cap, char *cfg, size_t cfgcap)
{
    char extra[1024], dir[600], file[64];
    dp_case(f->dir, name, casedir, cap);
    snprintf(extra, sizeof extra, "\"public_key\": \"%s/model.pub\"%s%s", f->keys, appliance_extra[0] ? ", " : "",
             appliance_extra);
    dp_config(casedir, bars, extra, top_extra, cfg, cfgcap);
    if (!with_model)
        return;
    snprintf(dir, sizeof dir, "%s/state", casedir);
    mkdir(dir, 0750);
    snprintf(dir, sizeof dir, "%s/state/drop", casedir);
    mkdir(dir, 0770);
    snprintf(file, sizeof file, "%s.signed", f->model_id);
    dp_drop(f->model, dir, file);
}

/* --- sd_notify receiver ------------------------------------------------------------------------ */
int dp_notify_open(dp_notify_t *r, const char *where)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    size_t len = strlen(where);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (len >= sizeof a.sun_path)
        return -1;
    memcpy(a.sun_path, where, len);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    if (where[0] == '@') {
        a.sun_path[0] = '\0'; /* abstract: the name is exactly the bytes after the NUL, no terminator */
        alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    } else {
        snprintf(r->path, sizeof r->path, "%s", where);
        unlink(where);
    }
    r->msg = calloc(DP_NOTIFY_MAX, sizeof *r->msg);
    r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int on = 1; /* the kernel's arrival time: a test that was busy when a message came still knows when */
    if (!r->msg || r->fd < 0 || setsockopt(r->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0 ||
        bind(r->fd, (struct sockaddr *)&a, alen) != 0) {
        dp_notify_close(r);
        return -1;
    }
    snprintf(r->env, sizeof r->env, "NOTIFY_SOCKET=%s", where);
    return 0;
}

void dp_notify_close(dp_notify_t *r)
{
    if (r->fd >= 0)
        close(r->fd);
    if (r->path[0])
        unlink(r->path);
    free(r->msg);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

/* The arrival time of a received datagram on the monotonic clock: the kernel stamps it on the realtime
 * clock, so it is moved by the realtime clock's distance from now (no stamp: now). */
static int64_t arrival_us(struct msghdr *m)
{
    int64_t now = dp_now_us();
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS)
            continue;
        struct timespec stamp, real;
        memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        clock_gettime(CLOCK_REALTIME, &real);
        int64_t ago = ((int64_t)real.tv_sec - stamp.tv_sec) * 1000000 + (real.tv_nsec - stamp.tv_nsec) / 1000;
        return ago > 0 ? now - ago : now;
    }
    return now;
}

static void drain(dp_notify_t *r)
{
    char buf[DP_NOTIFY_TEXT];
    union { char space[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } ctl;
    ssize_t got;
    for (;;) {
        struct iovec io = {buf, sizeof buf - 1};
        struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl.space, .msg_controllen = sizeof ctl.space};
        if ((got = recvmsg(r->fd, &m, 0)) < 0)
            break;
        if (r->n >= DP_NOTIFY_MAX)
            continue;
        buf[got] = '\0';
        r->msg[r->n].t_us = arrival_us(&m);
        r->msg[r->n].t_ms = r->msg[r->n].t_us / 1000;
        memcpy(r->msg[r->n].text, buf, (size_t)got + 1);
        r->n++;
    }
}

void dp_notify_pump(dp_notify_t *r, int timeout_ms)
{
    int64_t end = dp_now_ms() + timeout_ms;
    for (;;) {
        drain(r);
        int64_t left = end - dp_now_ms();
        if (left <= 0)
            return;
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        poll(&p, 1, (int)left);
    }
}

int dp_notify_wait(dp_notify_t *r, int from, const char *needle, int timeout_ms)
{
    int64_t end = dp_now_ms() + timeout_ms;
    int i = from;
    for (;;) {
        drain(r);
        for (; i < r->n; i++)
            if (strstr(r->msg[i].text, needle))
                return i;
        int64_t left = end - dp_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        poll(&p, 1, (int)left);
    }
}

int dp_notify_count(const dp_notify_t *r, int from, const char *prefix)
{
    int c = 0;
    for (int i = from; i < r->n; i++)
        c += strncmp(r->msg[i].text, prefix, strlen(prefix)) == 0;
    return c;
}

const char *dp_notify_last_status(const dp_notify_t *r)
{
    for (int i = r->n - 1; i >= 0; i--)
        if (strncmp(r->msg[i].text, "STATUS=", 7) == 0)
            return r->msg[i].text + 7;
    return "";
}

/* --- journal ----------------------------------------------------------------------------------- */
static sqlite3 *open_ro(const char *db)
{
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite open %s: %s\n", db, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

int64_t dp_sql_int(const char *db, const char *sql, int64_t dflt)
{
    sqlite3 *h = open_ro(db);
    sqlite3_stmt *st = NULL;
    int64_t v = INT64_MIN;
    if (h && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            v = sqlite3_column_type(st, 0) == SQLITE_NULL ? dflt : sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_DONE)
            v = dflt;
    }
    if (v == INT64_MIN && h)
        fprintf(stderr, "sql '%s' on %s: %s\n", sql, db, sqlite3_errmsg(h));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = (*cap + n + 1) * 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b, *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

static const char *cell(sqlite3_stmt *st, int c, char *tmp, size_t cap)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_FLOAT: snprintf(tmp, cap, "%.17g", sqlite3_column_double(st, c)); return tmp;
    case SQLITE_INTEGER: snprintf(tmp, cap, "%lld", (long long)sqlite3_column_int64(st, c)); return tmp;
    default: return (const char *)sqlite3_column_text(st, c);
    }
}

char *dp_sql_dump(const char *db, const char *sql)
{
    sqlite3 *h = open_ro(db);
    sqlite3_stmt *st = NULL;
    if (!h || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
        if (h)
            fprintf(stderr, "sql '%s' on %s: %s\n", sql, db, sqlite3_errmsg(h));
        sqlite3_close(h);
        return NULL;
    }
    char *buf = NULL, tmp[64];
    size_t len = 0, cap = 0;
    int rc = SQLITE_DONE, bad = append(&buf, &len, &cap, "");
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st) && !bad; c++)
            bad = append(&buf, &len, &cap, c ? "|" : "") || append(&buf, &len, &cap, cell(st, c, tmp, sizeof tmp));
        bad = bad || append(&buf, &len, &cap, "\n");
    }
    if (bad || rc != SQLITE_DONE) {
        fprintf(stderr, "sql '%s' on %s: %s\n", sql, db, sqlite3_errmsg(h));
        free(buf);
        buf = NULL;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return buf;
}

int dp_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t l = sizeof a;
    int p = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        p = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return p;
}


int dp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request on a fresh connection (HTTP/1.0: the daemon closes after answering); the whole answer,
 * malloc'd ("" when nothing came). `headers`: extra lines, each ending in CRLF. */
char *dp_http(int port, const char *method, const char *path, const char *headers)
{
    char *buf = calloc(1, 1 << 17);
    int fd = dp_connect(port);
    if (fd < 0)
        return buf;
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nContent-Length: 0\r\n%s\r\n", method, path, headers);
    size_t len = 0;
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) == n) {
        ssize_t k;
        while (len < (1 << 17) - 1 && (k = read(fd, buf + len, (1 << 17) - 1 - len)) > 0)
            len += (size_t)k;
    }
    close(fd);
    return buf;
}

int dp_http_status(const char *resp)
{
    int code = 0;
    return sscanf(resp, "HTTP/1.1 %d", &code) == 1 ? code : 0;
}


void dp_check_promtool(const char *dir, const char *http_answer)
{
    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        CHECK_SKIP("promtool not installed (Debian package prometheus)");
        return;
    }
    char path[500], plog[500], cmd[1200];
    snprintf(path, sizeof path, "%s/metrics.txt", dir);
    snprintf(plog, sizeof plog, "%s/promtool.log", dir);
    const char *body = strstr(http_answer, "\r\n\r\n");
    CHECK(dp_write_file(path, body ? body + 4 : "") == 0);
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s > %s 2>&1", path, plog);
    CHECK_EQ_INT(system(cmd), 0);
    char *text = dp_read_file(plog, NULL);
    CHECK_MSG(text && text[0] == '\0', "promtool says: %s", text ? text : "(unreadable)");
    free(text);
}
