// See _CSignals.h.
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include "_CSignals.h"

static volatile sig_atomic_t forward_fd = -1;

static void forward(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (forward_fd >= 0) (void)!write(forward_fd, &byte, 1);
    errno = saved;
}

static int fill(sigset_t *set, const int *signals, int count) {
    if (sigemptyset(set) != 0) return errno;
    for (int i = 0; i < count; i++) {
        if (sigaddset(set, signals[i]) != 0) return errno;
    }
    return 0;
}

int csignals_forward(const int *signals, int count, int fd) {
    struct sigaction action = {0};
    int error = fill(&action.sa_mask, signals, count);
    if (error) return error;
    action.sa_handler = forward;
    action.sa_flags = SA_RESTART;
    forward_fd = fd;
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return errno;
    }
    return 0;
}

int csignals_unblock(const int *signals, int count) {
    sigset_t set;
    int error = fill(&set, signals, count);
    return error ? error : pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
