extension Expr {
    /// The most nodes (inputs, constants, operators) a formula may have: 4096, a hundred times the
    /// published losses (B_reg, the largest, has 41). The tree's walks (typing, printing, the
    /// canonical form, compiling, the reference evaluator) recurse once per level, and a tree of
    /// this many nodes is at most this deep: measured, every walk fits in a quarter of the 8 MB
    /// main-thread stack at this depth (`LimitsTests`), so an input within the limit cannot
    /// overflow the stack. The parser counts nodes as it makes them and stops at the limit, so
    /// a longer input is refused before its tree is built.
    public static let maxSize = 4096

    /// The number of nodes, counted without recursion, stopping once past `limit`.
    public func boundedSize(limit: Int = Expr.maxSize) -> Int {
        var pending: [Expr] = [self]
        var count = 0
        while let e = pending.popLast(), count <= limit {
            count += 1
            switch e {
            case .input, .constant: break
            case .unary(_, let a): pending.append(a)
            case .binary(_, let a, let b): pending.append(contentsOf: [a, b])
            }
        }
        return count
    }

    /// Throws `LossLanguageError.limit` when the formula has more than `Expr.maxSize` nodes;
    /// checked without recursion, so it is safe on any tree, before the recursive walks.
    public func checkLimits() throws {
        if boundedSize() > Self.maxSize {
            throw LossLanguageError.limit(message: "the formula has more than \(Self.maxSize) nodes (inputs, numbers and operators), the loss language's limit")
        }
    }
}
