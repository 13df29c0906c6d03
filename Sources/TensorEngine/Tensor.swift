/// A dense float32 array with a shape, stored contiguously in row-major order.
///
/// Images and feature maps are `[N, C, H, W]` (batch, channels, height, width), the layout
/// PyTorch uses, so that weights and activations exchange with it without permutation.
/// `Tensor` is a value: copies share storage until one of them is written (copy-on-write of
/// the underlying `[Float]`), so passing a tensor to a layer, or saving it for the backward pass,
/// costs a reference count, never a copy.
///
/// ```swift
/// var x = Tensor(zeros: [2, 3, 4, 4])
/// x[0, 1, 2, 3] = 1
/// let y = x + x            // elementwise, on both cores for large tensors
/// print(y.shape, y.sum())  // [2, 3, 4, 4] 2.0
/// ```
public struct Tensor: Equatable, Sendable {
    /// The extent of each dimension; the product is `count`.
    public let shape: [Int]
    @usableFromInline internal var storage: [Float]

    /// A tensor holding `scalars` in row-major order; their number must match the shape.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(Tensor.count(of: shape) == scalars.count,
                     "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
        self.shape = shape
        self.storage = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.count(of: shape)))
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// A tensor whose every scalar `initializer` writes; skips zero-filling, for kernels that
    /// overwrite their whole output.
    internal init(uninitialized shape: [Int], _ initializer: (UnsafeMutablePointer<Float>) -> Void) {
        let count = Tensor.count(of: shape)
        self.shape = shape
        self.storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { initializer(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// The number of scalars.
    @inlinable public var count: Int { storage.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// All scalars in row-major order. Setting requires the same number of scalars.
    public var scalars: [Float] {
        get { storage }
        set {
            precondition(newValue.count == storage.count,
                         "Tensor: \(newValue.count) scalars do not fill shape \(shape)")
            storage = newValue
        }
    }

    /// The same scalars seen with another shape of the same size.
    public func reshaped(to newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: storage)
    }

    static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }
}

// MARK: - NCHW access

extension Tensor {
    /// Batch size of an `[N, C, H, W]` tensor.
    public var batch: Int { nchw.n }
    /// Channels of an `[N, C, H, W]` tensor.
    public var channels: Int { nchw.c }
    /// Height of an `[N, C, H, W]` tensor.
    public var height: Int { nchw.h }
    /// Width of an `[N, C, H, W]` tensor.
    public var width: Int { nchw.w }

    var nchw: (n: Int, c: Int, h: Int, w: Int) {
        precondition(shape.count == 4, "Tensor: expected shape [N, C, H, W], got \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// The scalar at `[n, c, h, w]` of a rank-4 tensor (bounds checked; for tests and set-up,
    /// not for inner loops).
    public subscript(n: Int, c: Int, h: Int, w: Int) -> Float {
        get { storage[flatIndex(n, c, h, w)] }
        set { storage[flatIndex(n, c, h, w)] = newValue }
    }

    private func flatIndex(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        let s = nchw
        precondition((0..<s.n).contains(n) && (0..<s.c).contains(c) && (0..<s.h).contains(h) && (0..<s.w).contains(w),
                     "Tensor: index [\(n), \(c), \(h), \(w)] outside shape \(shape)")
        return ((n * s.c + c) * s.h + h) * s.w + w
    }
}

// MARK: - Raw access

extension Tensor {
    /// Calls `body` with the scalars' storage, for reading.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the scalars' storage, for writing (copies first if the storage is shared).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// The base address for reading (a non-null pointer even for an empty tensor's peers).
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 16)!) }
    }

    /// The base address for writing.
    mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!) }
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and the first few scalars.
    public var description: String {
        let head = storage.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(storage.count > 8 ? ", ..." : "")])"
    }
}
