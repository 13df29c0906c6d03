extension Expr {
    /// A normal form whose infix string identifies formulas that are the same up to algebra the
    /// evaluator honours exactly (or to the last bit of rounding): the deduplication key.
    ///
    /// Rules: constant subtrees folded (when finite); sums and differences flattened into signed
    /// terms, like terms cancelled (`a - a = 0`), terms sorted, constants first (added up, where
    /// their total is finite); products flattened, factors sorted, constants multiplied (likewise),
    /// signs pulled out; `--a = a`;
    /// `a / 1 = a`; `(-a) / b = -(a / b)`; odd functions (sin, tanh) pass negation outward;
    /// `dot` operands sorted. Not applied: `a / a = 1` (false at a = 0 with the 1e-20 guard),
    /// `a * 0 = 0` (false for non-finite a, which validity must still see).
    ///
    /// Cancelling never changes a value's shape: `x - x + w` keeps a class vector in the softmax
    /// branch. Without a branch, x and y are taken as possible class vectors.
    public func canonical(in branch: Branch? = nil) -> Expr {
        Canonicalizer(vectorInputs: branch.map { b in Set(b.inputs.filter { b.type(of: $0) == .vector }) } ?? [.x, .y])
            .canonical(self)
    }

    /// The canonical form in any branch: `canonical(in: nil)`.
    public var canonical: Expr { canonical() }

    /// The canonical form's infix string: equal strings, equal formulas.
    public func canonicalString(in branch: Branch? = nil) -> String { canonical(in: branch).infix }

    /// The canonical form's infix string: a formula's identity for deduplication.
    public var canonicalString: String { canonicalString() }
}

struct Canonicalizer {
    /// The inputs that are class vectors in the branch at hand.
    var vectorInputs: Set<Input>

    func isVector(_ e: Expr) -> Bool {
        switch e {
        case .input(let v): return vectorInputs.contains(v)
        case .constant: return false
        case .unary(_, let a): return isVector(a)
        case .binary(.dot, _, _): return false
        case .binary(_, let a, let b): return isVector(a) || isVector(b)
        }
    }

    func canonical(_ e: Expr) -> Expr {
        if case .constant = e { return e }
        if e.isConstant, let folded = Self.fold(e) { return .constant(folded) }
        let result = rewrite(e)
        // Cancelling can leave an input-free subtree behind (cos(x - x)): fold it too.
        if case .constant = result { return result }
        if result.isConstant, let folded = Self.fold(result) { return .constant(folded) }
        return result
    }

    private func rewrite(_ e: Expr) -> Expr {
        switch e {
        case .input, .constant: return e
        case .unary(.neg, _), .binary(.add, _, _), .binary(.sub, _, _):
            return sum(e)
        case .binary(.mul, _, _):
            return product(e)
        case .unary(let op, let a):
            let ca = canonical(a)
            if op.isOdd, case .unary(.neg, let inner) = ca {
                return negate(.unary(op, inner))
            }
            return .unary(op, ca)
        case .binary(.div, let a, let b):
            let ca = canonical(a), cb = canonical(b)
            if case .constant(1) = cb { return ca }
            if case .unary(.neg, let p) = ca { return negate(.binary(.div, p, cb)) }
            return .binary(.div, ca, cb)
        case .binary(.dot, let a, let b):
            var ca = canonical(a), cb = canonical(b)
            var negative = false
            if case .unary(.neg, let p) = ca { ca = p; negative.toggle() }
            if case .unary(.neg, let q) = cb { cb = q; negative.toggle() }
            if key(cb) < key(ca) { swap(&ca, &cb) }
            let d = Expr.binary(.dot, ca, cb)
            return negative ? .unary(.neg, d) : d
        case .binary(let op, let a, let b):
            return .binary(op, canonical(a), canonical(b))
        }
    }

    /// The value of an input-free subtree, if finite.
    static func fold(_ e: Expr) -> Double? {
        guard let v = (try? e.reference([:]))?.scalarValue, v.isFinite else { return nil }
        return v
    }

    /// Negation of a canonical expression, kept canonical.
    func negate(_ e: Expr) -> Expr {
        switch e {
        case .unary(.neg, let a): return a
        case .constant(let c): return .constant(-c)
        // A single canonical term: its negation needs no new sum (which would canonicalise the
        // term again, once per level of a nest like -tanh(-tanh(...)): quadratic, then worse).
        case .input, .unary, .binary(.mul, _, _), .binary(.div, _, _), .binary(.dot, _, _): return .unary(.neg, e)
        default: return sum(.unary(.neg, e))
        }
    }

    func key(_ e: Expr) -> String {
        if case .constant = e { return "0" }  // constants sort first
        return "1" + e.infix
    }

    // MARK: Sums

