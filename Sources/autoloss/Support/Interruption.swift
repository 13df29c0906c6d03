import _CSignals
import Foundation
import Search

/// SIGINT, SIGTERM and SIGHUP during a search or a training: the first asks it to stop cleanly
/// (a search starts no new training, ends the ones under way early, prints its hall of fame so
/// far; a training ends at its next step; exit 128 + the signal: 130 for Ctrl-C, 143 for
/// SIGTERM); a second one ends the process at once (a search's store stays consistent: every
/// write is a committed transaction).
///
/// The signals' handlers only write the signal's number to a pipe (`_CSignals`); a thread of
/// its own reads it and acts. Not a dispatch signal source: on Linux that takes a signal only
/// where every thread blocks it, and a thread that does not (OpenMP's, the main thread) may take
/// it first, so that a Ctrl-C could go unseen and the search run to its end.
enum Interruption {
    nonisolated(unsafe) private static var started = false
    nonisolated(unsafe) private static var current = StopRequest()
    nonisolated(unsafe) private static var message = ""
    private static let lock = NSLock()
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Points the signals at `stop` (a later call, the ablation's next arm, takes them over);
    /// `stopping` is what the first signal says will happen.
    static func install(_ stop: StopRequest, stopping: String = "no new training starts, the ones under way end now") {
        lock.lock()
        defer { lock.unlock() }
        current = stop
        message = stopping
        guard !started else { return }
        started = true
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return warn("cannot make a pipe", errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        let readEnd = ends[0]
        let reader = Thread { listen(readEnd) }
        reader.name = "autoloss.signals"
        reader.start()
        let code = signals.withUnsafeBufferPointer { csignals_forward($0.baseAddress, Int32($0.count), ends[1]) }
        if code != 0 { warn("cannot handle SIGINT, SIGTERM, SIGHUP", code) }
    }

    /// Reads the signals' numbers as they come, on the reader's own thread; that thread takes
    /// the signals too, where this process inherited them blocked.
    private static func listen(_ fd: Int32) {
        _ = signals.withUnsafeBufferPointer { csignals_unblock($0.baseAddress, Int32($0.count)) }
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return }
            received(Int32(byte))
        }
    }

    private static func received(_ signalNumber: Int32) {
        lock.lock()
        let stop = current, stopping = message
        lock.unlock()
        if stop.isRequested {
            try? FileHandle.standardError.write(contentsOf: Data("\nstopped at once\n".utf8))
            _exit(128 + signalNumber)
        }
        stop.request(signal: signalNumber)
        try? FileHandle.standardError.write(contentsOf: Data("\nstopping: \(stopping) (again to stop at once)\n".utf8))
    }

    /// The signals keep their default action (the process ends at once, nothing lost that a
    /// committed store holds); said once, so that a user knows why Ctrl-C was not clean.
    private static func warn(_ what: String, _ code: Int32) {
        try? FileHandle.standardError.write(contentsOf: Data("warning: \(what): \(String(cString: strerror(code))); a signal ends the process at once\n".utf8))
    }
}
