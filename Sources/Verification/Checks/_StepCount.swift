/// A tally of sweep steps (or points) that went the wrong way, against the share a whole probe
/// must get right. It may be filled from a prefix of the probe: since wrong steps only add up,
/// `failed` on a prefix means failed on the whole probe, so checks reject early and exactly.
struct StepCount {
    /// Steps in the whole probe.
    let expected: Int
    /// The share of them that must go the right way.
    let required: Double
    private(set) var checked = 0
    private(set) var wrong = 0
    /// The first wrong step: which sweep, and the index of its first point.
    private(set) var first: (sweep: Int, index: Int)?

    init(expected: Int, required: Double) {
        self.expected = expected
        self.required = required
    }

    mutating func record(ok: Bool, sweep: Int, index: Int) {
        checked += 1
        if !ok {
            wrong += 1
            if first == nil { first = (sweep, index) }
        }
    }

    /// How many wrong steps the whole probe may hold: floor((1 - required) * expected).
    var allowed: Int { Int((1 - required) * Double(expected) + 1e-9) }
    var failed: Bool { wrong > allowed }
    var rightFraction: Double { expected == 0 ? 1 : Double(expected - wrong) / Double(expected) }

    /// "in 45 of 300 sweep steps (15.0 %); at most 3 (1.0 %) allowed"; "in at least" when only a
    /// prefix of the probe was checked.
    func share(of what: String) -> String {
        let bound = checked < expected ? "at least " : ""
        return "in \(bound)\(wrong) of \(expected) \(what) (\(Format.percent(Double(wrong) / Double(max(1, expected))))); at most \(allowed) (\(Format.percent(1 - required))) allowed"
    }
}
