import LossLanguage

/// Loss families: formulas that differ only in their constants and in at most one operator
/// (`-i / (e + u)`, `-i / (e * u)` and `-i / (e + u + 0.5)`; `log(i + 0.5)` and `exp(i)`), the measure of a
/// search's diversity (DESIGN.md, "Search"). Formulas are compared in canonical form, so that
/// a reordered sum is the same formula.
public enum Families {
    /// How many families the formulas fall into: each in turn joins the first family whose
    /// founder is within one operator of it, or founds one. In rank order, the founders are the
    /// best of their families.
    public static func count(_ formulas: [Expr]) -> Int {
        var founders: [Expr] = []
        for f in formulas.map(shape) where !founders.contains(where: { withinOneOperator($0, f) }) {
            founders.append(f)
        }
        return founders.count
    }

    /// The canonical form without its constants: a constant term or factor is dropped (`e + u +
    /// 0.5` is `e + u`, `2 * log(i)` is `log(i)`), and a constant elsewhere is any constant.
    static func shape(_ e: Expr) -> Expr { blank(e.canonical) }

    private static func blank(_ e: Expr) -> Expr {
        switch e {
        case .input: return e
        case .constant: return .constant(1)
        case .unary(let op, let a): return .unary(op, blank(a))
        case .binary(let op, let a, let b):
            let (x, y) = (blank(a), blank(b))
            if op != .dot {
                if case .constant = y, !x.isConstant { return x }
                if case .constant = x, !y.isConstant { return y }
            }
            return .binary(op, x, y)
        }
    }

    /// Whether two shapes are one tree whose nodes differ in at most one operator.
    static func withinOneOperator(_ a: Expr, _ b: Expr) -> Bool { differences(a, b, limit: 1) <= 1 }

    /// The operators in which two trees of the same form differ, counted up to `limit + 1`
    /// (trees of different forms: `limit + 1`).
    private static func differences(_ a: Expr, _ b: Expr, limit: Int) -> Int {
        switch (a, b) {
        case (.input(let x), .input(let y)): return x == y ? 0 : limit + 1
        case (.constant, .constant): return 0
        case (.unary(let p, let x), .unary(let q, let y)):
            let here = p == q ? 0 : 1
            return here > limit ? here : here + differences(x, y, limit: limit - here)
        case (.binary(let p, let x1, let x2), .binary(let q, let y1, let y2)):
            let here = p == q ? 0 : 1
            guard here <= limit else { return here }
            let left = differences(x1, y1, limit: limit - here)
            guard here + left <= limit else { return here + left }
            return here + left + differences(x2, y2, limit: limit - here - left)
        default: return limit + 1
        }
    }
}

extension HallOfFame {
    /// The number of loss families (`Families`) among the best `n`.
    public func families(top n: Int = 10) -> Int { Families.count(top(n).map(\.expr)) }
}
