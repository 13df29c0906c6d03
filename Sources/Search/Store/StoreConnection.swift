import Foundation
import GRDB

/// The run store's database connection, with its failures told in a line that names the file
/// and the cause (a full disk, a read-only folder, a corrupt file) instead of SQLite's text, so
/// that no raw SQLite message reaches the user (the command line exits 3 for them).
struct StoreConnection: Sendable {
    let queue: DatabaseQueue
    let path: String
    /// The private copy the queue reads, for a store on read-only storage (`RunStore.openCopy`).
    var copy: StoreCopy? = nil

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try queue.read(body) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try queue.write(body) }
    }

    func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError { throw Self.error(error, path: path) } catch is RowDecodingError {
            // A single value fetched by position (not through `Row.value`) names no column.
            throw Self.corrupt(CorruptValue(column: nil, holds: "a value of the wrong type"), path: path)
        } catch let error as CorruptValue {
            throw Self.corrupt(error, path: path)
        }
    }

    /// A stored value that does not decode: a value of another type than its column's (text in a
    /// number's column), or a result's JSON damaged or edited by hand.
    struct CorruptValue: Error {
        let column: String?
        var holds = "a value that does not read"
    }

    static func corrupt(_ value: CorruptValue, path: String) -> SearchError {
        .io(path: path, cause: "the run store is corrupt (\(value.column.map { "column '\($0)'" } ?? "a column") holds \(value.holds))")
    }

    /// A database failure as the search's error: a file that is not a database is not a run
    /// store (bad input); anything else is the environment's.
    static func error(_ e: DatabaseError, path: String) -> SearchError {
        switch e.resultCode.primaryResultCode {
        case .SQLITE_NOTADB: return .notAStore(path: path, reason: "not an SQLite database")
        case .SQLITE_FULL: return .io(path: path, cause: "the disk is full")
        case .SQLITE_READONLY: return .io(path: path, cause: "the run store cannot be written (a read-only file or folder)")
        case .SQLITE_CORRUPT: return .io(path: path, cause: "the run store is corrupt (database disk image is malformed)")
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .io(path: path, cause: "the run store stayed locked by another process for a minute")
        case .SQLITE_CANTOPEN: return .io(path: path, cause: "the run store cannot be opened (a missing folder, or no permission)")
        case .SQLITE_PERM, .SQLITE_AUTH: return .io(path: path, cause: "permission denied")
        case .SQLITE_IOERR: return .io(path: path, cause: "an I/O error reading or writing the run store")
        default: return .io(path: path, cause: "the run store failed (SQLite code \(e.resultCode.rawValue))")
        }
    }
}

extension Row {
    /// The column's value. A value of another type (text in a number's column: a store edited
    /// by hand, or damaged) is a corrupt store, named by its column; GRDB's subscript would stop
    /// the program on it.
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ column: String) throws -> T {
        do { return try decode(T.self, forColumn: column) } catch is RowDecodingError {
            throw StoreConnection.CorruptValue(column: column, holds: "a value of the wrong type")
        }
    }
}
