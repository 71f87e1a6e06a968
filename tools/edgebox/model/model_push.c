#include "tools/edgebox/model/model_push.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "edgebox model push: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

/* Copies src to dir/name through dir/.name.push (fsync, rename, fsync the directory). */
static int copy_into(const char *src, const char *dir, const char *name)
{
    char tmp[4096], dst[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.push", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return fail("%s: %s", src, strerror(errno));
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out < 0) {
        close(in);
        return fail("%s: %s", tmp, strerror(errno));
    }
    char buf[65536];
    ssize_t n;
    int bad = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        bad |= write(out, buf, (size_t)n) != n;
    bad |= n < 0 || fsync(out) != 0;
    close(in);
    bad |= close(out) != 0;
    if (bad || rename(tmp, dst) != 0) {
        unlink(tmp);
        return fail("copying into %s failed: %s", dir, strerror(errno));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    printf("pushed %s to %s (the daemon verifies and installs it at the next bar boundary)\n", src, dst);
    return 0;
}

int eb_model_push_main(int argc, char **argv)
{
    static const struct option opts[] = {{"in", 1, 0, 'i'}, {"state-dir", 1, 0, 's'}, {"drop-dir", 1, 0, 'd'},
                                         {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *in = NULL, *state = NULL, *drop = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c == 'i') in = optarg;
        else if (c == 's') state = optarg;
        else if (c == 'd') drop = optarg;
        else {
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: edgebox model push --in M.signed (--state-dir DIR | --drop-dir DIR)\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (!in || (!state == !drop)) {
        fprintf(stderr, "edgebox model push: --in and exactly one of --state-dir, --drop-dir are required\n");
        return 2;
    }
    char dir[4096], base[1024];
    snprintf(dir, sizeof dir, "%s%s", drop ? drop : state, drop ? "" : "/drop");
    snprintf(base, sizeof base, "%s", in);
    const char *name = basename(base);
    if (name[0] == '.' || !name[0])
        return fail("%s: the file name must not start with a dot (the daemon ignores those)%s", in, "");
    if (access(dir, W_OK) != 0)
        return fail("%s: %s (is this the box's state directory?)", dir, strerror(errno));
    char magic[8] = {0};
    FILE *f = fopen(in, "rb");
    size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
    if (f)
        fclose(f);
    if (!f)
        return fail("%s: %s", in, strerror(errno));
    if (got < 4)
        return fail("%s: too short to be a signed model%s", in, "");
    return copy_into(in, dir, name);
}
