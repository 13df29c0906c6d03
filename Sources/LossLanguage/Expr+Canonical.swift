extension Expr {
    /// A normal form whose infix string identifies formulas that are the same up to algebra the
    /// evaluator honours exactly (or to the last bit of rounding): the deduplication key.
    ///
    /// Rules: constant subtrees folded (when finite); sums and differences flattened into signed
    /// terms, like terms cancelled (`a - a = 0`), terms sorted, constants first; products
    /// flattened, factors sorted, constants multiplied, signs pulled out; `--a = a`;
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
        var constant = 0.0
        collectTerms(e, positive: true, into: &terms, constant: &constant)
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
        if constant > 0 { positives.insert(.constant(constant), at: 0) }
        if constant < 0 { negatives.insert(.constant(-constant), at: 0) }
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

    func collectTerms(_ e: Expr, positive: Bool, into terms: inout [(expr: Expr, positive: Bool)], constant: inout Double) {
        switch e {
        case .binary(.add, let a, let b):
            collectTerms(a, positive: positive, into: &terms, constant: &constant)
            collectTerms(b, positive: positive, into: &terms, constant: &constant)
        case .binary(.sub, let a, let b):
            collectTerms(a, positive: positive, into: &terms, constant: &constant)
            collectTerms(b, positive: !positive, into: &terms, constant: &constant)
        case .unary(.neg, let a):
            collectTerms(a, positive: !positive, into: &terms, constant: &constant)
        default:
            let c = canonical(e)
            switch c {
            case .constant(let v): constant += positive ? v : -v
            case .unary(.neg, _), .binary(.add, _, _), .binary(.sub, _, _):
                collectTerms(c, positive: positive, into: &terms, constant: &constant)
            default: terms.append((c, positive))
            }
        }
    }

    // MARK: Products

    func product(_ e: Expr) -> Expr {
        var factors: [Expr] = []
        var constant = 1.0
        var negative = false
        collectFactors(e, into: &factors, constant: &constant, negative: &negative)
        if constant < 0 { constant = -constant; negative.toggle() }
        factors.sort { key($0) < key($1) }
        if constant != 1 || factors.isEmpty { factors.insert(.constant(constant), at: 0) }
        let result = factors.dropFirst().reduce(factors[0]) { .binary(.mul, $0, $1) }
        return negative ? negate(result) : result
    }

    func collectFactors(_ e: Expr, into factors: inout [Expr], constant: inout Double, negative: inout Bool) {
        if case .binary(.mul, let a, let b) = e {
            collectFactors(a, into: &factors, constant: &constant, negative: &negative)
            collectFactors(b, into: &factors, constant: &constant, negative: &negative)
            return
        }
        var c = canonical(e)
        if case .unary(.neg, let inner) = c {
            negative.toggle()
            c = inner
        }
        switch c {
        case .constant(let v): constant *= v
        case .binary(.mul, _, _): collectFactors(c, into: &factors, constant: &constant, negative: &negative)
        default: factors.append(c)
        }
    }
}
