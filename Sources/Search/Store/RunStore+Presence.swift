import Foundation

/// A file's device and inode: the same path may come to name another file, or none.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file at `path` (following links), or nil where there is none.
    init?(_ path: String) {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        (device, inode) = (UInt64(s.st_dev), UInt64(s.st_ino))
    }
}

extension RunStore {
    /// Throws where `path` no longer names the file this store writes: SQLite goes on writing a
    /// deleted or replaced file without an error, so a search whose run.sqlite was removed
    /// would end with exit 0 and nothing kept.
    public func checkInPlace() throws {
        guard let opened = identity, FileIdentity(path) == opened else {
            throw SearchError.io(path: path, cause: "the run store was removed or replaced while the search ran: what it recorded is not there")
        }
    }
}
