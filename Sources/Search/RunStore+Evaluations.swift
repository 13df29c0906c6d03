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
                for r in c.stages {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO stages(generation, slot, stage, verdict, reason, figures, seconds)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [c.generation, c.slot, r.stage.rawValue, r.passed ? "pass" : "reject", r.reason,
                                         Self.encode(r.figures), r.seconds])
                }
            }
        }
    }

    /// A finished training stage of the candidate with this canonical form, if the run has one:
    /// resume replays the search and takes finished evaluations from here.
    public func evaluation(canonical: String, stage: Stage) throws -> StageRecord? {
        try db.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.verdict, s.reason, s.figures, s.seconds FROM stages s
                JOIN candidates c ON c.generation = s.generation AND c.slot = s.slot
                WHERE c.canonical = ? AND s.stage = ? LIMIT 1
                """, arguments: [canonical, stage.rawValue]) else { return nil }
            return StageRecord(stage: stage, passed: (row["verdict"] as String) == "pass", reason: row["reason"],
                               figures: Self.decode(row["figures"]), seconds: row["seconds"])
        }
    }
}
