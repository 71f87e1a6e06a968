/* edgebox: the host tool (data, features, training, validation, models, keys, the simulated board).
 * `edgebox COMMAND --help` describes each command. */
#include "tools/edgebox/cli/commands.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
#define CMD(name, summary) {#name, cmd_##name, summary},
#include "commands.def"
#undef CMD
};

/* A command's name is a C identifier in the table; on the command line its '_' is written '-'
 * (exchange_sim is `edgebox exchange-sim`). */
static int name_is(const char *table, const char *arg)
{
    for (; *table && *arg; table++, arg++)
        if (*table != *arg && !(*table == '_' && *arg == '-'))
            return 0;
    return *table == *arg;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: edgebox COMMAND [options]   (edgebox COMMAND --help for each)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s", commands[i].name);
        for (char *c = name; *c; c++)
            *c = *c == '_' ? '-' : *c;
        fprintf(out, "  %-12s %s\n", name, commands[i].summary);
    }
    fprintf(out, "\n  --version    same as 'edgebox version'\n  --help       this text\n");
}

/* What a command printed must have reached stdout: a full disk or a closed pipe is an error, not exit 0
 * (issue 11 item 8). Every command's output passes here, so none can forget it. */
static int stdout_checked(const char *cmd, int rc)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad)
        return rc;
    fprintf(stderr, "edgebox %s: writing standard output: %s\n", cmd, strerror(e ? e : EIO));
    return rc ? rc : 1;
}

int main(int argc, char **argv)
{
    /* A file-size limit makes the write fail (EFBIG) instead of killing the tool: the output's temp file is
     * then removed and the error named like a full disk's. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return stdout_checked("--help", 0);
    }
    if (strcmp(cmd, "--version") == 0)
        cmd = "version";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (name_is(commands[i].name, cmd))
            return stdout_checked(cmd, commands[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "edgebox: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
