import Dispatch
import Foundation
import Search

/// SIGINT, SIGTERM and SIGHUP during a search or a training: the first asks it to stop cleanly
/// (a search starts no new training, ends the ones under way early, prints its hall of fame so
/// far; a training ends at its next step; exit 128 + the signal: 130 for Ctrl-C, 143 for
/// SIGTERM); a second one ends the process at once (a search's store stays consistent: every
/// write is a committed transaction).
enum Interruption {
    /// The handlers' sources, made once and kept for the life of the process (libdispatch on
    /// Linux does not deliver to a second source made for a signal after the first is
    /// cancelled), and the request they serve now.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var current = StopRequest()
    nonisolated(unsafe) private static var message = ""
    private static let lock = NSLock()

    /// Points the signals at `stop` (a later call, the ablation's next arm, takes them over);
    /// `stopping` is what the first signal says will happen.
    static func install(_ stop: StopRequest, stopping: String = "no new training starts, the ones under way end now") {
        lock.lock()
        defer { lock.unlock() }
        current = stop
        message = stopping
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
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
            source.resume()
            sources.append(source)
        }
    }
}
