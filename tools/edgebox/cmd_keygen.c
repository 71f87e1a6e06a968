/* edgebox keygen --out DIR: the ECDSA P-256 key pair that signs model blobs. */
#include <stdio.h>
#include <string.h>

#include "tools/edgebox/commands.h"
#include "tools/edgebox/model_compile.h"

EB_COMMAND(keygen, "make an ECDSA P-256 model-signing key pair (DIR/model.key 0600, DIR/model.pub)")

int cmd_keygen(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--out") != 0) {
        fprintf(stderr, "usage: edgebox keygen --out DIR\n");
        return 2;
    }
    char err[512];
    if (eb_keygen(argv[2], err, sizeof err)) {
        fprintf(stderr, "edgebox keygen: %s\n", err);
        return 1;
    }
    printf("%s/model.key (private, mode 0600)\n%s/model.pub (public: install on the box)\n", argv[2], argv[2]);
    return 0;
}
