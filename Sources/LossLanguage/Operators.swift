/// The 16 unary primitives of the search space (METHOD.md, "Operators"), stored as indices.
public enum UnaryOp: UInt8, CaseIterable, Codable, Sendable {
    /// -a.
    case neg
    /// exp(min(a, 88)): clamped at 88, as the authors' code; its gradient is 0 where clamped.
    case exp
    /// log(a + 1e-20).
    case log
    /// |a|, with PyTorch's gradient sign(a) (0 at 0).
    case abs
    /// The square root; a negative input gives NaN, which fails validity.
    case sqrt
    /// Softmax over the class vector (sigmoid branch: over each row of [N, C]).
    case softmax
    /// PyTorch's F.softplus: log(1 + e^a), a itself above 20.
    case softplus
    /// 1 / (1 + e^-a).
    case sigmoid
    /// The Gudermannian S-curve rescaled like the sigmoid: (1 + (2/pi) gd0(pi a / 4)) / 2.
    case gd
    /// The algebraic S-curve rescaled like the sigmoid: (1 + h / sqrt(1 + h^2)) / 2, h = a / 2.
    case alf
    /// The error function rescaled like the sigmoid: (1 + erf(sqrt(pi) a / 4)) / 2.
    case erf
    /// 1 - erf(a) of the scaled erf (our definition: the authors' code has none).
    case erfc
    /// The hyperbolic tangent.
    case tanh
    /// max(a, 0), with PyTorch's gradient (0 where a <= 0).
    case relu
    /// The sine.
    case sin
    /// The cosine.
    case cos

    /// The infix function name (`neg` prints as a prefix minus).
    public var name: String {
        switch self {
        case .neg: return "neg"
        case .exp: return "exp"
        case .log: return "log"
        case .abs: return "abs"
        case .sqrt: return "sqrt"
        case .softmax: return "softmax"
        case .softplus: return "softplus"
        case .sigmoid: return "sigmoid"
        case .gd: return "gd"
        case .alf: return "alf"
        case .erf: return "erf"
        case .erfc: return "erfc"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .sin: return "sin"
        case .cos: return "cos"
        }
    }

    /// The name in the authors' prefix strings (`Sig`, `Serf`, `Sgdf`, ...).
    public var prefixName: String {
        switch self {
        case .neg: return "Neg"
        case .exp: return "Exp"
        case .log: return "Log"
        case .abs: return "Abs"
        case .sqrt: return "Sqrt"
        case .softmax: return "Softmax"
        case .softplus: return "Softplus"
        case .sigmoid: return "Sig"
        case .gd: return "Sgdf"
        case .alf: return "Salf"
        case .erf: return "Serf"
        case .erfc: return "Serfc"
        case .tanh: return "Tanh"
        case .relu: return "Relu"
        case .sin: return "Sin"
        case .cos: return "Cos"
        }
    }

    /// Whether f(-a) == -f(a): lets the canonical form move negations outward.
    var isOdd: Bool { self == .neg || self == .sin || self == .tanh }

    static let byName: [String: UnaryOp] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
    static let byPrefixName: [String: UnaryOp] = {
        var table = Dictionary(uniqueKeysWithValues: allCases.map { ($0.prefixName.lowercased(), $0) })
        // Aliases the authors' code and common usage also write.
        table["sigmoid"] = .sigmoid
        table["gd"] = .gd
        table["alf"] = .alf
        table["erf"] = .erf
        table["erfc"] = .erfc
        return table
    }()
}

/// The 5 binary primitives: `+`, `-`, `*`, `/` (x1 / (x2 + 1e-20)), `dot` (sum over classes).
public enum BinaryOp: UInt8, CaseIterable, Codable, Sendable {
    /// a + b.
    case add
    /// a - b.
    case sub
    /// a * b.
    case mul
    /// a / (b + 1e-20).
    case div
    /// The sum over the class vector of a * b.
    case dot

    /// The name in the authors' prefix strings (`Add`, `Dot`, ...).
    public var prefixName: String {
        switch self {
        case .add: return "Add"
        case .sub: return "Sub"
        case .mul: return "Mul"
        case .div: return "Div"
        case .dot: return "Dot"
        }
    }

    /// The infix symbol; `dot` is written as a function.
    public var symbol: String {
        switch self {
        case .add: return "+"
        case .sub: return "-"
        case .mul: return "*"
        case .div: return "/"
        case .dot: return "dot"
        }
    }

    /// Whether a op b == b op a: the canonical form sorts such operands.
    public var isCommutative: Bool { self == .add || self == .mul || self == .dot }

    static let byPrefixName: [String: BinaryOp] =
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.prefixName.lowercased(), $0) })
}
