#ifndef EB_TOOLS_COMMANDS_H
#define EB_TOOLS_COMMANDS_H

/* Every command gets its own argv (argv[0] is the command's name) and returns the exit status. */
#define CMD(name, fn, summary) int fn(int argc, char **argv);
#include "tools/edgebox/commands.def"
#undef CMD

#endif
