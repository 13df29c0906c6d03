extension Expr {
    /// The shape of this formula's value in `branch`, or a type error naming the offending
    /// subformula.
    ///
    /// Rules, the authors' (tools/search_space.py), where a per-sample scalar stands for their
    /// [N, C+1] tensor holding one number per row (their Z, the IoU over every class):
    /// inputs have their branch's shape, constants are scalars; the operators are elementwise,
    /// with a scalar broadcast over a class vector. `softmax` is over the classes: in the softmax
    /// branch it maps anything but a constant to a class vector (a per-sample scalar's softmax is
    /// 1/(C+1) in every class); in the sigmoid branch it is over each [N, C] row of the
    /// elementwise values, so they stay elementwise. `dot` (softmax branch only) sums a * b over
    /// the classes, a scalar operand broadcast: dot(2, x) = 2 sum(x), dot(w, w) = (C+1) w^2;
    /// of two constants, one-element tensors in their code, it is the product: dot(2, 3) = 6.
    /// Softmax of a constant has no classes to act over (their code fails on it too): a type
    /// error.
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
            if op == .softmax {
                if branch == .reg {
                    throw LossLanguageError.type(message: "softmax needs classes, and the reg branch has none: in \(infix)")
                }
                if a.isConstant {
                    throw LossLanguageError.type(message: "softmax of a constant has no classes to act over: in \(infix)")
                }
                return branch == .softmax ? .vector : t
            }
            return t
        case .binary(let op, let a, let b):
            let ta = try a.valueType(in: branch), tb = try b.valueType(in: branch)
            if op == .dot {
                guard branch == .softmax else {
                    throw LossLanguageError.type(message: "dot sums over the classes of the softmax branch; the \(branch.rawValue) branch has no dot: in \(infix)")
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
