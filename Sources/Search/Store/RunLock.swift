import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The run folder's lock: one search (or resume) writes a run at a time. An advisory `flock` on
/// run.lock, which holds the owner's process id; the system drops it when the process ends,
/// however it ends, so a killed search never leaves its run locked. A candidate folder has one
/// too (`CandidateFolder.lock()`): one evaluation writes its result at a time. The file is opened
/// without following a link (`RunFile`), and the commands the owner starts do not inherit it.
public final class RunLock: @unchecked Sendable {
    private var descriptor: Int32

    /// Takes the lock of `file`, or throws `inUse` with the process that has it.
    init(file: URL, inUse: (_ process: String) -> SearchError) throws {
        descriptor = try RunFile.openForLock(file)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var owner = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &owner, owner.count, 0)
            let process = String(decoding: owner.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw inUse(process.isEmpty ? "?" : process)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    /// Lets the run go (also done when the process ends).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

extension RunFolder {
    /// The run's lock, for as long as the returned value lives.
    public func lock() throws -> RunLock { try RunLock(file: lockFile) { .runInUse(path: url.path, process: $0) } }
}
