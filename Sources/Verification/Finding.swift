import LossLanguage

/// The outcome of one check on one formula: findings are data, never thrown.
public enum Verdict: String, Codable, Sendable, Comparable {
    /// The property holds.
    case pass
    /// Worth knowing, not a rejection (a zero gradient for non-overlapping boxes).
    case warning
    /// The property fails: the loss is rejected.
    case failure

    public static func < (a: Verdict, b: Verdict) -> Bool {
        let order: [Verdict] = [.pass, .warning, .failure]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// What a check found, with a reason a person understands.
public struct Finding: Codable, Sendable, Equatable {
    /// The check's stable name (`finite`, `softmax-monotone`, ...).
    public var check: String
    /// Pass, warning or failure.
    public var verdict: Verdict
    /// What was found, in words a person can act on.
    public var reason: String

    /// A finding of `check`.
    public init(check: String, verdict: Verdict, reason: String) {
        self.check = check
        self.verdict = verdict
        self.reason = reason
    }
}
