extension Expr {
    /// Reads a formula of `branch`, in infix (`-dot(y, log(softmax(x)))`) or in the authors'
    /// prefix form (`Neg(Dot(Y,Log(Softmax(X))))`): a formula whose first name starts with a
    /// capital letter is read as prefix. The result is type-checked for the branch.
    ///
    /// Throws `LossLanguageError.syntax` with the position and what was expected, or `.type`.
    public static func parse(_ source: String, branch: Branch) throws -> Expr {
        let expr = try parseUnchecked(source, branch: branch)
        try expr.typeCheck(branch: branch)
        return expr
    }

    /// Reads a formula without type-checking it (the printers and the fuzz tests use this).
    static func parseUnchecked(_ source: String, branch: Branch) throws -> Expr {
        let tokens = try Lexer.tokenize(source)
        var cursor = TokenCursor(tokens: tokens, source: source)
        if case .end = cursor.current.kind { throw cursor.error("empty formula") }
        let expr: Expr
        if isPrefixSyntax(tokens) {
            var parser = PrefixParser(cursor: cursor, branch: branch)
            expr = try parser.parseExpression()
            cursor = parser.cursor
        } else {
            var parser = InfixParser(cursor: cursor, branch: branch)
            expr = try parser.parseSum()
            cursor = parser.cursor
        }
        if case .end = cursor.current.kind { return expr }
        throw cursor.error("expected an operator or the end of the formula, found \(cursor.describe(cursor.current))")
    }

    /// Prefix strings name their operators with a capital (`Neg(`, `Add(`) or are a bare capital
    /// input (`X`); infix names are lower case.
    static func isPrefixSyntax(_ tokens: [Token]) -> Bool {
        for t in tokens {
            switch t.kind {
            case .identifier(let s): return s.first!.isUppercase
            case .symbol("("), .symbol("-"): continue
            default: return false
            }
        }
        return false
    }
}

/// Infix: sums of products of signed atoms; atoms are numbers, inputs, calls, parentheses.
struct InfixParser {
    var cursor: TokenCursor
    let branch: Branch

    mutating func parseSum() throws -> Expr {
        try cursor.enter()
        defer { cursor.leave() }
        var lhs = try parseProduct()
        while case .symbol(let c) = cursor.current.kind, c == "+" || c == "-" {
            cursor.advance()
            let rhs = try parseProduct()
            try cursor.made()
            lhs = .binary(c == "+" ? .add : .sub, lhs, rhs)
        }
        return lhs
    }

    mutating func parseProduct() throws -> Expr {
        var lhs = try parseSigned()
        while case .symbol(let c) = cursor.current.kind, c == "*" || c == "/" {
            cursor.advance()
            let rhs = try parseSigned()
            try cursor.made()
            lhs = .binary(c == "*" ? .mul : .div, lhs, rhs)
        }
        return lhs
    }

    /// A leading minus: before a number it is the number's sign (`-1` is the constant -1),
    /// otherwise negation.
    mutating func parseSigned() throws -> Expr {
        guard case .symbol("-") = cursor.current.kind else { return try parseAtom() }
        cursor.advance()
        if case .number(let v) = cursor.current.kind {
            try cursor.made()
            cursor.advance()
            return .constant(-v)
        }
        // Each minus is a level of nesting, except one before '(': the parenthesis counts its own
        // level. Counting both made the printed `-(-(-x))` twice as deep as the `---x` it is
        // printed from, so that a formula the parser took printed as one it refused (issue 38).
        let counted = cursor.current.kind != .symbol("(")
        if counted { try cursor.enter() }
        defer { if counted { cursor.leave() } }
        try cursor.made()
        return .unary(.neg, try parseSigned())
    }

    mutating func parseAtom() throws -> Expr {
        let token = cursor.current
        switch token.kind {
        case .number(let v):
            try cursor.made()
            cursor.advance()
            return .constant(v)
        case .symbol("("):
            cursor.advance()
            let inner = try parseSum()
            try cursor.expect(")", "')' to close the '(' at position \(token.position + 1)")
            return inner
        case .identifier(let name):
            cursor.advance()
            if case .symbol("(") = cursor.current.kind {
                return try parseCall(name, at: token)
            }
            if !Input.allCases.contains(where: { $0.name == name }) { if let loss = try knownLoss(name, at: token) { return loss } }
            return try resolveInput(name, at: token)
        case .symbol("+"):
            throw cursor.error("unexpected '+': a term is missing before it")
        case .end:
            throw cursor.error("the formula ends early: expected a number, an input or a function")
        default:
            throw cursor.error("expected a number, an input or a function, found \(cursor.describe(token))")
        }
    }

