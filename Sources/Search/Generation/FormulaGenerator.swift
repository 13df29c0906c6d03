import LossLanguage

/// Draws random loss formulas of a branch, well typed by construction (DESIGN.md, "Search").
///
///     var rng = SplitMix64(seed: 1)
///     let generator = try FormulaGenerator(branch: .softmax)
///     let tree = generator.generate(using: &rng)   // e.g. -dot(y, log(softmax(x * 2)))
///
/// Operators come from `branch.searchUnaryOps` and `branch.searchBinaryOps`, constants from
/// `options.constants`, inputs from `branch.inputs`. Every node is built for a requested shape:
/// the root is a per-sample scalar; in the softmax branch a class vector is x, y, an elementwise
/// operator over a class vector (a scalar operand broadcast) or `softmax` of one, and a scalar
/// is w, a constant, an operator over scalars, or `dot` of two class vectors: so a softmax-branch
/// loss reduces its vectors with `dot`, as the type rules require.
public struct FormulaGenerator: Sendable {
    /// The branch formulas are typed in.
    public let branch: Branch
    /// Depths and the method.
    public let options: GeneratorOptions
    let unary: [UnaryOp]
    let scalarUnary: [UnaryOp]
    let elementwiseBinary: [BinaryOp]
    let scalarInputs: [Input]
    let vectorInputs: [Input]

    /// Throws a `SearchError.options` when the options are inconsistent.
    public init(branch: Branch, options: GeneratorOptions? = nil) throws {
        let options = options ?? GeneratorOptions(branch: branch)
        if let problem = options.problem { throw SearchError.options(problem) }
        self.branch = branch
        self.options = options
        unary = branch.searchUnaryOps
        scalarUnary = unary.filter { $0 != .softmax }
        elementwiseBinary = branch.searchBinaryOps.filter { $0 != .dot }
        scalarInputs = branch.inputs.filter { branch.type(of: $0) == .scalar }
        vectorInputs = branch.inputs.filter { branch.type(of: $0) == .vector }
    }

    /// One formula by `options.method`.
    public func generate(using rng: inout some RandomNumberGenerator) -> Expr {
        switch options.method {
        case .grow: return grow(depth: options.maxDepth, using: &rng)
        case .full: return full(depth: options.maxDepth, using: &rng)
        case .rampedHalfAndHalf:
            let depth = Int.random(in: options.minDepth...options.maxDepth, using: &rng)
            return Bool.random(using: &rng) ? grow(depth: depth, using: &rng) : full(depth: depth, using: &rng)
        }
    }

    /// Grow: a tree of depth at most `depth`, whose root is an inner node when depth >= 2.
    public func grow(depth: Int, using rng: inout some RandomNumberGenerator) -> Expr {
        node(.scalar, depth: max(1, depth), full: false, root: true, using: &rng)
    }

    /// Full: a tree whose every leaf lies at exactly `depth`.
    public func full(depth: Int, using rng: inout some RandomNumberGenerator) -> Expr {
        node(.scalar, depth: max(1, depth), full: true, root: true, using: &rng)
    }

    /// A random subtree of the given shape, at most `depth` deep (for mutation): grow method.
    public func subtree(_ type: ValueType, depth: Int, using rng: inout some RandomNumberGenerator) -> Expr {
        node(type, depth: max(1, depth), full: false, root: false, using: &rng)
    }

    /// A random leaf of the given shape: an input or a constant.
    public func randomLeaf(_ type: ValueType, using rng: inout some RandomNumberGenerator) -> Expr {
        leaf(type, using: &rng)
    }

    private func node(_ type: ValueType, depth: Int, full: Bool, root: Bool, using rng: inout some RandomNumberGenerator) -> Expr {
        if depth == 1 || (!full && !root && chance(options.leafProbability, &rng)) {
            return leaf(type, using: &rng)
        }
        let below = depth - 1
        if type == .scalar && !vectorInputs.isEmpty && chance(options.reductionProbability, &rng) {
            return .binary(.dot, node(.vector, depth: below, full: full, root: false, using: &rng),
                           node(.vector, depth: below, full: full, root: false, using: &rng))
        }
        if chance(options.binaryProbability, &rng) {
            let op = elementwiseBinary.randomElement(using: &rng)!
            // A vector result needs one vector operand at least; the other may be broadcast.
            var types: (ValueType, ValueType) = (type, type)
            if type == .vector {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: types.0 = .scalar
                case 1: types.1 = .scalar
                default: break
                }
            }
            return .binary(op, node(types.0, depth: below, full: full, root: false, using: &rng),
                           node(types.1, depth: below, full: full, root: false, using: &rng))
        }
        let op = (type == .vector ? unary : scalarUnary).randomElement(using: &rng)!
        return .unary(op, node(type, depth: below, full: full, root: false, using: &rng))
    }

    private func leaf(_ type: ValueType, using rng: inout some RandomNumberGenerator) -> Expr {
        if type == .vector { return .input(vectorInputs.randomElement(using: &rng)!) }
        if scalarInputs.isEmpty || chance(options.constantProbability, &rng) {
            return .constant(options.constants.randomElement(using: &rng)!)
        }
        return .input(scalarInputs.randomElement(using: &rng)!)
    }

    @inline(__always)
    private func chance(_ p: Double, _ rng: inout some RandomNumberGenerator) -> Bool {
        p > 0 && Double.random(in: 0..<1, using: &rng) < p
    }
}
