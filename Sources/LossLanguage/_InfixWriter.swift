/// Writes a tree in an infix language with the usual precedences (the infix syntax, Python for
/// PyTorch and SymPy), with the fewest parentheses that read back as the same tree: the parser is
/// left-associative, so a right operand of equal precedence keeps its parentheses.
struct InfixWriter {
    /// How a dialect names things; `nil` from `binaryCall` means "write the infix symbol".
    var input: (Input) -> String = { $0.name }
    var constant: (Double) -> String = formatConstant
    var unaryCall: (UnaryOp) -> String = { $0.name }
    var binaryCall: (BinaryOp) -> String? = { $0 == .dot ? "dot" : nil }
    /// Wraps a scalar operand that meets a class vector (PyTorch needs an explicit unsqueeze).
    var broadcast: ((String) -> String)? = nil
    var branch: Branch = .softmax
    /// A name already bound to this subtree (PyTorch's temporaries): written as an atom.
    var bound: [Expr: String] = [:]
    /// Writes log(softmax(a)) as one call, the evaluator's fused kernel (PyTorch).
    var fusedLogSoftmax: String? = nil
    /// Softmax branch: repeats a per-sample scalar over the classes where softmax or dot acts
    /// over them (PyTorch: the authors' [N, C+1] tensors).
    var overClasses: ((String) -> String)? = nil

    /// The operand text, repeated over the classes if it is a per-sample scalar that softmax or
    /// dot acts on.
    private func classOperand(_ a: Expr) -> String {
        let text = render(a).text
        guard let wrap = overClasses, branch == .softmax, (try? a.valueType(in: branch)) != .vector else { return text }
        return wrap(text)
    }

    private enum Level: Int, Comparable {
        case sum = 1, product, signed, atom
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    func write(_ e: Expr) -> String { render(e).text }

    private func render(_ e: Expr) -> (text: String, level: Level) {
        if !bound.isEmpty, let name = bound[e] { return (name, .atom) }
        if let fused = fusedLogSoftmax, case .unary(.log, .unary(.softmax, let a)) = e {
            return ("\(fused)(\(classOperand(a)))", .atom)
        }
        switch e {
        case .input(let v): return (input(v), .atom)
        case .constant(let c): return (constant(c), c < 0 || (c == 0 && c.sign == .minus) ? .signed : .atom)
        case .unary(.neg, let a):
            let inner = render(a)
            // "-(-x)" rather than "--x": clearer, and still one tree.
            // A bare number after "-" would read back as a negative constant: "-(2)" keeps the node.
            var needsParens = inner.level < .signed || inner.text.hasPrefix("-")
            if case .constant = a { needsParens = true }
            return ("-" + (needsParens ? "(\(inner.text))" : inner.text), .signed)
        case .unary(.softmax, let a):
            return ("\(unaryCall(.softmax))(\(classOperand(a)))", .atom)
        case .unary(let op, let a):
            return ("\(unaryCall(op))(\(render(a).text))", .atom)
        case .binary(.dot, let a, let b) where overClasses != nil && !(a.isConstant && b.isConstant):
            return ("\(binaryCall(.dot) ?? "dot")(\(classOperand(a)), \(classOperand(b)))", .atom)
        case .binary(let op, let a, let b):
            var ra = render(a), rb = render(b)
            if let wrap = broadcast, op != .dot {
                let typeA = (try? a.valueType(in: branch)) ?? .scalar
                let typeB = (try? b.valueType(in: branch)) ?? .scalar
                if typeA == .scalar && typeB == .vector && !a.isConstant { ra = (wrap(ra.level < .atom ? "(\(ra.text))" : ra.text), .atom) }
                if typeB == .scalar && typeA == .vector && !b.isConstant { rb = (wrap(rb.level < .atom ? "(\(rb.text))" : rb.text), .atom) }
            }
            if let name = binaryCall(op) { return ("\(name)(\(ra.text), \(rb.text))", .atom) }
            let level: Level = (op == .add || op == .sub) ? .sum : .product
            let left = ra.level < level ? "(\(ra.text))" : ra.text
            let right = rb.level <= level ? "(\(rb.text))" : rb.text
            return ("\(left) \(op.symbol) \(right)", level)
        }
    }
}

extension Expr {
    /// The infix form with the fewest parentheses: `-dot(y, log(softmax(x)))`.
    public var infix: String { InfixWriter().write(self) }
}
