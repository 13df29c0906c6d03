extension Expr {
    /// A LaTeX formula: `-\left\langle y, \log\left(\operatorname{softmax}(x)\right)\right\rangle`.
    /// The scaled S-curves print under their names (gd, alf, erf as defined in METHOD.md).
    public var latex: String { latexRendered.text }

    private var latexRendered: (text: String, level: Int) {
        switch self {
        case .input(let v): return (v.name, 4)
        case .constant(let c): return (formatConstant(c), c < 0 ? 3 : 4)
        case .unary(.neg, let a):
            let inner = a.latexRendered
            return ("-" + (inner.level < 3 || inner.text.hasPrefix("-") ? "\\left(\(inner.text)\\right)" : inner.text), 3)
        case .unary(.abs, let a): return ("\\left|\(a.latexRendered.text)\\right|", 4)
        case .unary(.sqrt, let a): return ("\\sqrt{\(a.latexRendered.text)}", 4)
        case .unary(.exp, let a): return ("e^{\(a.latexRendered.text)}", 4)
        case .unary(let op, let a):
            let names: [UnaryOp: String] = [.log: "\\log", .sigmoid: "\\sigma", .tanh: "\\tanh", .sin: "\\sin", .cos: "\\cos"]
            let name = names[op] ?? "\\operatorname{\(op.name)}"
            return ("\(name)\\left(\(a.latexRendered.text)\\right)", 4)
        case .binary(.div, let a, let b):
            return ("\\frac{\(a.latexRendered.text)}{\(b.latexRendered.text)}", 4)
        case .binary(.dot, let a, let b):
            return ("\\left\\langle \(a.latexRendered.text), \(b.latexRendered.text)\\right\\rangle", 4)
        case .binary(let op, let a, let b):
            let level = op == .mul ? 2 : 1
            let la = a.latexRendered, lb = b.latexRendered
            let left = la.level < level ? "\\left(\(la.text)\\right)" : la.text
            let right = lb.level <= level ? "\\left(\(lb.text)\\right)" : lb.text
            let symbol = op == .mul ? " \\cdot " : " \(op.symbol) "
            return (left + symbol + right, level)
        }
    }
}
