/// A loss formula: an expression tree over a branch's inputs, real constants and the primitives.
///
/// Expressions are value data (Hashable, Codable); the canonical form's infix string is their
/// identity for deduplication (see `Expr+Canonical.swift`).
///
///     let ce = try Expr.parse("-dot(y, log(softmax(x)))", branch: .softmax)
public indirect enum Expr: Hashable, Sendable {
    /// An input of the branch (`x`, `y`, `w`; `i`, `u`, `e`).
    case input(Input)
    /// A real constant.
    case constant(Double)
    /// A unary primitive applied to a subtree.
    case unary(UnaryOp, Expr)
    /// A binary primitive applied to two subtrees.
    case binary(BinaryOp, Expr, Expr)

    /// The number of nodes.
    public var size: Int {
        switch self {
        case .input, .constant: return 1
        case .unary(_, let a): return 1 + a.size
        case .binary(_, let a, let b): return 1 + a.size + b.size
        }
    }

    /// The length of the longest root-to-leaf path, in nodes (a leaf has depth 1).
    public var depth: Int {
        switch self {
        case .input, .constant: return 1
        case .unary(_, let a): return 1 + a.depth
        case .binary(_, let a, let b): return 1 + max(a.depth, b.depth)
        }
    }

    /// The inputs the formula reads.
    public var inputs: Set<Input> {
        var found = Set<Input>()
        visit { if case .input(let v) = $0 { found.insert(v) } }
        return found
    }

    /// Whether the formula contains no input at all.
    public var isConstant: Bool {
        switch self {
        case .input: return false
        case .constant: return true
        case .unary(_, let a): return a.isConstant
        case .binary(_, let a, let b): return a.isConstant && b.isConstant
        }
    }

    /// Calls `body` on every node, parents before children, left before right.
    public func visit(_ body: (Expr) -> Void) {
        body(self)
        switch self {
        case .input, .constant: break
        case .unary(_, let a): a.visit(body)
        case .binary(_, let a, let b):
            a.visit(body)
            b.visit(body)
        }
    }

    // Convenience builders keep tests and the known-loss library readable.
    /// The sum of two formulas (`.binary(.add, a, b)`), for building trees in code.
    public static func + (a: Expr, b: Expr) -> Expr { .binary(.add, a, b) }
    /// The difference of two formulas.
    public static func - (a: Expr, b: Expr) -> Expr { .binary(.sub, a, b) }
    /// The product of two formulas.
    public static func * (a: Expr, b: Expr) -> Expr { .binary(.mul, a, b) }
    /// The quotient of two formulas (the language's division, b + 1e-20 below).
    public static func / (a: Expr, b: Expr) -> Expr { .binary(.div, a, b) }
    /// The negation of a formula.
    public static prefix func - (a: Expr) -> Expr { .unary(.neg, a) }
}

extension Expr: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public init(floatLiteral value: Double) { self = .constant(value) }
    public init(integerLiteral value: Int) { self = .constant(Double(value)) }
}

extension Expr: CustomStringConvertible {
    public var description: String { infix }
}
