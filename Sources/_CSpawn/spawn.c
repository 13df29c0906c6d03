// See _CSpawn.h.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include "_CSpawn.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define CSPAWN_CLOSEFROM 1
#endif
#if defined(__APPLE__) || (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29)))
#define CSPAWN_CHDIR 1
#endif

#if !defined(CSPAWN_CLOSEFROM) && !defined(__APPLE__)
/// Closes, in the child, every descriptor from 3 up that is open now (where the C library has no
/// close-from action: a descriptor another thread opens meanwhile may stay open).
static int close_open_descriptors(posix_spawn_file_actions_t *actions) {
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 65536) limit = 65536;
    for (int fd = 3; fd < limit; fd++) {
        if (fcntl(fd, F_GETFD) == -1) continue;
        int error = posix_spawn_file_actions_addclose(actions, fd);
        if (error != 0) return error;
    }
    return 0;
}
#endif

int cspawn_start(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *directory,
                 int in, int out, int err) {
    if (in < 3 || out < 3 || err < 3) return EINVAL;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int error = posix_spawn_file_actions_init(&actions);
    if (error != 0) return error;
    error = posix_spawnattr_init(&attributes);
    if (error != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return error;
    }
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
#ifdef __APPLE__
    flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
#endif
    sigset_t defaults, none;
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    sigemptyset(&none);
    if (!error) error = posix_spawnattr_setflags(&attributes, flags);
    if (!error) error = posix_spawnattr_setpgroup(&attributes, 0);
    if (!error) error = posix_spawnattr_setsigdefault(&attributes, &defaults);
    if (!error) error = posix_spawnattr_setsigmask(&attributes, &none);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, in, 0);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, out, 1);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, err, 2);
#if defined(CSPAWN_CLOSEFROM)
    if (!error) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#elif !defined(__APPLE__)
    if (!error) error = close_open_descriptors(&actions);
#endif
    if (!error && directory != NULL) {
#if defined(CSPAWN_CHDIR)
        error = posix_spawn_file_actions_addchdir_np(&actions, directory);
#else
        error = ENOSYS;
#endif
    }
    if (!error) error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return error;
}

int cspawn_wait(pid_t pid, int *status, int *signaled) {
    int raw = 0;
    pid_t waited;
    do {
        waited = waitpid(pid, &raw, 0);
    } while (waited == -1 && errno == EINTR);
    if (waited == -1) return errno;
    *signaled = WIFSIGNALED(raw) ? 1 : 0;
    *status = WIFSIGNALED(raw) ? WTERMSIG(raw) : WEXITSTATUS(raw);
    return 0;
}
