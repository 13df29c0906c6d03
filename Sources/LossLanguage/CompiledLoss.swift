import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A batch of loss inputs, row-major: `rows` samples; class-vector inputs (softmax branch x, y)
/// and every sigmoid-branch input hold rows * classes numbers, the others one number per row.
/// The sigmoid branch is elementwise but for softmax, which is over each row of C classes (the
/// authors' [N, C] tensors); flattened to N * C rows of one class, softmax is 1.
public struct LossBatch<T: LossScalar> {
    /// The number of samples.
    public var rows: Int
    /// Classes per sample: the length of a class vector (softmax branch C+1, sigmoid branch C).
    public var classes: Int
    /// Each input the formula reads, row-major.
    public var inputs: [Input: [T]]

    /// A batch of `rows` samples with `classes` classes each.
    public init(rows: Int, classes: Int = 1, inputs: [Input: [T]]) {
        self.rows = rows
        self.classes = classes
        self.inputs = inputs
    }
}

/// Values (one per row; sigmoid branch: one per element) and gradients (in each input's shape) of a loss on a batch.
public struct LossEvaluation<T: LossScalar> {
    /// One loss per row (sigmoid branch: per element).
    public var values: [T]
    /// The gradient of the summed loss with respect to each requested input, in that input's shape.
    public var gradients: [Input: [T]]
    /// How many values and gradient entries are NaN or infinite: failure as data, not a trap.
    public var nonFiniteCount: Int
    /// Whether every value and gradient entry is finite.
    public var isFinite: Bool { nonFiniteCount == 0 }
}

/// A formula compiled once into a flat program and run over whole batches: forward values and
/// reverse-mode gradients in one pass over the batch, tile by tile so that every intermediate
/// stays in cache, the rows split over the machine's cores.
///
///     let loss = try CompiledLoss<Float>(KnownLoss(name: "giou")!.expr(branch: .reg), branch: .reg)
///     let r = try loss.evaluate(LossBatch(rows: 2, inputs: [.i: [1, 2], .u: [4, 4], .e: [5, 6]]))
public final class CompiledLoss<T: LossScalar>: @unchecked Sendable {
    /// The formula, as compiled.
    public let expr: Expr
    /// The branch the formula was type-checked in.
    public let branch: Branch
    /// The inputs gradients are computed for (every input of the branch unless given).
    public let gradientInputs: Set<Input>
    let program: Program

    /// Elements per tile: about 1024 keeps a whole program's buffers inside L2.
    static var tileElements: Int { 1024 }
    /// Below this many elements a batch runs on one thread.
    static var parallelThreshold: Int { 1 << 15 }

    /// Compiles `expr` for `branch`, with gradients for `wrt` (default: every input of the branch).
    public init(_ expr: Expr, branch: Branch, gradientsFor wrt: Set<Input>? = nil) throws {
        self.expr = expr
        self.branch = branch
        self.gradientInputs = wrt ?? Set(branch.inputs)
        self.program = try Program(expr, branch: branch, gradientsFor: gradientInputs)
    }

    /// The number of distinct operations after sharing and folding.
    public var operationCount: Int { program.nodes.count }

