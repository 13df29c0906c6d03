import LossLanguage

/// The outcome of one check on one formula: findings are data, never thrown.
public enum Verdict: String, Codable, Sendable, Comparable {
    case pass, warning, failure

    public static func < (a: Verdict, b: Verdict) -> Bool {
        let order: [Verdict] = [.pass, .warning, .failure]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// What a check found, with a reason a person understands.
public struct Finding: Codable, Sendable, Equatable {
    public var check: String
    public var verdict: Verdict
    public var reason: String

    public init(check: String, verdict: Verdict, reason: String) {
        self.check = check
        self.verdict = verdict
        self.reason = reason
    }
}
