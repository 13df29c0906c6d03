/// A tally of sweep steps (or points) that went the wrong way, remembering the first one.
struct StepCount {
    var total = 0
    var wrong = 0
    /// The first wrong step: which sweep, and the index of its first point.
    var first: (sweep: Int, index: Int)?

    mutating func record(ok: Bool, sweep: Int, index: Int) {
        total += 1
        if !ok {
            wrong += 1
            if first == nil { first = (sweep, index) }
        }
    }

    var rightFraction: Double { total == 0 ? 1 : Double(total - wrong) / Double(total) }

    /// "in 45 of 300 steps (15.0 %; at most 1.0 % allowed)".
    func share(of what: String, required: Double) -> String {
        "in \(wrong) of \(total) \(what), \(Format.percent(1 - rightFraction)); at most \(Format.percent(1 - required)) allowed"
    }
}
