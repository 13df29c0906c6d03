import Foundation
import GRDB

/// One SQLite database per search run (DESIGN.md, "Search"): the run's configuration with a schema
/// version, every candidate with its formula, canonical string, fingerprint, parents and
/// generation, and each stage's verdict, reason, figures and time.
///
/// Every write is its own committed transaction (synchronous = FULL), so a run killed at any
/// moment keeps every evaluation it finished. Candidates are keyed by (generation, slot): the
/// search regenerates a generation deterministically on resume and skips what is recorded.
public final class RunStore: @unchecked Sendable {
    public static let schemaVersion = 1
    public static let fileName = "run.sqlite"

    let db: DatabaseQueue
    public let path: String

    /// Creates a new store at `path`; fails if something is there already (nothing is overwritten).
    public init(creating path: String, config: Data) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw SearchError.storeExists(path: path)
        }
        self.path = path
        db = try Self.open(path)
        try db.write { db in
            try db.execute(sql: Self.schema)
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('tool', 'autoloss'), ('schema_version', ?), ('config', ?)",
                           arguments: [String(Self.schemaVersion), String(decoding: config, as: UTF8.self)])
        }
    }

    /// Opens an existing store, checking that it is an autoloss run of this schema version.
    public init(opening path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw SearchError.notAStore(path: path, reason: "no such file") }
        self.path = path
        do {
            db = try Self.open(path)
            let meta = try db.read { db in
                try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM meta").map {
                    ($0["key"] as String, $0["value"] as String)
                })
            }
            guard meta["tool"] == "autoloss" else { throw SearchError.notAStore(path: path, reason: "not an autoloss run store") }
            guard meta["schema_version"] == String(Self.schemaVersion) else {
                throw SearchError.notAStore(path: path, reason: "schema version \(meta["schema_version"] ?? "?"), this autoloss reads \(Self.schemaVersion)")
            }
        } catch let e as SearchError {
            throw e
        } catch {
            throw SearchError.notAStore(path: path, reason: "not an autoloss run store (\(error.localizedDescription))")
        }
    }

    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return try DatabaseQueue(path: path, configuration: configuration)
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
            verdict TEXT NOT NULL, reason TEXT NOT NULL, figures TEXT NOT NULL, seconds REAL NOT NULL,
            PRIMARY KEY(generation, slot, stage));
        CREATE TABLE baselines(
            name TEXT NOT NULL, stage TEXT NOT NULL, figures TEXT NOT NULL, seconds REAL NOT NULL,
            PRIMARY KEY(name, stage));
        """

    /// The configuration the run was created with.
    public func config() throws -> Data {
        try db.read { db in Data((try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'config'") ?? "").utf8) }
    }

    public func record(_ c: CandidateRecord) throws {
        try db.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO candidates(generation, slot, formula, canonical, fingerprint, parents, origin)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [c.generation, c.slot, c.formula, c.canonical, c.fingerprint,
                                 c.parents.joined(separator: " | "), c.origin])
        }
    }

    public func record(_ r: StageRecord, generation: Int, slot: Int) throws {
        try db.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO stages(generation, slot, stage, verdict, reason, figures, seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [generation, slot, r.stage.rawValue, r.passed ? "pass" : "reject", r.reason,
                                 Self.encode(r.figures), r.seconds])
        }
    }

    public func recordBaseline(name: String, stage: Stage, figures: [String: Double], seconds: Double) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO baselines(name, stage, figures, seconds) VALUES (?, ?, ?, ?)",
                           arguments: [name, stage.rawValue, Self.encode(figures), seconds])
        }
    }

    public func baseline(name: String, stage: Stage) throws -> [String: Double]? {
        try db.read { db in
            try String.fetchOne(db, sql: "SELECT figures FROM baselines WHERE name = ? AND stage = ?", arguments: [name, stage.rawValue])
                .map(Self.decode)
        }
    }

    /// Every candidate with its recorded stages, in (generation, slot) order.
    public func candidates() throws -> [CandidateRecord] {
        try db.read { db in
            var byKey: [String: [StageRecord]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM stages") {
                let key = "\(row["generation"] as Int)/\(row["slot"] as Int)"
                byKey[key, default: []].append(StageRecord(
                    stage: Stage(rawValue: row["stage"]) ?? .validity, passed: (row["verdict"] as String) == "pass",
                    reason: row["reason"], figures: Self.decode(row["figures"]), seconds: row["seconds"]))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM candidates ORDER BY generation, slot").map { row in
                let g: Int = row["generation"], s: Int = row["slot"]
                let parents = (row["parents"] as String).components(separatedBy: " | ").filter { !$0.isEmpty }
                return CandidateRecord(generation: g, slot: s, formula: row["formula"], canonical: row["canonical"],
                                       fingerprint: row["fingerprint"], parents: parents, origin: row["origin"],
                                       stages: (byKey["\(g)/\(s)"] ?? []).sorted { $0.stage.order < $1.stage.order })
            }
        }
    }

    static func encode(_ figures: [String: Double]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> [String: Double] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Double] ?? [:]
    }
}

/// The cascade's stages, in order (DESIGN.md, "The pipeline").
public enum Stage: String, CaseIterable, Codable, Sendable {
    case validity, dedup, cpv, equivalence, mos, proxy

    var order: Int { Stage.allCases.firstIndex(of: self)! }
}

/// One stage's outcome for one candidate.
public struct StageRecord: Equatable, Sendable {
    public var stage: Stage
    public var passed: Bool
    public var reason: String
    public var figures: [String: Double]
    public var seconds: Double

    public init(stage: Stage, passed: Bool, reason: String, figures: [String: Double] = [:], seconds: Double) {
        self.stage = stage
        self.passed = passed
        self.reason = reason
        self.figures = figures
        self.seconds = seconds
    }
}

/// A candidate as stored: (generation, slot) is its identity within the run.
public struct CandidateRecord: Equatable, Sendable {
    public var generation: Int
    public var slot: Int
    public var formula: String
    public var canonical: String?
    public var fingerprint: String?
    /// The parents' formulas (infix): none for seeds and random candidates, one for a mutation,
    /// two for a crossover.
    public var parents: [String]
    public var origin: String
    public var stages: [StageRecord]

    public init(generation: Int, slot: Int, formula: String, canonical: String? = nil, fingerprint: String? = nil,
                parents: [String] = [], origin: String, stages: [StageRecord] = []) {
        self.generation = generation
        self.slot = slot
        self.formula = formula
        self.canonical = canonical
        self.fingerprint = fingerprint
        self.parents = parents
        self.origin = origin
        self.stages = stages
    }
}
