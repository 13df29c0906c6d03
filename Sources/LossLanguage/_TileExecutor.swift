/// Runs a `Program` over one tile of rows: the forward pass into per-node buffers, then the
/// reverse pass, then a count of non-finite results. Buffers are allocated once per thread.
struct TileExecutor<T: LossScalar> {
    let program: Program
    let branch: Branch
    let classes: Int
    let tileRows: Int
    let inputs: [Input: UnsafePointer<T>]
    let gradients: [Input: UnsafeMutablePointer<T>]
    /// One forward buffer and one gradient buffer per node, each tileRows * classes long.
    private var storage: UnsafeMutablePointer<T>
    private var value: [UnsafeMutablePointer<T>]
    private var grad: [UnsafeMutablePointer<T>]
    /// The softmax of a fused log-softmax node, kept for its backward pass.
    private var aux: [UnsafeMutablePointer<T>?]
    private let stride: Int

    init(program: Program, branch: Branch, classes: Int, tileRows: Int, inputs: [Input: UnsafePointer<T>],
         gradients: [Input: UnsafeMutablePointer<T>]) {
        self.program = program
        self.branch = branch
        self.classes = classes
        self.tileRows = tileRows
        self.inputs = inputs
        self.gradients = gradients
        let stride = tileRows * classes
        self.stride = stride
        let n = program.nodes.count
        let auxNodes = program.nodes.indices.filter {
            if case .logSoftmax = program.nodes[$0].kind { return true }
            return false
        }
        let total = (2 * n + auxNodes.count) * stride
        let storage = UnsafeMutablePointer<T>.allocate(capacity: total)
        storage.initialize(repeating: 0, count: total)
        self.storage = storage
        value = (0..<n).map { storage + $0 * stride }
        grad = (0..<n).map { storage + (n + $0) * stride }
        var aux = [UnsafeMutablePointer<T>?](repeating: nil, count: n)
        for (slot, k) in auxNodes.enumerated() { aux[k] = storage + (2 * n + slot) * stride }
        self.aux = aux
        for (k, node) in program.nodes.enumerated() {
            if case .constant(let c) = node.kind { value[k].update(repeating: T(c), count: stride) }
        }
    }

    func deallocate() { storage.deallocate() }

    /// Sigmoid branch: every node spans the tile's rows x classes (elementwise over [N, C], its
    /// softmax over each row).
    private var rowWise: Bool { branch == .sigmoid }

    private func length(_ node: Int, rows: Int) -> Int {
        rowWise || program.nodes[node].type == .vector ? rows * classes : rows
    }

    /// The (rows, classes) an elementwise kernel sees: the sigmoid branch's [N, C] flattened.
    private func elementwise(_ rows: Int) -> (rows: Int, classes: Int) {
        rowWise ? (rows * classes, 1) : (rows, classes)
    }

    /// Evaluates rows [firstRow, firstRow + rows) and returns how many results are non-finite.
    mutating func runTile(firstRow: Int, rows: Int, values out: UnsafeMutablePointer<T>) -> Int {
        let nodes = program.nodes
        // Forward.
        for k in nodes.indices {
            let node = nodes[k]
            let n = length(k, rows: rows)
            switch node.kind {
            case .constant: break
            case .input(let v):
                let offset = length(k, rows: firstRow)
                value[k] = UnsafeMutablePointer(mutating: inputs[v]! + offset)
                if node.needsGrad, let g = gradients[v] { grad[k] = g + offset }
            case .unary(.softmax, let a) where !rowWise && nodes[a].type == .scalar:
                // A per-sample scalar over the classes: every class equal, softmax 1/(C+1).
                value[k].update(repeating: 1 / T(classes), count: n)
            case .unary(.softmax, let a):
                Kernels.softmax(rows: rows, classes: classes, value[a], value[k])
            case .logSoftmax(let a):
                Kernels.logSoftmax(rows: rows, classes: classes, value[a], value[k], aux[k]!)
            case .unary(let op, let a):
                Kernels.unary(op, n, value[a], value[k])
            case .binary(.dot, let a, let b):
                Kernels.dot(rows: rows, classes: classes, (nodes[a].type, nodes[b].type), value[a], value[b], value[k])
            case .binary(let op, let a, let b):
                let (r, c) = elementwise(rows)
                Kernels.binary(op, rows: r, classes: c, nodes[a].type, nodes[b].type, value[a], value[b], value[k])
            }
        }
        let root = program.root
        let rootValue = value[root]
        let rootLength = length(root, rows: rows)
        if nodes[root].type == .scalar {
            out.update(from: rootValue, count: rootLength)
        }
        // Reverse: the root's gradient is 1 per row (each row's loss by its own inputs).
        if nodes[root].needsGrad {
            grad[root].update(repeating: 1, count: rootLength)
            for k in nodes.indices.reversed() where nodes[k].needsGrad {
                let node = nodes[k]
                switch node.kind {
                case .input, .constant: break
                case .logSoftmax(let a):
                    Kernels.logSoftmaxBackward(rows: rows, classes: classes, grad[k], aux[k]!, grad[a], accumulate: node.accumulate.0)
                case .unary(.softmax, let a) where !rowWise && nodes[a].type == .scalar:
                    // A constant 1/(C+1): no contribution (the first one still assigns).
                    if !node.accumulate.0 { grad[a].update(repeating: 0, count: rows) }
                case .unary(.softmax, let a):
                    Kernels.softmaxBackward(rows: rows, classes: classes, grad[k], value[k], grad[a], accumulate: node.accumulate.0)
                case .unary(let op, let a):
                    if nodes[a].needsGrad {
                        Kernels.unaryBackward(op, length(k, rows: rows), grad[k], value[a], value[k], grad[a], accumulate: node.accumulate.0)
                    }
                case .binary(let op, let a, let b):
                    let (r, c) = op == .dot ? (rows, classes) : elementwise(rows)
                    Kernels.binaryBackward(
                        op, rows: r, classes: c, types: (nodes[a].type, nodes[b].type),
                        g: grad[k], a: value[a], b: value[b], out: value[k],
                        ga: nodes[a].needsGrad ? grad[a] : nil, gb: nodes[b].needsGrad ? grad[b] : nil,
                        accumulate: node.accumulate)
                }
            }
        }
        // Non-finite values and gradients are counted, never trapped on.
        var bad = Kernels.nonFinite(out, rootLength)
        for (v, g) in gradients {
            bad += Kernels.nonFinite(g + branch.count(of: v, rows: firstRow, classes: classes),
                                     branch.count(of: v, rows: rows, classes: classes))
        }
        return bad
    }
}
