import Detection
import Foundation

/// A number of proxy trainings, exact: a fraction of whole numbers. Rungs and MOS as a rung are
/// fractions of a schedule (0.25, 0.3, 0.125), and a training a hurdle ended costs the fraction it
/// reached; summed as floating point they needed tolerances at every comparison (a run 0.25 short
/// of its budget could be 0.2499999 short), summed as fractions they do not.
public struct Trainings: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Lowest terms, the denominator positive.
    public let numerator: Int
    /// The denominator, positive.
    public let denominator: Int

    /// numerator / denominator, in lowest terms.
    public init(_ numerator: Int, over denominator: Int = 1) {
        precondition(denominator > 0, "a count of trainings over \(denominator)")
        let g = Self.gcd(abs(numerator), denominator)
        self.numerator = numerator / max(g, 1)
        self.denominator = denominator / max(g, 1)
    }

    /// A fraction of a schedule as the command line or a result gives it, a decimal: the
    /// fraction with the smallest denominator (up to 10^6) that it is (0.3 -> 3/10).
    public init(fraction: Double) {
        for d in 1..<1_000_000 {
            let n = fraction * Double(d)
            if abs(n.rounded() - n) < 1e-9 * Double(d) {
                self.init(Int(n.rounded()), over: d)
                return
            }
        }
        self.init(Int((fraction * 1_000_000).rounded()), over: 1_000_000)
    }

    /// No training.
    public static let zero = Trainings(0)
    /// One whole training.
    public static let one = Trainings(1)

    /// As a floating-point number.
    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    /// The exact sum.
    public static func + (a: Trainings, b: Trainings) -> Trainings {
        let l = lcm(a.denominator, b.denominator)
        return Trainings(a.numerator * (l / a.denominator) + b.numerator * (l / b.denominator), over: l)
    }
    /// The exact difference.
    public static func - (a: Trainings, b: Trainings) -> Trainings { a + Trainings(-b.numerator, over: b.denominator) }
    /// k times.
    public static func * (a: Trainings, k: Int) -> Trainings { Trainings(a.numerator * k, over: a.denominator) }
    /// Adds in place.
    public static func += (a: inout Trainings, b: Trainings) { a = a + b }
    public static func < (a: Trainings, b: Trainings) -> Bool { a.numerator * b.denominator < b.numerator * a.denominator }

    /// How many times `b` (positive) fits in `a`, rounded up; 0 when `a` is not positive.
    static func ceilDivide(_ a: Trainings, _ b: Trainings) -> Int {
        guard a.numerator > 0 else { return 0 }
        let n = a.numerator * b.denominator, d = a.denominator * b.numerator
        return (n + d - 1) / d
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    static func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
}

/// What trainings cost in whole proxy trainings: a proxy training the fraction of its schedule
/// it reached (the last rung where a hurdle ended it, else whole), less the part that MOS as its
/// first rung trained already (the proxy training goes on from there); a MOS training its rung
/// for each seed; the MOS preset nothing (about a hundredth of a proxy training: seconds against
/// minutes).
public struct TrainingCosts: Sendable, Equatable {
    /// MOS as the proxy's first rung (zero: the MOS preset), and the MOS trainings per candidate.
    let mosRung: Trainings
    let mosSeeds: Int

    /// The costs under a search's options (its MOS rung and MOS seeds).
    public init(_ options: SearchOptions) {
        mosRung = options.mosRungInUse.map { Trainings(fraction: $0) } ?? .zero
        mosSeeds = options.mosSeeds ?? 1
    }

    /// What a training cost, in whole proxy trainings.
    public func cost(of result: EvaluationResult, stage: TrainingStage) -> Trainings {
        switch stage {
        case .mos: return mos
        case .proxy:
            let reached = result.status == .pruned ? result.rungs?.last.map { Trainings(fraction: $0.fraction) } ?? .one : .one
            return reached - min(mosRung, reached)
        }
    }

    /// What one MOS training costs, whatever its result.
    public var mos: Trainings { mosRung * mosSeeds }
    /// What a proxy training costs when it runs to its end.
    var wholeProxy: Trainings { .one - mosRung }
}

/// A search's budget of trainings (`SearchOptions.maxEvaluations`, in whole proxy trainings at
/// both stages), spent exactly.
struct TrainingBudget {
    let costs: TrainingCosts
    /// The budget (nil: none).
    let limit: Trainings?
    private(set) var spent = Trainings.zero

    init(_ options: SearchOptions) {
        costs = TrainingCosts(options)
        limit = options.maxEvaluations.map { Trainings($0) }
    }

    mutating func spend(_ cost: Trainings) { spent += cost }

    /// Whether a generation's MOS training number `k` (from 0) may start: only while, after it,
    /// some budget is left for the proxy stage. A MOS training no proxy training can follow is
    /// waste: the reg ablation's hurdles arm, 0.25 trainings short of its budget of 30, began a
    /// generation of MOS trainings (16 candidates, 4 trainings) whose proxy stage would have had none.
    func mosMayStart(after k: Int) -> Bool {
        guard let limit else { return true }
        return spent + costs.mos * (k + 1) < limit
    }

    /// Whether a training at `stage` may start while trainings costing `reserved` run (the
    /// asynchronous schedule's): MOS only while some budget is left for a proxy training after
    /// it, as `mosMayStart`; a proxy training while any is left, as `proxyTrainingsLeft`.
    func mayStart(_ stage: TrainingStage, reserved: Trainings) -> Bool {
        guard let limit else { return true }
        switch stage {
        case .mos: return spent + reserved + costs.mos < limit
        case .proxy: return spent + reserved < limit
        }
    }

    /// What a training at `stage` is reckoned to cost while it runs: a proxy training whole.
    func reserve(_ stage: TrainingStage) -> Trainings { stage == .mos ? costs.mos : costs.wholeProxy }

    /// Proxy trainings that may start now: as many as what is left rounds up to, each costing
    /// what MOS did not train of it.
    var proxyTrainingsLeft: Int {
        guard let limit else { return Int.max }
        return Trainings.ceilDivide(limit - spent, costs.wholeProxy)
    }

    /// Why the run ends for its budget, or nil.
    var exhausted: String? {
        guard let limit, !mosMayStart(after: 0) else { return nil }
        if spent >= limit { return "proxy-evaluation budget of \(limit) spent" }
        return String(format: "proxy-evaluation budget of %@ spent: %.2f trainings left, too few for a MOS training and a proxy training after it",
                      limit.description, (limit - spent).value)
    }
}
