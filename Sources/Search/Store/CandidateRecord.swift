/// A candidate as stored: (generation, slot) is its identity within the run.
public struct CandidateRecord: Equatable, Sendable {
    /// The generation it was bred in.
    public var generation: Int
    /// Its slot in the generation.
    public var slot: Int
    /// Its formula, infix.
    public var formula: String
    /// Its canonical form, once screened that far.
    public var canonical: String?
    /// Its fingerprint, once computed.
    public var fingerprint: String?
    /// The parents' formulas (infix): none for seeds and random candidates, one for a mutation,
    /// two for a crossover.
    public var parents: [String]
    /// How it was made: seed, random, immigrant, crossover or `mutation:KIND`.
    public var origin: String
    /// Its stages in pipeline order; only the screening stage that ended screening is stored
    /// (the ones before it passed).
    public var stages: [StageRecord]

    /// A candidate's record.
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

    /// The stage its way ended at: its last recorded stage.
    public var last: StageRecord? { stages.last }

    /// Its record of stage `s`, if it reached it.
    public func stage(_ s: Stage) -> StageRecord? { stages.first { $0.stage == s } }
}
