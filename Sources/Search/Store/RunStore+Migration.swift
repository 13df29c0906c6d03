import Foundation
import GRDB
import LossLanguage

/// Schema 1 (autoloss before the redesign of issue 13) to 2, in one transaction: the options
/// get their typed evaluator and executor, and each training's flat figures
/// ({"ap", "ap50", "ap75", "status": 0 ok | 1 diverged | 2 failed, "s0".."s11"}) become one
/// `EvaluationResult`. The numbers are read as schema 1's autoloss read them, so a migrated
/// run resumes exactly as it would have before.
extension RunStore {
    static func migrateFromVersion1(_ connection: StoreConnection) throws {
        let path = connection.path
        try connection.write { db in
            let config = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'config'") ?? ""
            let legacy: LegacyOptions
            do { legacy = try JSONDecoder().decode(LegacyOptions.self, from: Data(config.utf8)) } catch {
                throw SearchError.notAStore(path: path, reason: "a schema 1 store whose configuration cannot be read (\(error))")
            }
            let options = try legacy.options()
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'config'", arguments: [String(decoding: options.encoded(), as: UTF8.self)])

            let stages = try Row.fetchAll(db, sql: "SELECT * FROM stages")
            let baselines = try Row.fetchAll(db, sql: "SELECT * FROM baselines")
            try db.execute(sql: "DROP TABLE stages; DROP TABLE baselines")
            try db.execute(sql: Self.schema.components(separatedBy: "CREATE TABLE").filter { $0.contains("stages(") || $0.contains("baselines(") }
                .map { "CREATE TABLE" + $0 }.joined())
            for row in stages {
                let stage = Stage(rawValue: try row.value("stage")) ?? .validity
                let reason: String = try row.value("reason"), seconds: Double = try row.value("seconds")
                let result = stage == .mos || stage == .proxy ? Self.legacyResult(try row.value("figures"), reason: reason, seconds: seconds) : nil
                try Self.insert(StageRecord(stage: stage, passed: (row.value("verdict") as String) == "pass", reason: reason, result: result, seconds: seconds),
                                generation: row.value("generation"), slot: row.value("slot"), into: db, finishedAt: nil)
            }
            for row in baselines {
                let result = try Self.legacyResult(row.value("figures"), reason: "", seconds: row.value("seconds"))
                try db.execute(sql: "INSERT INTO baselines(name, stage, result, seconds) VALUES (?, ?, ?, ?)",
                               arguments: [try row.value("name") as String, row.value("stage") as String, Self.encode(result), row.value("seconds") as Double])
            }
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'schema_version'", arguments: [String(Self.schemaVersion)])
        }
    }

    /// Schema 2 to 3: stage and baseline rows get a nullable `finished_at` (NULL for the rows
    /// recorded before), nothing else changes.
    static func migrateFromVersion2(_ connection: StoreConnection) throws {
        try connection.write { db in
            try db.execute(sql: """
                ALTER TABLE stages ADD COLUMN finished_at REAL;
                ALTER TABLE baselines ADD COLUMN finished_at REAL;
                UPDATE meta SET value = '3' WHERE key = 'schema_version';
                """)
        }
    }

    /// A schema 1 training: its figures decoded as schema 1 decoded them (JSONSerialization).
    static func legacyResult(_ text: String, reason: String, seconds: Double) -> EvaluationResult {
        let f = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Double] ?? [:]
        let status: EvaluationResult.Status = f["status"] == 0 ? .ok : (f["status"] == 1 ? .diverged : .failed)
        return EvaluationResult(status: status, stats: (0..<12).compactMap { f["s\($0)"] }, seconds: seconds,
                                reason: status == .ok ? "" : reason)
    }
}

/// The options as schema 1 stored them: evaluator, data, command, Slurm arguments and jobs as
/// separate loosely typed fields.
private struct LegacyOptions: Decodable {
    var branch: Branch
    var mode: Branch
    var partner: String
    var baseline: String
    var seed: UInt64
    var generations: Int
    var population: Int
    var topK: Int
    var topP: Int
    var maxEvaluations: Int?
    var timeLimitMinutes: Double?
    var mosRejectFraction: Double
    var seedWithKnownLosses: Bool
    var crossoverProbability: Double
    var immigrantProbability: Double
    var screeningAttempts: Int
    var usesCPV: Bool
    var usesMOS: Bool
    var data: String
    var evaluator: String
    var command: String?
    var slurmArguments: [String]?
    var jobs: Int

    func options() throws -> SearchOptions {
        var o = SearchOptions(branch: branch, mode: mode, partner: partner, baseline: baseline)
        o.seed = seed
        o.generations = generations
        o.population = population
        o.topK = topK
        o.topP = topP
        o.maxEvaluations = maxEvaluations
        o.timeLimitMinutes = timeLimitMinutes
        o.mosRejectFraction = mosRejectFraction
        o.seedWithKnownLosses = seedWithKnownLosses
        o.crossoverProbability = crossoverProbability
        o.immigrantProbability = immigrantProbability
        o.screeningAttempts = screeningAttempts
        o.usesCPV = usesCPV
        o.usesMOS = usesMOS
        switch evaluator {
        case "simulation": o.evaluator = .simulation
        case "detector": o.evaluator = .detector(data: data)
        case "external": o.evaluator = .external(command: command ?? "")
        default: throw SearchError.options("the stored evaluator '\(evaluator)' is not one this autoloss knows")
        }
        o.executor = slurmArguments.map { .slurm(arguments: $0, jobs: jobs) } ?? .local(jobs: jobs)
        return o
    }
}
