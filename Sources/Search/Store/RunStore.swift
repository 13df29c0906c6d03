import Detection
import Foundation
import GRDB

/// One SQLite database per search run (DESIGN.md, "Search"): the run's configuration with a schema
/// version, every candidate with its formula, canonical string, fingerprint, parents and
/// generation, and each stage's verdict, reason, result and time.
///
/// Every write is its own committed transaction (synchronous = FULL), so a run killed at any
/// moment keeps every evaluation it finished. Candidates are keyed by (generation, slot): the
/// search regenerates a generation deterministically on resume and skips what is recorded.
/// A store of an older schema is migrated when it is opened (`RunStore+Migration.swift`).
///
/// The journal is SQLite's write-ahead log: readers (`autoloss report`, scripts) open the store
/// read-only and never block the writing search, nor does it block them; a connection that
/// finds the database busy waits for it (up to a minute) instead of failing.
public final class RunStore: @unchecked Sendable {
    /// 1: results as flat figures ({"ap", "status", "s0".."s11"}), options with string-typed
    /// evaluator; 2: results as one `EvaluationResult` JSON value, typed options; 3: stage and
    /// baseline rows carry `finished_at` (Unix seconds when first recorded; NULL in older rows),
    /// the report's clock.
    public static let schemaVersion = 3

    let db: StoreConnection
    /// The database file's path.
    public let path: String
    /// The file opened at `path` (`checkInPlace`).
    let identity: FileIdentity?

