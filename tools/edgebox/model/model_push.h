#ifndef EB_TOOLS_MODEL_PUSH_H
#define EB_TOOLS_MODEL_PUSH_H

/* edgebox model push --in M.signed (--state-dir DIR | --drop-dir DIR): hands a signed model to a box's
 * drop directory on this machine (with --host, cmd_model.c sends it over the box's API instead,
 * tools/edgebox/cli/remote.h): a local copy, written under a dot-name (which the
 * daemon ignores), fsynced, then renamed into place, so the daemon never sees half a file. The daemon
 * verifies it; push only checks that the file looks like a signed model. */
int eb_model_push_main(int argc, char **argv);

#endif
