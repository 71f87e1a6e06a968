#include "app/versions.h"
#include "tools/edgebox/cli/commands.h"

EB_COMMAND(version, "print the version and the linked libraries' versions")

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    eb_versions_print(stdout, "edgebox");
    return 0;
}
