import LossLanguage

/// Random expression trees for property tests: any operator, any input of the branch, integer
/// and real constants (negative ones too), so that printers and parsers meet every shape.
/// Trees need not be well typed; `typed` draws until one is.
public enum RandomExpr {
    public static func any(branch: Branch, depth: Int, using rng: inout SeededGenerator) -> Expr {
        if depth <= 1 || Int.random(in: 0..<4, using: &rng) == 0 {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:
                let pool: [Double] = [1, 2, 3, 0.25, -1, 0.5, 1e-3, 2.5e7, -0.75]
                return .constant(pool.randomElement(using: &rng)!)
            default:
                return .input(branch.inputs.randomElement(using: &rng)!)
            }
        }
        if Bool.random(using: &rng) {
            return .unary(UnaryOp.allCases.randomElement(using: &rng)!, any(branch: branch, depth: depth - 1, using: &rng))
        }
        return .binary(BinaryOp.allCases.randomElement(using: &rng)!,
                       any(branch: branch, depth: depth - 1, using: &rng),
                       any(branch: branch, depth: depth - 1, using: &rng))
    }

    /// A well-typed loss of `branch` that reads at least one input.
    public static func typed(branch: Branch, depth: Int, using rng: inout SeededGenerator) -> Expr {
        while true {
            let e = any(branch: branch, depth: depth, using: &rng)
            if !e.isConstant, (try? e.typeCheck(branch: branch)) != nil { return e }
        }
    }

    /// A random sample of a branch's inputs, in the ranges the detector feeds.
    public static func sample(branch: Branch, classes: Int = 4, using rng: inout SeededGenerator) -> [Input: SampleValue] {
        switch branch {
        case .softmax:
            let label = Int.random(in: 0..<classes, using: &rng)
            return [
                .x: .vector((0..<classes).map { _ in Double.random(in: -4...4, using: &rng) }),
                .y: .vector((0..<classes).map { $0 == label ? 1 : 0 }),
                .w: .scalar(Double.random(in: 0.05...1, using: &rng)),
            ]
        case .sigmoid:
            let positive = Bool.random(using: &rng)
            return [
                .x: .scalar(Double.random(in: -4...4, using: &rng)),
                .y: .scalar(positive ? 1 : 0),
                .w: .scalar(positive ? Double.random(in: 0.05...1, using: &rng) : 0),
            ]
        case .reg:
            let u = Double.random(in: 10...1000, using: &rng)
            let i = Double.random(in: 0...u, using: &rng)
            let e = u + Double.random(in: 0...500, using: &rng)
            return [.i: .scalar(i), .u: .scalar(u), .e: .scalar(e)]
        }
    }
}
