#ifndef AUTOLOSS_CSIGNALS_H
#define AUTOLOSS_CSIGNALS_H
// Stop signals as bytes on a pipe, for the command line's Interruption. libdispatch's signal
// sources on Linux read a signalfd and rely on every thread blocking the signal; a thread that
// does not (one the OpenMP runtime or oneDNN started, the main thread) may take it first, and
// the request is lost: a Ctrl-C the search never saw. A handler runs in whichever thread the
// kernel picks, so nothing is lost, and it does no more than a signal handler may.

#ifdef __cplusplus
extern "C" {
#endif

/// Makes each of `signals` (`count` of them) write its number, one byte, to `fd` (a pipe's
/// write end, non-blocking: a full pipe drops the byte, and the reader already has enough to
/// act on). The handlers restart interrupted system calls and keep errno; a program this process
/// starts gets the signals at their default action again (exec resets handlers). Returns 0, or
/// an errno value.
int csignals_forward(const int *signals, int count, int fd);

/// Unblocks `signals` in the calling thread, so that some thread is there to take them even
/// where this process inherited them blocked. Returns 0, or an errno value.
int csignals_unblock(const int *signals, int count);

#ifdef __cplusplus
}
#endif

#endif
