#ifndef EB_TOOLS_COMMANDS_H
#define EB_TOOLS_COMMANDS_H

/* A command is a file tools/edgebox/cmd_<name>.c holding one line
 *     EB_COMMAND(name, "one-line summary")
 * and a function `int cmd_<name>(int argc, char **argv)` (argv[0] is the command's name; returns the
 * exit status). The Makefile collects the EB_COMMAND lines into build/<board>/gen/commands.def, so
 * adding a command touches no shared file. */
#define EB_COMMAND(name, summary)

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CMD

#endif
