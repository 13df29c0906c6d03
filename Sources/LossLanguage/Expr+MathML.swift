extension Expr {
    /// Presentation MathML, typeset by the browser itself (no script, no external font), with the
    /// layout of the LaTeX printer: fractions, roots, powers of e, ⟨a, b⟩ for `dot`, the fewest
    /// parentheses.
    ///
    ///     try Expr.parse("1 - i / u", branch: .reg).mathML
    ///     // <math display="inline"><mn>1</mn><mo>−</mo><mfrac><mi>i</mi><mi>u</mi></mfrac></math>
    public var mathML: String { "<math display=\"inline\">\(mathMLRendered.text)</math>" }

    private static func fenced(_ text: String) -> String { "<mrow><mo>(</mo>\(text)<mo>)</mo></mrow>" }

    /// The MathML of the node and its precedence level (as `latex`'s: 1 sum, 2 product,
    /// 3 negation, 4 atom).
    private var mathMLRendered: (text: String, level: Int) {
        switch self {
        case .input(let v): return ("<mi>\(v.name)</mi>", 4)
        case .constant(let c):
            let text = formatConstant(Swift.abs(c))
            return c < 0 ? ("<mrow><mo>−</mo><mn>\(text)</mn></mrow>", 3) : ("<mn>\(text)</mn>", 4)
        case .unary(.neg, let a):
            let inner = a.mathMLRendered
            let needs = inner.level < 3 || inner.text.hasPrefix("<mrow><mo>−</mo>")
            return ("<mrow><mo>−</mo>\(needs ? Self.fenced(inner.text) : inner.text)</mrow>", 3)
        case .unary(.abs, let a):
            return ("<mrow><mo>|</mo>\(a.mathMLRendered.text)<mo>|</mo></mrow>", 4)
        case .unary(.sqrt, let a): return ("<msqrt>\(a.mathMLRendered.text)</msqrt>", 4)
        case .unary(.exp, let a): return ("<msup><mi>e</mi><mrow>\(a.mathMLRendered.text)</mrow></msup>", 4)
        case .unary(let op, let a):
            let name = op == .sigmoid ? "σ" : op.name
            return ("<mrow><mi>\(name)</mi><mo>&#x2061;</mo>\(Self.fenced(a.mathMLRendered.text))</mrow>", 4)
        case .binary(.div, let a, let b):
            return ("<mfrac><mrow>\(a.mathMLRendered.text)</mrow><mrow>\(b.mathMLRendered.text)</mrow></mfrac>", 4)
        case .binary(.dot, let a, let b):
            return ("<mrow><mo>⟨</mo>\(a.mathMLRendered.text)<mo>,</mo>\(b.mathMLRendered.text)<mo>⟩</mo></mrow>", 4)
        case .binary(let op, let a, let b):
            let level = op == .mul ? 2 : 1
            let la = a.mathMLRendered, lb = b.mathMLRendered
            let left = la.level < level ? Self.fenced(la.text) : la.text
            let right = lb.level <= level ? Self.fenced(lb.text) : lb.text
            let symbol = op == .mul ? "·" : op == .sub ? "−" : op.symbol
            return ("<mrow>\(left)<mo>\(symbol)</mo>\(right)</mrow>", level)
        }
    }
}