    /// Creates a new store at `path`; fails if something is there already (nothing is overwritten).
    ///
    /// The store appears whole or not at all: it is written under `path` + ".new" and linked to
    /// `path` once its schema and configuration are committed, so that a process killed while
    /// creating it leaves no empty or schema-less file that a resume would refuse. A ".new" file
    /// is only ever such a leftover, and is replaced.
    public init(creating path: String, options: SearchOptions) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw SearchError.storeExists(path: path)
        }
        let draft = Self.draftPath(path)
        for leftover in Self.draftFiles(path) { unlink(leftover) }
        let written = try Self.open(draft)
        try written.write { db in
            try db.execute(sql: Self.schema)
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('tool', 'autoloss'), ('schema_version', ?), ('config', ?)",
                           arguments: [String(Self.schemaVersion), String(decoding: options.encoded(), as: UTF8.self)])
        }
        // Closing the last connection moves the log into the file and removes the log.
        try written.guarded { try written.queue.close() }
        // link(2) fails where `path` exists, which rename(2) would replace.
        guard link(draft, path) == 0 else {
            let cause = errno
            unlink(draft)
            if cause == EEXIST { throw SearchError.storeExists(path: path) }
            throw SearchError.io(path: path, cause: "cannot create the run store: \(String(cString: strerror(cause)))")
        }
        unlink(draft)
        self.path = path
        db = try Self.open(path)
        identity = FileIdentity(path)
    }

    /// Where a store is written before it appears at `path`.
    static func draftPath(_ path: String) -> String { path + ".new" }

    /// The draft and the files SQLite keeps beside it while it is written: what a creation
    /// stopped midway may leave.
    static func draftFiles(_ path: String) -> [String] { ["", "-wal", "-shm"].map { draftPath(path) + $0 } }

    /// Opens an existing store, checking that it is an autoloss run, and migrates an older
    /// schema. `readOnly`: for readers beside a running search (a schema 1 store, which no
    /// search of this autoloss writes, is still opened for writing once, to migrate it).
    public init(opening path: String, readOnly: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw SearchError.notAStore(path: path, reason: "no such file") }
        // SQLite takes an empty file for a new database and writes one into it: refused first.
        if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 0 {
            throw SearchError.notAStore(path: path, reason: "it is empty (0 bytes), not an SQLite database")
        }
        self.path = path
        do {
            var db = try Self.open(path, readOnly: readOnly)
            let meta = try db.read { db in
                // A damaged meta table (a NULL, a repeated key) is a corrupt store, not a trap.
                try Dictionary(Row.fetchAll(db, sql: "SELECT key, value FROM meta").map {
                    (try $0.value("key") as String, try $0.value("value") as String)
                }, uniquingKeysWith: { first, _ in first })
            }
            guard meta["tool"] == "autoloss" else { throw SearchError.notAStore(path: path, reason: "not an autoloss run store") }
            switch meta["schema_version"].flatMap(Int.init) {
            case Self.schemaVersion?: break
            case 2?:
                // A reader leaves a schema 2 store as it is (its rows have no times anyway).
                if !readOnly { try Self.migrateFromVersion2(db) }
            case 1?:
                if readOnly { db = try Self.open(path) }
                try Self.migrateFromVersion1(db)
            default:
                throw SearchError.notAStore(path: path, reason: "schema version \(meta["schema_version"] ?? "?"), this autoloss reads 1 to \(Self.schemaVersion)")
            }
            self.db = db
            identity = FileIdentity(path)
        } catch let e as SearchError {
            throw e
        } catch let e as DatabaseError {
            throw StoreConnection.error(e, path: path)
        } catch {
            throw SearchError.notAStore(path: path, reason: "not an autoloss run store (\(error.localizedDescription))")
        }
    }

    static func open(_ path: String, readOnly: Bool = false) throws -> StoreConnection {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(60)
        if !readOnly {
            configuration.journalMode = .wal
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // A reader's first read, here: on read-only storage it is what fails.
            if readOnly { try queue.read { _ = try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") } }
            return StoreConnection(queue: queue, path: path)
        } catch let e as DatabaseError {
            if readOnly, Self.needsWritableFolder(e), let copy = try? Self.openCopy(path, configuration: configuration) { return copy }
            throw StoreConnection.error(e, path: path)
        }
    }

    static let schema = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE candidates(
            generation INTEGER NOT NULL, slot INTEGER NOT NULL,
            formula TEXT NOT NULL, canonical TEXT, fingerprint TEXT,
            parents TEXT NOT NULL, origin TEXT NOT NULL,
            PRIMARY KEY(generation, slot));
        CREATE TABLE stages(
            generation INTEGER NOT NULL, slot INTEGER NOT NULL, stage TEXT NOT NULL,
            verdict TEXT NOT NULL, reason TEXT NOT NULL, result TEXT, seconds REAL NOT NULL, finished_at REAL,
            PRIMARY KEY(generation, slot, stage));
        CREATE TABLE baselines(
            name TEXT NOT NULL, stage TEXT NOT NULL, result TEXT NOT NULL, seconds REAL NOT NULL, finished_at REAL,
            PRIMARY KEY(name, stage));
        """

    /// The options the run was created with.
    public func options() throws -> SearchOptions {
        let text = try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'config'") ?? "" }
        return try SearchOptions.decoded(from: Data(text.utf8))
    }

    /// Keeps what a resume may change for the report and the next resume: the budgets
    /// (generations, proxy trainings, time limit and overrun) and where evaluations run
    /// (executor, its arguments, the time limit per evaluation). The rest of `o` must be the
    /// run's own options.
    public func updateResumable(_ o: SearchOptions) throws {
        var kept = try options()
        kept.generations = o.generations
        kept.maxEvaluations = o.maxEvaluations
        kept.timeLimitMinutes = o.timeLimitMinutes
        kept.allowOverrun = o.allowOverrun
        kept.executor = o.executor
        kept.evalTimeoutSeconds = o.evalTimeoutSeconds
        let text = String(decoding: kept.encoded(), as: UTF8.self)
        try db.write { db in try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'config'", arguments: [text]) }
    }

    /// Records a candidate.
    public func record(_ c: CandidateRecord) throws { try recordBatch([c]) }

    /// Records a candidate's stage.
    public func record(_ r: StageRecord, generation: Int, slot: Int) throws {
        try db.write { db in try Self.insert(r, generation: generation, slot: slot, into: db) }
    }

    /// `finishedAt`: when the row was first recorded (a row written again on resume keeps it).
    static func insert(_ r: StageRecord, generation: Int, slot: Int, into db: Database, finishedAt: Date? = Date()) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO stages(generation, slot, stage, verdict, reason, result, seconds, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?,
                    COALESCE((SELECT finished_at FROM stages WHERE generation = ? AND slot = ? AND stage = ?), ?))
            """, arguments: [generation, slot, r.stage.rawValue, r.passed ? "pass" : "reject", r.reason,
                             r.result.map(Self.encode), r.seconds, generation, slot, r.stage.rawValue,
                             finishedAt?.timeIntervalSince1970])
    }

    func recordBaseline(name: String, stage: TrainingStage, result: EvaluationResult) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO baselines(name, stage, result, seconds, finished_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, stage.rawValue, Self.encode(result), result.seconds, Date().timeIntervalSince1970])
        }
    }

    /// The baseline loss's result at a stage, if it was trained in this run.
    public func baseline(name: String, stage: TrainingStage) throws -> EvaluationResult? {
        try db.read { db in
            try String.fetchOne(db, sql: "SELECT result FROM baselines WHERE name = ? AND stage = ?", arguments: [name, stage.rawValue])
                .map { try Self.decode($0) }
        }
    }

    /// Takes the baselines `other` trained (the filter ablation trains them once for all arms).
    public func copyBaselines(from other: RunStore) throws {
        let rows = try other.db.read { db in try Row.fetchAll(db, sql: "SELECT name, stage, result FROM baselines") }
        try db.write { db in
            for row in rows {
                try db.execute(sql: "INSERT OR REPLACE INTO baselines(name, stage, result, seconds) VALUES (?, ?, ?, 0)",
                               arguments: [try row.value("name") as String, row.value("stage") as String, row.value("result") as String])
            }
        }
    }

    /// Every candidate with its recorded stages, in (generation, slot) order.
    public func candidates() throws -> [CandidateRecord] {
        try db.read { db in
            var byKey: [String: [StageRecord]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM stages") {
                let key = "\(try row.value("generation") as Int)/\(try row.value("slot") as Int)"
                byKey[key, default: []].append(try Self.stageRecord(row, stage: Stage(rawValue: row.value("stage")) ?? .validity))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM candidates ORDER BY generation, slot").map { row in
                let g: Int = try row.value("generation"), s: Int = try row.value("slot")
                let parents = (try row.value("parents") as String).components(separatedBy: " | ").filter { !$0.isEmpty }
                return try CandidateRecord(generation: g, slot: s, formula: row.value("formula"), canonical: row.value("canonical"),
                                       fingerprint: row.value("fingerprint"), parents: parents, origin: row.value("origin"),
                                       stages: (byKey["\(g)/\(s)"] ?? []).sorted { $0.stage.order < $1.stage.order })
            }
        }
    }

    static func stageRecord(_ row: Row, stage: Stage) throws -> StageRecord {
        try StageRecord(stage: stage, passed: (row.value("verdict") as String) == "pass", reason: row.value("reason"),
                    result: (row.value("result") as String?).map { try Self.decode($0) }, seconds: row.value("seconds"))
    }

    static func encode(_ result: EvaluationResult) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(result)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// A stored result; one that does not read is a damaged store (`StoreConnection` says so),
    /// not a training that never ran.
    static func decode(_ text: String) throws -> EvaluationResult {
        do { return try JSONDecoder().decode(EvaluationResult.self, from: Data(text.utf8)) } catch {
            throw StoreConnection.CorruptValue(column: "result")
        }
    }
}
