/// A formula flattened for the compiled evaluator: nodes in post-order (children before parents),
/// identical subtrees shared (so `sigmoid(x)` written four times is computed once), constant
/// subtrees folded, and for the reverse pass a static plan saying, for each gradient
/// contribution, whether it is the first into its buffer (assign) or a later one (accumulate).
struct Program {
    enum Kind: Equatable {
        case input(Input)
        case constant(Double)
        case unary(UnaryOp, Int)
        case binary(BinaryOp, Int, Int)
        /// log(softmax(a) + eps) in one kernel: every softmax-branch loss has it, and fused it
        /// needs no per-element log (see `Kernels.logSoftmax`). Not for a per-sample scalar's
        /// softmax, a constant 1/(C+1).
        case logSoftmax(Int)
    }

    struct Node {
        var kind: Kind
        var type: ValueType
        /// Whether some requested input lies below this node: only then does it get a gradient.
        var needsGrad: Bool
        /// For each operand (0, 1): whether its gradient contribution accumulates (true) or is
        /// the first and assigns (false).
        var accumulate: (Bool, Bool) = (false, false)
    }

    var nodes: [Node] = []
    var root: Int = 0
    /// The requested inputs the formula does not read: their gradients are zero.
    var unusedGradientInputs: [Input] = []

    init(_ expr: Expr, branch: Branch, gradientsFor wrt: Set<Input>) throws {
        try expr.typeCheck(branch: branch)
        var index: [Expr: Int] = [:]
        root = try add(expr, branch: branch, wrt: wrt, index: &index)
        planReversePass()
        unusedGradientInputs = wrt.subtracting(expr.inputs).sorted()
    }

    private mutating func add(_ e: Expr, branch: Branch, wrt: Set<Input>, index: inout [Expr: Int]) throws -> Int {
        if let existing = index[e] { return existing }
        let node: Node
        if !(e.isConstant), case .input(let v) = e {
            node = Node(kind: .input(v), type: branch.type(of: v), needsGrad: wrt.contains(v))
        } else if e.isConstant, let value = Canonicalizer.fold(e) {
            node = Node(kind: .constant(value), type: .scalar, needsGrad: false)
        } else {
            switch e {
            case .input, .constant:
                // A constant that does not fold to a finite number (sqrt(-1)) stays a constant
                // node holding its non-finite value, which the run reports as data.
                let v = (try? e.reference([:]))?.scalarValue ?? .nan
                node = Node(kind: .constant(v), type: .scalar, needsGrad: false)
            case .unary(.log, .unary(.softmax, let a)) where branch == .sigmoid || (try? a.valueType(in: branch)) == .vector:
                let ia = try add(a, branch: branch, wrt: wrt, index: &index)
                node = Node(kind: .logSoftmax(ia), type: nodes[ia].type, needsGrad: nodes[ia].needsGrad)
            case .unary(let op, let a):
                let ia = try add(a, branch: branch, wrt: wrt, index: &index)
                // Softmax branch: softmax of a per-sample scalar is a class vector (uniform).
                let type: ValueType = op == .softmax && branch == .softmax ? .vector : nodes[ia].type
                node = Node(kind: .unary(op, ia), type: type, needsGrad: nodes[ia].needsGrad)
            case .binary(let op, let a, let b):
                let ia = try add(a, branch: branch, wrt: wrt, index: &index)
                let ib = try add(b, branch: branch, wrt: wrt, index: &index)
                let type: ValueType = op == .dot ? .scalar
                    : (nodes[ia].type == .vector || nodes[ib].type == .vector ? .vector : .scalar)
                node = Node(kind: .binary(op, ia, ib), type: type, needsGrad: nodes[ia].needsGrad || nodes[ib].needsGrad)
            }
        }
        nodes.append(node)
        index[e] = nodes.count - 1
        return nodes.count - 1
    }

    /// Walks parents before children, as the reverse pass will, marking first contributions.
    private mutating func planReversePass() {
        var received = [Bool](repeating: false, count: nodes.count)
        received[root] = true
        for n in stride(from: nodes.count - 1, through: 0, by: -1) where nodes[n].needsGrad && received[n] {
            func mark(_ child: Int) -> Bool {
                let accumulate = received[child]
                received[child] = true
                return accumulate
            }
            switch nodes[n].kind {
            case .unary(_, let a), .logSoftmax(let a):
                if nodes[a].needsGrad { nodes[n].accumulate.0 = mark(a) }
            case .binary(_, let a, let b):
                if nodes[a].needsGrad { nodes[n].accumulate.0 = mark(a) }
                if nodes[b].needsGrad { nodes[n].accumulate.1 = mark(b) }
            case .input, .constant: break
            }
        }
    }
}
