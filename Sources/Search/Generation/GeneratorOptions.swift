import LossLanguage

/// How random formulas are drawn (DESIGN.md, "Search": typed random generation, grow and full,
/// depth limits). Depths count nodes on the longest root-to-leaf path (a leaf has depth 1), as
/// `Expr.depth` does.
public struct GeneratorOptions: Sendable, Hashable {
    /// Koza's tree-growing methods.
    public enum Method: String, Sendable, CaseIterable {
        /// Any node below the root may be a leaf (with `leafProbability`): trees of mixed shape.
        case grow
        /// Inner nodes down to the depth limit, leaves only there: every path equally long.
        case full
        /// Depth drawn uniformly from minDepth...maxDepth, then grow or full with equal odds.
        case rampedHalfAndHalf
    }

    /// Grow, full, or ramped half-and-half.
    public var method: Method = .rampedHalfAndHalf
    /// The least depth of a tree.
    public var minDepth: Int = 2
    /// The greatest depth of a tree.
    public var maxDepth: Int
    /// The constants a leaf may be (METHOD.md: constants drawn from {1, 2, 3}).
    public var constants: [Double] = [1, 2, 3]
    /// The chance that a leaf which may be a constant is one, rather than an input.
    public var constantProbability: Double = 0.25
    /// grow: the chance that a node below the root, above the depth limit, is a leaf.
    public var leafProbability: Double = 0.3
    /// The chance that an inner node is binary rather than unary (then the operator is uniform
    /// within its kind: uniform over all 21 would make trees mostly unary chains).
    public var binaryProbability: Double = 0.5
    /// Softmax branch: the chance that an inner per-sample scalar node is a `dot` of two class
    /// vectors, the only way from the class vectors x, y to a per-sample loss.
    public var reductionProbability: Double = 0.5

    /// The defaults of `branch`, with its default depth limit.
    public init(branch: Branch) {
        maxDepth = Self.defaultMaxDepth(for: branch)
    }

    /// Default depth limits: 6 for the classification branches, where CE is already 5 deep
    /// (`-dot(y, log(softmax(x)))`) and CSE-Autoloss-A 6; 5 for regression, where GIoU is 4.
    public static func defaultMaxDepth(for branch: Branch) -> Int {
        switch branch {
        case .softmax, .sigmoid: return 6
        case .reg: return 5
        }
    }

    /// Says what is wrong with the settings, or nil.
    public var problem: String? {
        if minDepth < 1 || maxDepth < minDepth { return "need 1 <= minDepth <= maxDepth (got \(minDepth) and \(maxDepth))" }
        if maxDepth > 32 { return "maxDepth must be at most 32 (got \(maxDepth))" }
        if constants.isEmpty || constants.contains(where: { !$0.isFinite }) { return "constants must be a non-empty list of finite numbers" }
        for (name, p) in [("constantProbability", constantProbability), ("leafProbability", leafProbability),
                          ("binaryProbability", binaryProbability), ("reductionProbability", reductionProbability)]
        where !(0...1).contains(p) {
            return "\(name) must be in [0, 1] (got \(p))"
        }
        return nil
    }
}
