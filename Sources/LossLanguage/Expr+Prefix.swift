extension Expr {
    /// The authors' prefix form, as their training script takes it:
    /// `Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))`.
    ///
    /// Input names per branch: softmax X Y Z (= x y w); sigmoid X Q PY NY (= x, w, y, 1 - y);
    /// regression U I E. Subtraction, which the published strings never use, prints as `Sub`.
    /// It reads back where the tree is at most 200 levels deep, the parser's nesting limit: every
    /// node is a level in prefix form, so a long chain `i + i + ...` (flat in infix) is not.
    public func prefix(branch: Branch) -> String {
        switch self {
        case .input(let v): return Self.prefixInputName(v, branch: branch)
        case .constant(let c): return formatConstant(c)
        case .unary(let op, let a): return "\(op.prefixName)(\(a.prefix(branch: branch)))"
        case .binary(.sub, .constant(1), .input(.y)) where branch == .sigmoid: return "NY"
        case .binary(let op, let a, let b):
            return "\(op.prefixName)(\(a.prefix(branch: branch)),\(b.prefix(branch: branch)))"
        }
    }

    static func prefixInputName(_ v: Input, branch: Branch) -> String {
        switch (branch, v) {
        case (.softmax, .w): return "Z"
        case (.sigmoid, .w): return "Q"
        case (.sigmoid, .y): return "PY"
        default: return v.name.uppercased()
        }
    }
}
