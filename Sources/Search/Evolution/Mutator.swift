import LossLanguage

/// The ways a parent formula is changed into a child (DESIGN.md, "Search").
public enum MutationKind: String, CaseIterable, Codable, Sendable {
    /// Wrap a subtree in a unary operator, or in a binary one with a new random operand.
    case insert
    /// Replace an operator node by one of its operands of the same shape.
    case delete
    /// Swap an operator for another of the same arity and shape rules.
    case replaceOperator
    /// Replace a subtree by a new random one of the same shape.
    case replaceSubtree
    /// Draw a constant anew.
    case changeConstant
    /// Exchange the operands of a binary operator (meaningful for -, /).
    case swapOperands
}

/// Mutation and crossover, well typed by construction and checked: every child type-checks in
/// the branch, reads the prediction, and stays within `maxDepth`.
public struct Mutator: Sendable {
    /// Random subtrees for insertions and replacements.
    public let generator: FormulaGenerator
    /// The relative weight of each mutation kind.
    public var weights: [MutationKind: Double]
    /// Children deeper than this are redrawn; above the generator's limit so that seeded deep
    /// losses (the published ones) can still be mutated.
    public var maxDepth: Int
    /// The greatest depth of a replacement subtree.
    public var replacementDepth = 3
    /// Tries before a mutation gives up (a child must type-check and differ from its parent).
    public var attempts = 50

    /// The weights by default.
    public static let defaultWeights: [MutationKind: Double] = [
        .insert: 1, .delete: 1, .replaceOperator: 2, .replaceSubtree: 2, .changeConstant: 1, .swapOperands: 0.5,
    ]

    /// A mutator; `maxDepth` bounds the children's depth (nil: the generator's).
    public init(generator: FormulaGenerator, weights: [MutationKind: Double] = Mutator.defaultWeights, maxDepth: Int? = nil) {
        self.generator = generator
        self.weights = weights
        self.maxDepth = maxDepth ?? generator.options.maxDepth + 3
    }

    var branch: Branch { generator.branch }

    /// A mutated child (the kind drawn by weight), or nil when no attempt gave a valid child.
    public func mutate(_ parent: Expr, using rng: inout some RandomNumberGenerator) -> (child: Expr, kind: MutationKind)? {
        for _ in 0..<attempts {
            let kind = drawKind(using: &rng)
            if let child = apply(kind, to: parent, using: &rng), child != parent, isAcceptable(child) {
                return (child, kind)
            }
        }
        return nil
    }

    /// Subtree crossover: a subtree of `a` replaced by a subtree of `b` of the same shape.
    public func crossover(_ a: Expr, _ b: Expr, using rng: inout some RandomNumberGenerator) -> Expr? {
        let nodesA = a.subtrees, nodesB = b.subtrees
        for _ in 0..<attempts {
            let i = Int.random(in: 0..<nodesA.count, using: &rng)
            guard let type = try? nodesA[i].expr.valueType(in: branch) else { continue }
            let donors = nodesB.filter { (try? $0.expr.valueType(in: branch)) == type }
            guard let donor = donors.randomElement(using: &rng) else { continue }
            let child = a.replacing(at: i, with: donor.expr)
            if child != a, isAcceptable(child) { return child }
        }
        return nil
    }

    func isAcceptable(_ e: Expr) -> Bool {
        guard e.depth <= maxDepth, (try? e.typeCheck(branch: branch)) != nil else { return false }
        return !e.inputs.isDisjoint(with: branch.predictionInputs)
    }

    func drawKind(using rng: inout some RandomNumberGenerator) -> MutationKind {
        let kinds = MutationKind.allCases.filter { (weights[$0] ?? 0) > 0 }
        let total = kinds.reduce(0) { $0 + weights[$1]! }
        var pick = Double.random(in: 0..<total, using: &rng)
        for kind in kinds {
            pick -= weights[kind]!
            if pick < 0 { return kind }
        }
        return kinds.last!
    }

    func apply(_ kind: MutationKind, to parent: Expr, using rng: inout some RandomNumberGenerator) -> Expr? {
        let nodes = parent.subtrees
        let index = Int.random(in: 0..<nodes.count, using: &rng)
        let target = nodes[index].expr
        guard let type = try? target.valueType(in: branch) else { return nil }
        let replacement: Expr?
        switch kind {
        case .insert:
            if Bool.random(using: &rng) {
                let ops = branch.searchUnaryOps.filter { $0 != .softmax || type == .vector }
                replacement = .unary(ops.randomElement(using: &rng)!, target)
            } else {
                let op = branch.searchBinaryOps.filter { $0 != .dot }.randomElement(using: &rng)!
                let other = generator.randomLeaf(.scalar, using: &rng)
                replacement = Bool.random(using: &rng) ? .binary(op, target, other) : .binary(op, other, target)
            }
        case .delete:
            switch target {
            case .unary(_, let a): replacement = a
            case .binary(.dot, _, _): replacement = nil
            case .binary(_, let a, let b):
                let same = [a, b].filter { (try? $0.valueType(in: branch)) == type }
                replacement = same.randomElement(using: &rng)
            default: replacement = nil
            }
        case .replaceOperator:
            switch target {
            case .unary(let op, let a):
                let ops = branch.searchUnaryOps.filter { $0 != op && ($0 != .softmax || type == .vector) }
                replacement = ops.randomElement(using: &rng).map { .unary($0, a) }
            case .binary(let op, let a, let b) where op != .dot:
                let ops = branch.searchBinaryOps.filter { $0 != op && $0 != .dot }
                replacement = ops.randomElement(using: &rng).map { .binary($0, a, b) }
            default: replacement = nil
            }
        case .replaceSubtree:
            replacement = generator.subtree(type, depth: Int.random(in: 1...replacementDepth, using: &rng), using: &rng)
        case .changeConstant:
            let constants = nodes.indices.filter { if case .constant = nodes[$0].expr { return true } else { return false } }
            guard let k = constants.randomElement(using: &rng), case .constant(let old) = nodes[k].expr else { return nil }
            let options = generator.options.constants.filter { $0 != old }
            guard let new = options.randomElement(using: &rng) else { return nil }
            return parent.replacing(at: k, with: .constant(new))
        case .swapOperands:
            let binaries = nodes.indices.filter { if case .binary = nodes[$0].expr { return true } else { return false } }
            guard let k = binaries.randomElement(using: &rng), case .binary(let op, let a, let b) = nodes[k].expr else { return nil }
            return parent.replacing(at: k, with: .binary(op, b, a))
        }
        return replacement.map { parent.replacing(at: index, with: $0) }
    }
}
