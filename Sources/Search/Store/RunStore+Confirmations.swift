import Foundation
import GRDB

/// A confirmation training as the run store keeps it (`Confirmation`): whose it is, at which
/// setting, seed and horizon, in which phase (the tuning, or the seeds at the tuned setting),
/// and its result.
public struct ConfirmationTraining: Sendable, Equatable {
    /// Tuning a setting, or training the tuned one over seeds and horizons.
    public enum Phase: String, Sendable {
        /// A training of the tuning: one setting, trained to choose the loss's best.
        case tune
        /// A training of the tuned setting, one seed at one horizon.
        case confirm
    }
    /// The contender's loss as given.
    public var loss: String
    /// The setting trained.
    public var setting: BaselineTuning.Setting
    /// The training seed.
    public var seed: UInt64
    /// The multiple of the schedule's steps.
    public var horizon: Double
    /// Tuning or confirming.
    public var phase: Phase
    /// What it gave.
    public var result: EvaluationResult

    /// A confirmation training of `loss`.
    public init(loss: String, setting: BaselineTuning.Setting, seed: UInt64, horizon: Double, phase: Phase, result: EvaluationResult) {
        (self.loss, self.setting, self.seed, self.horizon, self.phase, self.result) = (loss, setting, seed, horizon, phase, result)
    }

    /// Its identity in the store: the same loss, setting, seed and horizon is the same training
    /// (the tuning's first seed at the tuned setting is also the confirmation's).
    var key: String { Self.key(loss: loss, setting: setting, seed: seed, horizon: horizon) }

    static func key(loss: String, setting: BaselineTuning.Setting, seed: UInt64, horizon: Double) -> String {
        "\(loss)|\(setting.stem)|h\(horizon)|s\(seed)"
    }

    /// The seconds a whole training at horizon x1 typically took among `trainings`: the median
    /// of those that ran to their end, each divided by its horizon (nil where none did). A
    /// median, as one training that stood still for an hour (a stopped process, a laptop asleep)
    /// would lift a mean of a few sixfold, and trainings a rung ended are not whole ones.
    public static func typicalSeconds(of trainings: [ConfirmationTraining]) -> Double? {
        let seconds = trainings.filter { $0.result.status == .ok }.map { $0.result.seconds / $0.horizon }.sorted()
        guard !seconds.isEmpty else { return nil }
        return (seconds[(seconds.count - 1) / 2] + seconds[seconds.count / 2]) / 2
    }
}

/// The confirmation's tables: its plan in `meta` ('confirmation'), its trainings in
/// `confirmations`, made on the first confirmation of a run (a store without them has none).
extension RunStore {
    /// Keeps `plan` as the run's confirmation (a later one replaces it: its trainings stay, and
    /// those it shares are not trained again).
    public func recordConfirmation(_ plan: Confirmation) throws {
        let text = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        try db.write { db in
            try Self.createConfirmations(db)
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('confirmation', ?)", arguments: [text])
        }
    }

    /// The run's confirmation plan, if it has one.
    public func confirmation() throws -> Confirmation? {
        let text = try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'confirmation'") }
        guard let text else { return nil }
        do { return try JSONDecoder().decode(Confirmation.self, from: Data(text.utf8)) } catch {
            throw SearchError.notAStore(path: path, reason: "its confirmation plan cannot be read (\(error))")
        }
    }

    /// Records a confirmation training as it ends.
    public func record(_ t: ConfirmationTraining) throws {
        try db.write { db in
            try Self.createConfirmations(db)
            try db.execute(sql: """
                INSERT OR REPLACE INTO confirmations(key, loss, setting, seed, horizon, phase, result, seconds, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [t.key, t.loss, String(decoding: try JSONEncoder().encode(t.setting), as: UTF8.self), Int64(bitPattern: t.seed),
                                 t.horizon, t.phase.rawValue, Self.encode(t.result), t.result.seconds, Date().timeIntervalSince1970])
        }
    }

    /// Every confirmation training, in the order they were recorded.
    public func confirmationTrainings() throws -> [ConfirmationTraining] {
        try db.read { db in
            guard try db.tableExists("confirmations") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM confirmations ORDER BY rowid").map { row in
                // A row that does not read is a damaged store, not a training left out.
                guard let setting = try? JSONDecoder().decode(BaselineTuning.Setting.self, from: Data((try row.value("setting") as String).utf8)) else {
                    throw StoreConnection.CorruptValue(column: "setting")
                }
                guard let phase = ConfirmationTraining.Phase(rawValue: try row.value("phase")) else { throw StoreConnection.CorruptValue(column: "phase") }
                return try ConfirmationTraining(loss: row.value("loss"), setting: setting, seed: UInt64(bitPattern: row.value("seed") as Int64),
                                                horizon: row.value("horizon"), phase: phase, result: Self.decode(row.value("result")))
            }
        }
    }

    private static func createConfirmations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS confirmations(
                key TEXT PRIMARY KEY, loss TEXT NOT NULL, setting TEXT NOT NULL, seed INTEGER NOT NULL, horizon REAL NOT NULL,
                phase TEXT NOT NULL, result TEXT NOT NULL, seconds REAL NOT NULL, finished_at REAL)
            """)
    }
}
