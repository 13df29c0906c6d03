import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The run folder's lock: one search (or resume) writes a run at a time. An advisory `flock` on
/// run.lock, which holds the owner's process id; the system drops it when the process ends,
/// however it ends, so a killed search never leaves its run locked.
public final class RunLock: @unchecked Sendable {
    private var descriptor: Int32

    /// Takes the lock of `folder`, or says which process has it.
    init(folder: RunFolder) throws {
        let path = folder.lockFile.path
        descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw SearchError.io(path: path, cause: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw SearchError.runInUse(path: folder.url.path, process: owner.isEmpty ? "?" : owner)
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
    public func lock() throws -> RunLock { try RunLock(folder: self) }
}
