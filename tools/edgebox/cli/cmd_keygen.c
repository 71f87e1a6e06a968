/* edgebox keygen --out DIR [--force]: the ECDSA P-256 key pair that signs model blobs. An existing pair
 * is kept unless --force: replacing it orphans every model signed with it. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/edgebox/cli/commands.h"
#include "tools/edgebox/model/model_compile.h"

EB_COMMAND(keygen, "make an ECDSA P-256 model-signing key pair (DIR/model.key 0600, DIR/model.pub)")

static void usage(FILE *f)
{
    fprintf(f, "usage: edgebox keygen --out DIR [--force]\n"
               "  writes DIR/model.key (private, 0600) and DIR/model.pub; refuses to replace either\n"
               "  unless --force (models signed with the old key would no longer verify)\n");
}

int cmd_keygen(int argc, char **argv)
{
    const char *dir = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && !dir) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "edgebox keygen: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "edgebox keygen: --out DIR is required\n");
        usage(stderr);
        return 2;
    }
    static const char *const names[2] = {"model.key", "model.pub"};
    for (int i = 0; i < 2 && !force; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) == 0) {
            fprintf(stderr, "edgebox keygen: %s exists: refusing to replace the key pair (models signed with it "
                            "would no longer verify); give --force to replace it\n", path);
            return 1;
        }
    }
    char err[4200];
    if (eb_keygen(dir, err, sizeof err)) {
        fprintf(stderr, "edgebox keygen: %s\n", err);
        return 1;
    }
    printf("%s/model.key (private, mode 0600)\n%s/model.pub (public: install on the box)\n", dir, dir);
    return 0;
}