    func sum(_ e: Expr) -> Expr {
        var terms: [(expr: Expr, positive: Bool)] = []
        var constants: [Double] = []
        collectTerms(e, positive: true, into: &terms, constants: &constants)
        // Cancel a - a: pair each negative term with an equal positive one.
        var positives = terms.filter(\.positive).map(\.expr)
        var negatives: [Expr] = []
        var cancelledVector: Expr?
        for t in terms where !t.positive {
            if let k = positives.firstIndex(of: t.expr) {
                positives.remove(at: k)
                if isVector(t.expr) { cancelledVector = t.expr }
            } else {
                negatives.append(t.expr)
            }
        }
        // A class vector minus itself is a zero vector, not the number 0: keep one pair if
        // nothing else carries the shape.
        if let v = cancelledVector, !(positives + negatives).contains(where: isVector) {
            positives.append(v)
            negatives.append(v)
        }
        positives.sort { key($0) < key($1) }
        negatives.sort { key($0) < key($1) }
        let (positiveConstants, negativeConstants) = Self.sumConstants(constants)
        positives.insert(contentsOf: positiveConstants.map(Expr.constant), at: 0)
        negatives.insert(contentsOf: negativeConstants.map(Expr.constant), at: 0)
        if positives.isEmpty && negatives.isEmpty { return .constant(0) }
        if positives.isEmpty {
            let inner = negatives.dropFirst().reduce(negatives[0]) { .binary(.add, $0, $1) }
            if case .constant(let c) = inner { return .constant(-c) }
            return .unary(.neg, inner)
        }
        var result = positives.dropFirst().reduce(positives[0]) { .binary(.add, $0, $1) }
        for n in negatives { result = .binary(.sub, result, n) }
        return result
    }

    func collectTerms(_ e: Expr, positive: Bool, into terms: inout [(expr: Expr, positive: Bool)], constants: inout [Double]) {
        switch e {
        case .binary(.add, let a, let b):
            collectTerms(a, positive: positive, into: &terms, constants: &constants)
            collectTerms(b, positive: positive, into: &terms, constants: &constants)
        case .binary(.sub, let a, let b):
            collectTerms(a, positive: positive, into: &terms, constants: &constants)
            collectTerms(b, positive: !positive, into: &terms, constants: &constants)
        case .unary(.neg, let a):
            collectTerms(a, positive: !positive, into: &terms, constants: &constants)
        default:
            let c = canonical(e)
            switch c {
            case .constant(let v): constants.append(positive ? v : -v)
            case .unary(.neg, _), .binary(.add, _, _), .binary(.sub, _, _):
                collectTerms(c, positive: positive, into: &terms, constants: &constants)
            default: terms.append((c, positive))
            }
        }
    }

    /// A sum's constants as the canonical form writes them: their total, added in the order they
    /// came, as one term (none if 0); or, where that overflows, the total in the order the
    /// canonical form writes them (positives, then negatives, each ascending in size); or, where
    /// that overflows too, each constant apart in that order. A total that overflows is not
    /// folded, as `fold` leaves an input-free subtree whose value overflows: `inf` is no number
    /// the parser reads (the fuzzer found `1e308 + 1e308 + ... + x` printing as `inf + x`).
    /// The returned sizes are positive: the first list is added, the second subtracted.
    static func sumConstants(_ values: [Double]) -> (added: [Double], subtracted: [Double]) {
        func one(_ total: Double) -> ([Double], [Double]) { total > 0 ? ([total], []) : total < 0 ? ([], [-total]) : ([], []) }
        let total = values.reduce(0, +)
        if total.isFinite { return one(total) }
        let added = values.filter { $0 > 0 }.sorted(), subtracted = values.filter { $0 < 0 }.map { -$0 }.sorted()
        let ordered = subtracted.reduce(added.reduce(0, +), -)
        if ordered.isFinite { return one(ordered) }
        return (added, subtracted)
    }

    // MARK: Products

    func product(_ e: Expr) -> Expr {
        var factors: [Expr] = []
        var constants: [Double] = []
        var negative = false
        collectFactors(e, into: &factors, constants: &constants, negative: &negative)
        let (negativeConstant, kept) = Self.productConstants(constants)
        if negativeConstant { negative.toggle() }
        factors.sort { key($0) < key($1) }
        if kept != [1] || factors.isEmpty { factors.insert(contentsOf: kept.map(Expr.constant), at: 0) }
        let result = factors.dropFirst().reduce(factors[0]) { .binary(.mul, $0, $1) }
        return negative ? negate(result) : result
    }

    func collectFactors(_ e: Expr, into factors: inout [Expr], constants: inout [Double], negative: inout Bool) {
        if case .binary(.mul, let a, let b) = e {
            collectFactors(a, into: &factors, constants: &constants, negative: &negative)
            collectFactors(b, into: &factors, constants: &constants, negative: &negative)
            return
        }
        var c = canonical(e)
        if case .unary(.neg, let inner) = c {
            negative.toggle()
            c = inner
        }
        switch c {
        case .constant(let v): constants.append(v)
        case .binary(.mul, _, _): collectFactors(c, into: &factors, constants: &constants, negative: &negative)
        default: factors.append(c)
        }
    }

    /// A product's constants as the canonical form writes them, with whether their sign is
    /// negative: their product, in the order they came, as one factor; or, where that
    /// overflows, the product of their sizes in ascending order (the order the canonical form
    /// writes them); or, where that overflows too, each size apart (1 left out) in that order.
    /// As in a sum, an overflowing constant is not folded to `inf`.
    static func productConstants(_ values: [Double]) -> (negative: Bool, kept: [Double]) {
        let total = values.reduce(1, *)
        if total.isFinite { return total < 0 ? (true, [-total]) : (false, [total]) }
        let negative = values.filter { $0 < 0 }.count % 2 == 1
        let sizes = values.map { Swift.abs($0) }.filter { $0 != 1 }.sorted()
        let ordered = sizes.reduce(1, *)
        if ordered.isFinite { return (negative, [ordered]) }
        return (negative, sizes)
    }
}
