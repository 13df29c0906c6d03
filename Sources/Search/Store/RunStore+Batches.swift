import Detection
import Foundation
import GRDB

extension RunStore {
    /// Records a generation's screened candidates and their stages in one transaction: cheap
    /// to redo on resume, so they need not be committed one by one.
    public func recordBatch(_ records: [CandidateRecord]) throws {
        try db.write { db in
            for c in records {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO candidates(generation, slot, formula, canonical, fingerprint, parents, origin)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [c.generation, c.slot, c.formula, c.canonical, c.fingerprint,
                                     c.parents.joined(separator: " | "), c.origin])
                for r in c.stages { try Self.insert(r, generation: c.generation, slot: c.slot, into: db) }
            }
        }
    }

    /// A finished training of the candidate with this canonical form, if the run has one:
    /// resume replays the search and takes finished evaluations from here.
    func evaluation(canonical: String, stage: TrainingStage) throws -> StageRecord? {
        try db.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.verdict, s.reason, s.result, s.seconds FROM stages s
                JOIN candidates c ON c.generation = s.generation AND c.slot = s.slot
                WHERE c.canonical = ? AND s.stage = ? LIMIT 1
                """, arguments: [canonical, stage.rawValue]) else { return nil }
            return try Self.stageRecord(row, stage: stage.stage)
        }
    }
}

extension RunStore {
    /// A finished training of `key` at `stage`, if the run has one: resume replays the search
    /// and takes finished evaluations from here.
    func result(_ key: EvaluationKey, stage: TrainingStage) throws -> EvaluationResult? {
        switch key {
        case .baseline(let name): return try baseline(name: name, stage: stage)
        case .candidate(let canonical): return try evaluation(canonical: canonical, stage: stage)?.result
        }
    }
}
