import Foundation
import GRDB

/// When a stage row (or a baseline's training) was first recorded: the run's clock, for the
/// report's charts over wall-clock and its candidates per second.
public struct StageTime: Equatable, Sendable {
    /// -1 for a baseline's training.
    public var generation: Int
    /// The candidate's slot.
    public var slot: Int
    /// The stage.
    public var stage: Stage
    /// Unix seconds.
    public var finishedAt: Double
    /// How long the stage took (a training's seconds; 0 for a copied baseline).
    public var seconds: Double

    /// A time.
    public init(generation: Int, slot: Int, stage: Stage, finishedAt: Double, seconds: Double) {
        self.generation = generation
        self.slot = slot
        self.stage = stage
        self.finishedAt = finishedAt
        self.seconds = seconds
    }
}

extension RunStore {
    /// Notes when the search began working on this run (Unix seconds), once: a resumed run
    /// keeps its first start. The clock of the report starts here.
    public func markStarted(at date: Date = Date()) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO meta(key, value) VALUES ('started_at', ?)", arguments: [String(date.timeIntervalSince1970)])
        }
    }

    /// When the search began working on this run, if it noted it (`markStarted`).
    public func startedAt() throws -> Double? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'started_at'").flatMap(Double.init) }
    }

    /// Every row's time, baselines first: empty for a store of schema 2 or older opened
    /// read-only (no `finished_at` column), and without the rows recorded before the column.
    public func stageTimes() throws -> [StageTime] {
        try db.read { db in
            guard try db.columns(in: "stages").contains(where: { $0.name == "finished_at" }) else { return [] }
            let baselines = try Row.fetchAll(db, sql: "SELECT stage, finished_at, seconds FROM baselines WHERE finished_at IS NOT NULL ORDER BY finished_at")
                .map { row in
                    try StageTime(generation: -1, slot: -1, stage: Stage(rawValue: row.value("stage")) ?? .proxy,
                              finishedAt: row.value("finished_at"), seconds: row.value("seconds"))
                }
            let stages = try Row.fetchAll(db, sql: """
                SELECT generation, slot, stage, finished_at, seconds FROM stages WHERE finished_at IS NOT NULL
                ORDER BY finished_at, generation, slot
                """).map { row in
                try StageTime(generation: row.value("generation"), slot: row.value("slot"), stage: Stage(rawValue: row.value("stage")) ?? .validity,
                          finishedAt: row.value("finished_at"), seconds: row.value("seconds"))
            }
            return baselines + stages
        }
    }
}