    /// Checks shapes, then evaluates.
    public func evaluate(_ batch: LossBatch<T>) throws -> LossEvaluation<T> {
        let classes = branch == .reg ? 1 : batch.classes
        guard batch.rows >= 0, classes >= 1 else {
            throw LossLanguageError.input(message: "a batch needs rows >= 0 and classes >= 1")
        }
        // Only the inputs the formula reads are required; an unread one, if given, must still fit.
        for v in expr.inputs.union(batch.inputs.keys) where branch.inputs.contains(v) {
            let expected = branch.count(of: v, rows: batch.rows, classes: classes)
            guard let data = batch.inputs[v] else {
                throw LossLanguageError.input(message: "missing input '\(v.name)'")
            }
            guard data.count == expected else {
                throw LossLanguageError.input(message: "input '\(v.name)' has \(data.count) numbers, expected \(expected) (\(batch.rows) rows\(expected != batch.rows ? " x \(classes) classes" : ""))")
            }
        }
        let gradientShapes = gradientInputs.sorted().map {
            ($0, branch.count(of: $0, rows: batch.rows, classes: classes))
        }
        var result = LossEvaluation<T>(values: [], gradients: [:], nonFiniteCount: 0)
        withInputPointers(batch.inputs.keys.sorted(), batch.inputs, [:]) { inputs in
            withOutputArrays(gradientShapes[...], [:], into: &result.gradients) { grads in
                let count = batch.rows * branch.valuesPerRow(classes: classes)
                result.values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    result.nonFiniteCount = run(rows: batch.rows, classes: classes, inputs: inputs,
                                                values: buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<T>.alignment)!, gradients: grads)
                    initialized = count
                }
            }
        }
        return result
    }

    /// The raw entry point for callers that own their buffers (the detector's loss slots):
    /// writes `rows` values (sigmoid branch: rows * classes) and each requested input's gradient,
    /// returns the non-finite count.
    public func run(rows: Int, classes: Int, inputs: [Input: UnsafePointer<T>], values: UnsafeMutablePointer<T>,
                    gradients: [Input: UnsafeMutablePointer<T>]) -> Int {
        if rows == 0 { return 0 }
        let c = branch == .reg ? 1 : classes
        for v in program.unusedGradientInputs {
            if let g = gradients[v] { g.update(repeating: 0, count: branch.count(of: v, rows: rows, classes: c)) }
        }
        let elements = rows * c
        let parts = elements >= Self.parallelThreshold ? min(ProcessInfoCores.count, rows) : 1
        if parts == 1 {
            return runRows(0..<rows, classes: c, inputs: inputs, values: values, gradients: gradients)
        }
        var counts = [Int](repeating: 0, count: parts)
        counts.withUnsafeMutableBufferPointer { counts in
            let countsBase = counts.baseAddress!
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = rows * p / parts, hi = rows * (p + 1) / parts
                countsBase[p] = runRows(lo..<hi, classes: c, inputs: inputs, values: values, gradients: gradients)
            }
        }
        return counts.reduce(0, +)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func runRows(_ range: Range<Int>, classes: Int, inputs: [Input: UnsafePointer<T>], values: UnsafeMutablePointer<T>,
                 gradients: [Input: UnsafeMutablePointer<T>]) -> Int {
        var executor = TileExecutor<T>(program: program, branch: branch, classes: classes, tileRows: max(1, Self.tileElements / classes),
                                       inputs: inputs, gradients: gradients)
        defer { executor.deallocate() }
        var bad = 0
        var r = range.lowerBound
        while r < range.upperBound {
            let n = min(executor.tileRows, range.upperBound - r)
            bad += executor.runTile(firstRow: r, rows: n, values: values + r * branch.valuesPerRow(classes: classes))
            r += n
        }
        return bad
    }
}

/// The number of cores to split a batch over.
enum ProcessInfoCores {
    static let count: Int = max(1, min(64, sysconfCores()))
    private static func sysconfCores() -> Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return Int(sysconf(_SC_NPROCESSORS_ONLN))
        #endif
    }
}

/// Lends stable pointers to every input array without copying (nested borrows, one per input).
private func withInputPointers<T>(_ keys: [Input], _ arrays: [Input: [T]], _ lent: [Input: UnsafePointer<T>],
                                  _ body: ([Input: UnsafePointer<T>]) -> Void) {
    guard let key = keys.first else { return body(lent) }
    arrays[key]!.withUnsafeBufferPointer { buffer in
        var more = lent
        more[key] = buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
        withInputPointers(Array(keys.dropFirst()), arrays, more, body)
    }
}

/// Creates the gradient arrays in place and lends their storage to `body`.
private func withOutputArrays<T>(_ shapes: ArraySlice<(Input, Int)>, _ lent: [Input: UnsafeMutablePointer<T>],
                                 into arrays: inout [Input: [T]], _ body: ([Input: UnsafeMutablePointer<T>]) -> Void) {
    guard let (key, count) = shapes.first else { return body(lent) }
    var collected: [Input: [T]] = [:]
    let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        var more = lent
        more[key] = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<T>.alignment)!
        withOutputArrays(shapes.dropFirst(), more, into: &collected, body)
        initialized = count
    }
    collected[key] = array
    arrays.merge(collected) { $1 }
}
