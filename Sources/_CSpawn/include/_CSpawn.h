#ifndef AUTOLOSS_CSPAWN_H
#define AUTOLOSS_CSPAWN_H
// Starting and reaping a program with posix_spawn, for Search's ProcessRunner: what Foundation's
// Process does not do (it leaves a descriptor of its own open in the program, notices the
// program's end only once every holder of that descriptor has closed it, and hands on the
// signals autoloss ignores), and what Swift cannot reach on Linux (glibc declares
// posix_spawn_file_actions_addclosefrom_np and _addchdir_np only under _GNU_SOURCE).

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts `path` (argv, envp: NULL-terminated) in a process group of its own, in `directory`
/// (NULL: this one), its standard input, output and error the descriptors `in`, `out`, `err`
/// (each at least 3), every other descriptor closed, every signal at its default action and none
/// blocked. Returns 0 and the process id in `*pid`, or an errno value.
int cspawn_start(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *directory,
                 int in, int out, int err);

/// Waits for process `pid` (a child) to end and reaps it: `*status` is its exit status, or the
/// number of the signal that ended it with `*signaled` set. Returns 0, or an errno value.
int cspawn_wait(pid_t pid, int *status, int *signaled);

#ifdef __cplusplus
}
#endif

#endif
