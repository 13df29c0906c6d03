import Foundation
import GRDB

/// A finished run on read-only storage (an archive, a read-only mount): its store is in
/// SQLite's write-ahead-log mode, and a reader of such a database needs its shared-memory file
/// (run.sqlite-shm), which SQLite makes beside the store when it is missing. Where it is
/// missing and cannot be made, the store is read from a private copy.
///
/// SQLite's `immutable=1` would read the store in place, but it ignores the write-ahead log
/// (run.sqlite-wal), where a killed run's newest results are; and it needs URI file names, which
/// GRDB does not ask SQLite for. The copy holds the store and its log, so it reads what the run
/// wrote, and SQLite makes the shared-memory file beside it.
extension RunStore {
    /// Whether a read-only open failed for want of a writable folder: SQLite could not make the
    /// shared-memory file (SQLITE_CANTOPEN, or SQLITE_READONLY_CANTINIT and its kin).
    static func needsWritableFolder(_ e: DatabaseError) -> Bool {
        e.resultCode.primaryResultCode == .SQLITE_CANTOPEN || e.resultCode.primaryResultCode == .SQLITE_READONLY
    }

    /// The store at `path`, with its write-ahead log, copied to a private temporary folder and
    /// opened there read-only; the folder goes when the connection does.
    static func openCopy(_ path: String, configuration: Configuration) throws -> StoreConnection {
        let copy = try StoreCopy()
        let fm = FileManager.default
        let name = copy.folder.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
        for suffix in ["", "-wal"] where suffix.isEmpty || fm.fileExists(atPath: path + suffix) {
            try fm.copyItem(atPath: path + suffix, toPath: name + suffix)
            // Copied with the original's mode (read-only): SQLite opens its log for writing.
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: name + suffix)
        }
        let queue = try DatabaseQueue(path: name, configuration: configuration)
        try queue.read { _ = try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
        return StoreConnection(queue: queue, path: path, copy: copy)
    }
}

/// A private temporary folder holding a copy of a run store, removed with the last connection
/// that reads it.
final class StoreCopy: @unchecked Sendable {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autoloss-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}
