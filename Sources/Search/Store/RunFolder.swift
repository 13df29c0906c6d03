import Foundation

/// A search run's folder and what it holds (DESIGN.md, "Search"): the one place that knows the
/// layout.
///
///     runs/reg-20261128-093000/
///       run.sqlite          every candidate and stage (RunStore)
///       search.log          what the terminal showed, line by line
///       hall-of-fame.json   the best losses at the end of the search
///       report.html         the HTML report (Report's `ReportPage`)
///       evaluations/        one folder per external evaluation (`CandidateFolder`)
///       checkpoints/        proxy trainings' checkpoints at their rungs
///       run.lock            held by the process writing the run (`RunLock`)
///
/// A filter ablation's folder holds one run folder per arm and `ablation.txt`.
public struct RunFolder: Sendable {
    /// The run store's file name.
    public static let storeName = "run.sqlite"

    /// The folder.
    public let url: URL

    /// The run folder at `url`.
    public init(_ url: URL) { self.url = url }

    /// A folder given on the command line, or the store file inside it.
    public init(path: String) {
        url = path.hasSuffix(".sqlite") ? URL(fileURLWithPath: path).deletingLastPathComponent() : URL(fileURLWithPath: path)
    }

    /// The run store's path.
    public var storePath: String { url.appendingPathComponent(Self.storeName).path }
    /// search.log: the progress lines.
    public var log: URL { url.appendingPathComponent("search.log") }
    /// `autoloss confirm`'s lines, a training each.
    public var confirmationLog: URL { url.appendingPathComponent("confirm.log") }
    /// hall-of-fame.json.
    public var hallOfFame: URL { url.appendingPathComponent("hall-of-fame.json") }
    /// The candidate folders of evaluations run outside the search's process (commands, workers).
    public var evaluations: URL { url.appendingPathComponent("evaluations") }
    /// Proxy trainings' checkpoints at their rungs (hurdles), while they run.
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    /// The HTML report.
    public var report: URL { url.appendingPathComponent("report.html") }
    /// Held by the process writing the run.
    public var lockFile: URL { url.appendingPathComponent("run.lock") }
    /// A filter ablation's table (the folder holding its arms' run folders).
    public var ablationTable: URL { url.appendingPathComponent("ablation.txt") }

    /// A new run: the folder must not exist, or hold nothing but what a run stopped before its
    /// store was written leaves (nothing is overwritten).
    public func create(_ options: SearchOptions) throws -> RunStore {
        if FileManager.default.fileExists(atPath: url.path) && !isUnbegun {
            throw SearchError.storeExists(path: url.path)
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw SearchError.io(path: url.path, cause: "cannot create the run folder: \(Self.cause(of: error))")
        }
        return try RunStore(creating: storePath, options: options)
    }

    /// The store of an existing run; `readOnly` for readers beside a running search.
    public func open(readOnly: Bool = false) throws -> RunStore {
        guard FileManager.default.fileExists(atPath: storePath) else { throw missingStore }
        return try RunStore(opening: storePath, readOnly: readOnly)
    }

    /// The failure to open a store that is not there; a run stopped before its store was written
    /// is started again, not resumed.
    var missingStore: SearchError {
        .notAStore(path: storePath, reason: isUnbegun ? "no such file: the run was stopped before its store was written; start it again with the same command" : "no such file")
    }

    /// A folder that exists and holds nothing, or only a store being written (`RunStore`'s
    /// draft): a run stopped before it began.
    var isUnbegun: Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return false }
        let drafts = RunStore.draftFiles(storePath).map { URL(fileURLWithPath: $0).lastPathComponent }
        return names.allSatisfy(drafts.contains)
    }

    /// The store of an existing run, to write, opened under the run's lock, which is taken
    /// first: a run that another process writes is refused before anything is written to it.
    public func openLocked() throws -> (store: RunStore, lock: RunLock) {
        // No lock file is left where there is no run.
        guard FileManager.default.fileExists(atPath: storePath) else { throw missingStore }
        let lock = try lock()
        return (try open(), lock)
    }

    /// The operating system's reason for a file error ("Permission denied", "Not a directory"),
    /// without Foundation's domain and code.
    public static func cause(of error: Error) -> String {
        let ns = error as NSError
        if let underlying = (ns.userInfo[NSUnderlyingErrorKey] as? Error).map({ $0 as NSError }), underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }

    /// Appends a line to search.log (never through a link: `RunFile`); a failure (a full disk)
    /// is `SearchError.io` with the cause.
    public func appendLog(_ line: String) throws {
        try RunFile.append(Data((line + "\n").utf8), to: log)
    }
}