    mutating func parseCall(_ name: String, at token: Token) throws -> Expr {
        try cursor.enter()
        defer { cursor.leave() }
        try cursor.made(at: token)
        let lower = name.lowercased()
        let opening = cursor.current
        cursor.advance()
        var args: [Expr] = []
        if case .symbol(")") = cursor.current.kind {} else {
            args.append(try parseSum())
            while case .symbol(",") = cursor.current.kind {
                cursor.advance()
                args.append(try parseSum())
            }
        }
        try cursor.expect(")", "',' or ')' to close the call of \(name) opened at position \(opening.position + 1)")
        if let op = UnaryOp.byName[lower] {
            guard args.count == 1 else {
                throw cursor.error("\(name) takes 1 argument, got \(args.count)", at: token)
            }
            return .unary(op, args[0])
        }
        if lower == "dot" {
            guard args.count == 2 else {
                throw cursor.error("dot takes 2 arguments, got \(args.count)", at: token)
            }
            return .binary(.dot, args[0], args[1])
        }
        if let known = KnownLoss(name: lower) {
            throw cursor.error("'\(name)' is a known loss, not a function: pass it alone, as '\(known.name)'", at: token)
        }
        throw cursor.error("unknown function '\(name)' (functions: \(UnaryOp.allCases.map(\.name).joined(separator: ", ")), dot)", at: token)
    }

    /// A known loss's name stands for its formula in this branch (`3 * giou`, `ce + 0.5 * focal`);
    /// a name with hyphens (`log-iou`, `cse-a-reg`, `smooth-l1`) is one name when written
    /// without spaces and it is a loss's name (else `giou-iou` is a difference). A built-in
    /// regression loss of the detector has no formula: an error that says so. Nil: not a loss.
    mutating func knownLoss(_ name: String, at token: Token) throws -> Expr? {
        var names = [(name, cursor.index)]
        var end = token.position + name.count, k = cursor.index
        while k + 1 < cursor.tokens.count, case .symbol("-") = cursor.tokens[k].kind, cursor.tokens[k].position == end,
              case .identifier(let part) = cursor.tokens[k + 1].kind, cursor.tokens[k + 1].position == end + 1 {
            names.append((names.last!.0 + "-" + part, k + 2))
            end += 1 + part.count
            k += 2
        }
        let isLoss = { (n: String) in KnownLoss(name: n) != nil || KnownLoss.builtinRegressionNames.contains(n.lowercased()) }
        guard let (whole, next) = names.last(where: { isLoss($0.0) }) else { return nil }
        cursor.index = next
        guard let known = KnownLoss(name: whole) else {
            let alone = cursor.tokens.first == token && cursor.current.kind == .end
            throw cursor.error("'\(whole)' is a built-in regression loss of the detector, not a formula: "
                + (alone ? "a detector training takes it alone, as its regression loss" : "it cannot be composed with others in a formula"), at: token)
        }
        guard known.branches.contains(branch) else {
            throw cursor.error("the known loss '\(known.name)' has no \(branch.rawValue) form (it is defined for: \(known.branches.map(\.rawValue).joined(separator: ", ")))", at: token)
        }
        let expr = try known.expr(branch: branch)
        try cursor.made(expr.size, at: token)
        return expr
    }

