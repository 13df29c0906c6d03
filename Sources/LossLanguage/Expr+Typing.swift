extension Expr {
    /// The shape of this formula's value in `branch`, or a type error naming the offending
    /// subformula.
    ///
    /// Rules: inputs have their branch's shape, constants are scalars; `softmax` maps a class
    /// vector to a class vector; `dot` maps two class vectors to a scalar; the other operators are
    /// elementwise, with a scalar broadcast over a class vector.
    public func valueType(in branch: Branch) throws -> ValueType {
        switch self {
        case .constant: return .scalar
        case .input(let v):
            guard branch.inputs.contains(v) else {
                let names = branch.inputs.map(\.name).joined(separator: ", ")
                throw LossLanguageError.type(message: "'\(v.name)' is not an input of the \(branch.rawValue) branch (its inputs: \(names))")
            }
            return branch.type(of: v)
        case .unary(let op, let a):
            let t = try a.valueType(in: branch)
            if op == .softmax && t != .vector {
                let hint = branch == .softmax ? "" : " (the \(branch.rawValue) branch is elementwise and has none)"
                throw LossLanguageError.type(message: "softmax needs a class vector, but \(a.infix) is a scalar per sample\(hint): in \(infix)")
            }
            return t
        case .binary(let op, let a, let b):
            let ta = try a.valueType(in: branch), tb = try b.valueType(in: branch)
            if op == .dot {
                guard ta == .vector && tb == .vector else {
                    let hint = branch == .softmax ? "" : " (the \(branch.rawValue) branch is elementwise and has none)"
                    throw LossLanguageError.type(message: "dot needs two class vectors\(hint): in \(infix)")
                }
                return .scalar
            }
            return ta == .vector || tb == .vector ? .vector : .scalar
        }
    }

    /// Checks that the formula is a loss of `branch`: well typed, one number per sample.
    public func typeCheck(branch: Branch) throws {
        try checkLimits()
        let t = try valueType(in: branch)
        if t == .vector {
            throw LossLanguageError.type(message: "the loss is a class vector, but a loss gives one number per sample: reduce it with dot(...), as in -dot(y, log(softmax(x)))")
        }
    }
}
