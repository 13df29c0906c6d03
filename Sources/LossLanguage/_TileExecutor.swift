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

    private func length(_ node: Int, rows: Int) -> Int {
        program.nodes[node].type == .vector ? rows * classes : rows
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
                let offset = node.type == .vector ? firstRow * classes : firstRow
                value[k] = UnsafeMutablePointer(mutating: inputs[v]! + offset)
                if node.needsGrad, let g = gradients[v] { grad[k] = g + offset }
            case .unary(.softmax, let a):
                Kernels.softmax(rows: rows, classes: classes, value[a], value[k])
            case .logSoftmax(let a):
                Kernels.logSoftmax(rows: rows, classes: classes, value[a], value[k], aux[k]!)
            case .unary(let op, let a):
                Kernels.unary(op, n, value[a], value[k])
            case .binary(.dot, let a, let b):
                Kernels.dot(rows: rows, classes: classes, value[a], value[b], value[k])
            case .binary(let op, let a, let b):
                Kernels.binary(op, rows: rows, classes: classes, nodes[a].type, nodes[b].type, value[a], value[b], value[k])
            }
        }
        let root = program.root
        let rootValue = value[root]
        if nodes[root].type == .scalar {
            out.update(from: rootValue, count: rows)
        }
        // Reverse: the root's gradient is 1 per row (each row's loss by its own inputs).
        if nodes[root].needsGrad {
            grad[root].update(repeating: 1, count: rows)
            for k in nodes.indices.reversed() where nodes[k].needsGrad {
                let node = nodes[k]
                switch node.kind {
                case .input, .constant: break
                case .logSoftmax(let a):
                    Kernels.logSoftmaxBackward(rows: rows, classes: classes, grad[k], aux[k]!, grad[a], accumulate: node.accumulate.0)
                case .unary(.softmax, let a):
                    Kernels.softmaxBackward(rows: rows, classes: classes, grad[k], value[k], grad[a], accumulate: node.accumulate.0)
                case .unary(let op, let a):
                    if nodes[a].needsGrad {
                        Kernels.unaryBackward(op, length(k, rows: rows), grad[k], value[a], value[k], grad[a], accumulate: node.accumulate.0)
                    }
                case .binary(let op, let a, let b):
                    Kernels.binaryBackward(
                        op, rows: rows, classes: classes, types: (nodes[a].type, nodes[b].type),
                        g: grad[k], a: value[a], b: value[b], out: value[k],
                        ga: nodes[a].needsGrad ? grad[a] : nil, gb: nodes[b].needsGrad ? grad[b] : nil,
                        accumulate: node.accumulate)
                }
            }
        }
        // Non-finite values and gradients are counted, never trapped on.
        var bad = Kernels.nonFinite(out, rows)
        for (v, g) in gradients {
            let vector = branch.type(of: v) == .vector
            let offset = vector ? firstRow * classes : firstRow
            let count = vector ? rows * classes : rows
            bad += Kernels.nonFinite(g + offset, count)
        }
        return bad
    }
}