    mutating func resolveInput(_ name: String, at token: Token) throws -> Expr {
        if let v = Input.allCases.first(where: { $0.name == name }) {
            try cursor.made(at: token)
            guard branch.inputs.contains(v) else {
                throw cursor.error("'\(name)' is not an input of the \(branch.rawValue) branch (its inputs: \(branch.inputs.map(\.name).joined(separator: ", ")))", at: token)
            }
            return .input(v)
        }
        if UnaryOp.byName[name.lowercased()] != nil || name.lowercased() == "dot" {
            throw cursor.error("function '\(name)' needs its arguments in parentheses", at: token)
        }
        // A prefix formula whose first operator is not capitalised (nEG(Dot(Y, ...))) is read as
        // infix, where its capital inputs are unknown: the casing is what to fix.
        if let first = cursor.tokens.first(where: { if case .identifier = $0.kind { return true } else { return false } }),
           case .identifier(let head) = first.kind, head != head.lowercased(),
           let op = UnaryOp.byPrefixName[head.lowercased()]?.prefixName ?? BinaryOp.byPrefixName[head.lowercased()]?.prefixName {
            throw cursor.error("'\(head)' is the prefix operator \(op) in other casing: a formula in prefix form starts with a capital, as in \(op)(...); read as infix, it has names in capitals that infix does not know", at: first)
        }
        let lower = branch.inputs.first(where: { $0.name == name.lowercased() }).map { "did you mean '\($0.name)'? infix names are lower case; " } ?? ""
        throw cursor.error("unknown name '\(name)' (\(lower)inputs of the \(branch.rawValue) branch: \(branch.inputs.map(\.name).joined(separator: ", ")))", at: token)
    }
}

/// The authors' prefix form: `Name(arg, ...)`, their input names, numbers.
struct PrefixParser {
    var cursor: TokenCursor
    let branch: Branch

    /// The authors' input names per branch; the sigmoid branch's `NY` is `1 - y`.
    static func inputs(for branch: Branch) -> [String: Expr] {
        switch branch {
        case .softmax: return ["X": .input(.x), "Y": .input(.y), "Z": .input(.w)]
        case .sigmoid: return ["X": .input(.x), "Q": .input(.w), "PY": .input(.y), "NY": .binary(.sub, 1, .input(.y))]
        case .reg: return ["U": .input(.u), "I": .input(.i), "E": .input(.e)]
        }
    }

    mutating func parseExpression() throws -> Expr {
        try cursor.enter()
        defer { cursor.leave() }
        let token = cursor.current
        try cursor.made()
        switch token.kind {
        case .number(let v):
            cursor.advance()
            return .constant(v)
        case .symbol("-"):
            cursor.advance()
            guard case .number(let v) = cursor.current.kind else {
                throw cursor.error("in prefix form a '-' must start a number; write Neg(...)")
            }
            cursor.advance()
            return .constant(-v)
        case .identifier(let name):
            cursor.advance()
            guard case .symbol("(") = cursor.current.kind else {
                if let input = Self.inputs(for: branch)[name.uppercased()] {
                    try cursor.made(input.size - 1, at: token)  // NY is 1 - y: three nodes
                    return input
                }
                let names = Self.inputs(for: branch).keys.sorted().joined(separator: ", ")
                throw cursor.error("unknown input '\(name)' (the \(branch.rawValue) branch's prefix inputs: \(names))", at: token)
            }
            return try parseCall(name, at: token)
        case .end:
            throw cursor.error("the formula ends early: expected an operator, an input or a number")
        default:
            throw cursor.error("expected an operator, an input or a number, found \(cursor.describe(token))")
        }
    }

    mutating func parseCall(_ name: String, at token: Token) throws -> Expr {
        let opening = cursor.current
        cursor.advance()
        var args = [try parseExpression()]
        while case .symbol(",") = cursor.current.kind {
            cursor.advance()
            args.append(try parseExpression())
        }
        try cursor.expect(")", "',' or ')' to close \(name)( at position \(opening.position + 1)")
        let lower = name.lowercased()
        if let op = UnaryOp.byPrefixName[lower] {
            guard args.count == 1 else { throw cursor.error("\(name) takes 1 argument, got \(args.count)", at: token) }
            return .unary(op, args[0])
        }
        if let op = BinaryOp.byPrefixName[lower] {
            guard args.count == 2 else { throw cursor.error("\(name) takes 2 arguments, got \(args.count)", at: token) }
            return .binary(op, args[0], args[1])
        }
        let known = (UnaryOp.allCases.map(\.prefixName) + BinaryOp.allCases.map(\.prefixName)).joined(separator: ", ")
        throw cursor.error("unknown operator '\(name)' (prefix operators: \(known))", at: token)
    }
}
