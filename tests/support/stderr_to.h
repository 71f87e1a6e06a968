/* Sends a test's stderr to a file while an in-process command runs, so its message can be read back. */
#ifndef EB_TESTS_STDERR_TO_H
#define EB_TESTS_STDERR_TO_H

/* Flushes stderr and points fd 2 at path (truncated); returns the saved fd for eb_test_stderr_back. */
int eb_test_stderr_to(const char *path);
void eb_test_stderr_back(int saved);

#endif
