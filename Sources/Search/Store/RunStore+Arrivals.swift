import Detection
import Foundation
import GRDB

/// A training of an asynchronous search, by its candidate's place and its stage: the order in
/// which their results arrived is the run's course, which a resume replays.
struct Arrival: Hashable, Sendable {
    var generation: Int
    var slot: Int
    var stage: TrainingStage
}

/// The asynchronous schedule's table, `arrivals`: the order in which results arrived, made on
/// the first one (a generational run has none).
extension RunStore {
    /// Records `a` as the arrival number `index` (from 0).
    func recordArrival(_ a: Arrival, at index: Int) throws {
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS arrivals(
                    seq INTEGER PRIMARY KEY, generation INTEGER NOT NULL, slot INTEGER NOT NULL, stage TEXT NOT NULL)
                """)
            try db.execute(sql: "INSERT OR REPLACE INTO arrivals(seq, generation, slot, stage) VALUES (?, ?, ?, ?)",
                           arguments: [index, a.generation, a.slot, a.stage.rawValue])
        }
    }

    /// Forgets the arrivals from number `index` on: a resume that parted from the record (other
    /// jobs) goes on from there with its own.
    func forgetArrivals(from index: Int) throws {
        try db.write { db in
            guard try db.tableExists("arrivals") else { return }
            try db.execute(sql: "DELETE FROM arrivals WHERE seq >= ?", arguments: [index])
        }
    }

    /// The arrivals so far, in order.
    func arrivals() throws -> [Arrival] {
        try db.read { db in
            guard try db.tableExists("arrivals") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT generation, slot, stage FROM arrivals ORDER BY seq").compactMap { row in
                guard let stage = TrainingStage(rawValue: try row.value("stage")) else { return nil }
                return try Arrival(generation: row.value("generation"), slot: row.value("slot"), stage: stage)
            }
        }
    }
}
