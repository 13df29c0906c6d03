import Foundation

/// A request to stop a search (SIGINT, SIGTERM, SIGHUP): no training starts after it, and the
/// trainings under way end early (the built-in detector at its next step, an external command
/// with its whole process group). What they would have given is not recorded, so a resumed run
/// trains them again; everything finished before stays in the store.
public final class StopRequest: @unchecked Sendable {
    private var signal: Int32?
    private let lock = NSLock()

    /// No stop requested yet.
    public init() {}

    /// Asks to stop, for `signal` (the first request counts).
    public func request(signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if self.signal == nil { self.signal = signal }
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { signalNumber != nil }

    /// The signal that asked, if any.
    public var signalNumber: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return signal
    }
}

/// Thrown out of a search that stopped on request: the caller prints what was found so far and
/// exits with the signal's code.
public struct SearchStopped: Error, Sendable {
    /// The signal that stopped it (SIGINT 2, SIGTERM 15, ...).
    public var signal: Int32
}
