/* The atomic file writer the app and the host tool share: content and exact mode whatever the umask,
 * replacement in place, and failures that leave the old file and no temp file behind. */
#include "common/file_write.h"
#include "tests/support/check.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *fresh_dir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/eb-file-write-test-XXXXXX");
    return mkdtemp(buf);
}

static size_t read_back(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(out, 1, cap - 1, f) : 0;
    if (f)
        fclose(f);
    out[n] = 0;
    return n;
}

/* Entries in dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0u;
}

TEST(writes_replaces_and_keeps_the_mode)
{
    char dir[64], path[128], buf[64], err[256] = "";
    CHECK(fresh_dir(dir, sizeof dir) != NULL);
    snprintf(path, sizeof path, "%s/key.pem", dir);
    mode_t old = umask(022);
    CHECK_EQ_INT(eb_write_file_atomic(path, "secret", 6, 0600, err, sizeof err), 0);
    CHECK_EQ_INT(read_back(path, buf, sizeof buf), 6);
    CHECK(strcmp(buf, "secret") == 0);
    CHECK_EQ_INT(mode_of(path), 0600);
    umask(0277); /* a umask that would strip the owner's write bit: fchmod sets the mode exactly */
    CHECK_EQ_INT(eb_write_file_atomic(path, "public key", 10, 0644, err, sizeof err), 0);
    umask(old);
    CHECK_EQ_INT(read_back(path, buf, sizeof buf), 10);
    CHECK(strcmp(buf, "public key") == 0);
    CHECK_EQ_INT(mode_of(path), 0644);
    CHECK_EQ_INT(eb_write_file_atomic(path, "", 0, 0644, err, sizeof err), 0); /* empty is a file too */
    CHECK_EQ_INT(read_back(path, buf, sizeof buf), 0);
    CHECK_EQ_INT(entries(dir), 1); /* no temp file left */
    unlink(path);
    rmdir(dir);
}

TEST(failures_leave_the_old_content_and_no_temp_file)
{
    char dir[64], path[128], buf[64], err[256] = "";
    CHECK(fresh_dir(dir, sizeof dir) != NULL);
    /* a missing directory: refused, named */
    snprintf(path, sizeof path, "%s/missing/x", dir);
    CHECK_EQ_INT(eb_write_file_atomic(path, "x", 1, 0644, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "missing/x: ") != NULL && strstr(err, "No such file") != NULL, "%s", err);
    /* the name is a non-empty directory: the rename fails, the directory and its file stay as they were */
    snprintf(path, sizeof path, "%s/busy", dir);
    CHECK_EQ_INT(mkdir(path, 0755), 0);
    char inner[160];
    snprintf(inner, sizeof inner, "%s/keep", path);
    CHECK_EQ_INT(eb_write_file_atomic(inner, "old", 3, 0644, err, sizeof err), 0);
    err[0] = 0;
    CHECK_EQ_INT(eb_write_file_atomic(path, "new", 3, 0644, err, sizeof err), -1);
    CHECK_MSG(strncmp(err, path, strlen(path)) == 0, "%s", err);
    CHECK_EQ_INT(read_back(inner, buf, sizeof buf), 3);
    CHECK(strcmp(buf, "old") == 0);
    CHECK_EQ_INT(entries(dir), 1); /* just busy/: the temp file was removed */
    CHECK_EQ_INT(entries(path), 1);
    unlink(inner);
    rmdir(path);
    rmdir(dir);
}

int main(void)
{
    RUN(writes_replaces_and_keeps_the_mode);
    RUN(failures_leave_the_old_content_and_no_temp_file);
    return eb_check_report();
}
