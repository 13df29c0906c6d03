/// A search space: which detector head a loss serves, and so which inputs it sees.
///
/// | branch | inputs | shape per sample |
/// |---|---|---|
/// | `softmax` | `x` logits over C+1 classes, `y` one-hot, `w` IoU (1 on background rows) | x, y class vectors; w scalar |
/// | `sigmoid` | `x` logit, `y` binary label, `w` IoU at positives, 0 at negatives | elementwise over [N, C]; softmax over each row |
/// | `reg` | `i` intersection, `u` union, `e` enclosing-box area | scalars |
public enum Branch: String, CaseIterable, Codable, Sendable {
    /// Two-stage classification (R-CNN head): logits over C+1 classes, background last.
    case softmax
    /// One-stage classification (FCOS/ATSS head): one logit per class, elementwise.
    case sigmoid
    /// Box regression on (i, u, e) of the predicted and the ground-truth box.
    case reg

    /// The inputs a formula of this branch may use, in their canonical order.
    public var inputs: [Input] {
        switch self {
        case .softmax, .sigmoid: return [.x, .y, .w]
        case .reg: return [.i, .u, .e]
        }
    }

    /// The inputs that carry the model's prediction: a loss must depend on at least one.
    public var predictionInputs: [Input] {
        switch self {
        case .softmax, .sigmoid: return [.x]
        case .reg: return [.i, .u, .e]
        }
    }

    /// The shape of an input inside this branch.
    public func type(of input: Input) -> ValueType {
        switch (self, input) {
        case (.softmax, .x), (.softmax, .y): return .vector
        default: return .scalar
        }
    }

    /// How many numbers of a batch `rows` x `classes` an input holds: the sigmoid branch's
    /// inputs are [N, C] (elementwise, softmax over each row), the softmax branch's x and y
    /// [N, C+1], the rest one per row.
    func count(of input: Input, rows: Int, classes: Int) -> Int {
        self == .sigmoid || type(of: input) == .vector ? rows * classes : rows
    }

    /// Losses per row: C in the sigmoid branch (one per element), else 1.
    func valuesPerRow(classes: Int) -> Int { self == .sigmoid ? classes : 1 }

    /// The operators evolution draws from (METHOD.md, "operator sets"): softmax 20 (all but erfc,
    /// to which we add erfc since DESIGN.md defines it: 21), sigmoid the elementwise ones,
    /// regression 15 (no softmax, no dot, no S-curves but sigmoid).
    public var searchUnaryOps: [UnaryOp] {
        switch self {
        case .softmax: return UnaryOp.allCases
        case .sigmoid: return UnaryOp.allCases.filter { $0 != .softmax }
        case .reg: return UnaryOp.allCases.filter { ![.softmax, .gd, .alf, .erf, .erfc].contains($0) }
        }
    }

    /// The binary operators evolution draws from: `dot` only in the softmax branch.
    public var searchBinaryOps: [BinaryOp] {
        switch self {
        case .softmax: return BinaryOp.allCases
        case .sigmoid, .reg: return BinaryOp.allCases.filter { $0 != .dot }
        }
    }
}

/// The shape of a value per sample: one number, or one number per class (softmax branch only).
public enum ValueType: String, Sendable, Hashable {
    /// One number per sample.
    case scalar
    /// One number per class of a sample.
    case vector
}

/// An input of a loss formula.
public enum Input: UInt8, CaseIterable, Codable, Sendable, Comparable {
    /// The prediction: logits (softmax and sigmoid branches).
    case x
    /// The label: one-hot (softmax) or binary (sigmoid).
    case y
    /// The IoU of the predicted box with its ground truth, detached (1 on softmax background rows,
    /// 0 at sigmoid negatives).
    case w
    /// The intersection area of the predicted and the ground-truth box (regression).
    case i
    /// The union area, plus 1e-7 (regression).
    case u
    /// The area of the smallest box enclosing both, plus 1e-7 (regression).
    case e

    /// The name a formula writes: `x`, `y`, `w`, `i`, `u`, `e`.
    public var name: String {
        switch self {
        case .x: return "x"
        case .y: return "y"
        case .w: return "w"
        case .i: return "i"
        case .u: return "u"
        case .e: return "e"
        }
    }

    public static func < (a: Input, b: Input) -> Bool { a.rawValue < b.rawValue }
}
