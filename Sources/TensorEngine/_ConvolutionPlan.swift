import _CDNNL

/// The sizes of one convolution call.
struct _ConvolutionGeometry: Hashable {
    var batch, inChannels, height, width: Int
    var outChannels, kernel, stride, padding: Int

    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }

    var inputShape: [Int] { [batch, inChannels, height, width] }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    var weightShape: [Int] { [outChannels, inChannels, kernel, kernel] }

    /// Multiply-adds times two: the work of one of forward, backward-data, backward-weights.
    var flops: Double {
        2 * Double(batch * outChannels * outHeight * outWidth) * Double(inChannels * kernel * kernel)
    }
}

/// oneDNN's convolution primitives for one geometry, with the buffers and reorders around them.
///
/// Why primitives and not im2col + SGEMM: measured on this machine's two AVX-512 cores for the
/// detector's shapes (batch 8, 256 px input, 3-128 channels, 3x3 stride 1 and 2, 1x1), forward +
/// backward-data + backward-weights take 1.5-7x less time with oneDNN's `jit:avx512_core`
/// convolutions on the blocked layouts it picks (`nChw16c`) than with im2col + `dnnl_sgemm` per
/// image (im2col on both cores) or oneDNN's own GEMM convolution on plain NCHW: 2.3 against
/// 10.2 ms for 16 -> 32 channels at 128 px stride 2, 4.2 against 11.4 ms for 64 -> 64 at 32 px
/// stride 1; the 1x1 layers come out about even. Reordering NCHW to the blocked layout and back
/// costs 0.02-0.6 ms a layer, a small part of that gain. bench/conv_strategies.c measures it;
/// the figures are in bench/RESULTS.md, "Tensor engine".
///
/// In bfloat16 (`Precision.bf16`) the primitives take bfloat16 inputs (activations, weights and
/// output gradients, converted by the same reorders that change the layout) and write float32:
/// the output, the input gradient and the weight gradient stay float32 tensors, so nothing
/// outside a convolution sees bfloat16.
///
/// Plans are built the first time a shape is seen and reused: choosing an implementation
/// (JIT compilation) costs milliseconds.
final class _ConvolutionPlan {
    let geometry: _ConvolutionGeometry
    let hasBias: Bool
    /// `fp32` or `bf16` (resolved).
    let precision: Precision

    private let plainSource, plainWeights, plainDestination, plainBias: dnnl_memory_desc_t

    let forward: _Primitive
    private let source, weights, destination: _Port
    private let bias: _Memory?

    /// The backward primitives, built on the first backward pass (inference never needs them).
    private(set) lazy var backward = _ConvolutionBackwardPlan(self)

    init(_ geometry: _ConvolutionGeometry, hasBias: Bool, precision: Precision = .fp32) {
        self.geometry = geometry
        self.hasBias = hasBias
        self.precision = precision.resolved
        plainSource = _DNNL.descriptor(geometry.inputShape, dnnl_nchw)
        plainWeights = _DNNL.descriptor(geometry.weightShape, dnnl_oihw)
        plainDestination = _DNNL.descriptor(geometry.outputShape, dnnl_nchw)
        plainBias = _DNNL.descriptor([geometry.outChannels], dnnl_x)

        // Let oneDNN choose the layouts (format `any`): the blocked ones are its fast paths.
        let low = self.precision.inputType
        let any = { (dims: [Int], type: dnnl_data_type_t) in _DNNL.descriptor(dims, dnnl_format_tag_any, type) }
        var src = any(geometry.inputShape, low), wei = any(geometry.weightShape, low), dst = any(geometry.outputShape, dnnl_f32)
        var bia = plainBias
        var operation = dnnl_convolution_desc_t()
        let strides = [dnnl_dim_t(geometry.stride), dnnl_dim_t(geometry.stride)]
        let padding = [dnnl_dim_t(geometry.padding), dnnl_dim_t(geometry.padding)]
        _DNNL.check(withUnsafeMutablePointer(to: &bia) { b in
            dnnl_convolution_forward_desc_init(&operation, dnnl_forward_training, dnnl_convolution_direct,
                                               &src, &wei, hasBias ? b : nil, &dst, strides, padding, padding)
        }, "describing a convolution \(geometry)")
        forward = withUnsafePointer(to: &operation) { _Primitive(operation: $0, what: "a convolution \(geometry)") }

        source = _Port(plain: plainSource, chosen: forward.memoryDescriptor(dnnl_query_src_md), isInput: true)
        weights = _Port(plain: plainWeights, chosen: forward.memoryDescriptor(dnnl_query_weights_md), isInput: true)
        destination = _Port(plain: plainDestination, chosen: forward.memoryDescriptor(dnnl_query_dst_md), isInput: false)
        bias = hasBias ? _Memory(plainBias, allocate: false) : nil
    }

    /// What a training forward pass keeps of its input: the copy in oneDNN's layout when
    /// backward-weights reads that same layout (saving a second reorder), else the tensor.
    enum SavedInput {
        case plain(Tensor)
        case blocked(_Buffer, shape: [Int])

        var shape: [Int] {
            switch self {
            case .plain(let t): return t.shape
            case .blocked(_, let shape): return shape
            }
        }
    }

    /// Whether a training forward pass should keep its input in the blocked layout.
    private(set) lazy var keepsBlockedInput = source.isReordered
        && _DNNL.equal(source.inner.descriptor, backward.sourceDescriptor)

    /// A fresh buffer for a training forward pass's blocked input.
    func makeInputBuffer() -> _Buffer { _Buffer(for: source.inner.descriptor) }

    /// y = conv(x, w) + b, all plain (NCHW, OIHW) buffers; the reordered x goes to `inputBuffer`
    /// when given.
    func runForward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                    inputBuffer: _Buffer? = nil) {
        source.load(x, into: inputBuffer)
        weights.load(w)
        destination.load(y)
        var args = [
            dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: source.inner.memory),
            dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: weights.inner.memory),
            dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: destination.inner.memory),
        ]
        if let bias, let b {
            bias.point(at: b)
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_BIAS, memory: bias.memory))
        }
        _DNNL.shared.execute(forward.primitive, args)
        destination.store()
    }

    /// The implementations oneDNN chose, for benchmarks: forward, backward-data, backward-weights.
    var implementations: [String] {
        [forward.implementation, backward.data.implementation, backward.weights.implementation]
    }

    fileprivate var descriptors: (src: dnnl_memory_desc_t, wei: dnnl_memory_desc_t, dst: dnnl_memory_desc_t, bias: dnnl_memory_desc_t) {
        (plainSource, plainWeights, plainDestination, plainBias)
    }
}

/// Backward-data and backward-weights primitives of a plan, made to match its forward one.
final class _ConvolutionBackwardPlan {
    let data: _Primitive
    let weights: _Primitive
    private let dataDiffDestination, dataWeights, dataDiffSource: _Port
    private let weightsSource, weightsDiffWeights: _Port
    private let weightsDiffDestination: _Port?  // nil when it can share backward-data's buffer
    private let diffBias: _Memory?
    private let geometry: _ConvolutionGeometry
    /// The layout backward-weights reads its input in.
    var sourceDescriptor: dnnl_memory_desc_t { weightsSource.inner.descriptor }

    init(_ plan: _ConvolutionPlan) {
        let g = plan.geometry
        geometry = g
        let plain = plan.descriptors
        let low = plan.precision.inputType
        let any = { (dims: [Int], type: dnnl_data_type_t) in _DNNL.descriptor(dims, dnnl_format_tag_any, type) }
        let strides = [dnnl_dim_t(g.stride), dnnl_dim_t(g.stride)]
        let padding = [dnnl_dim_t(g.padding), dnnl_dim_t(g.padding)]

        var dataOp = dnnl_convolution_desc_t()
        var dsrc = any(g.inputShape, dnnl_f32), wei = any(g.weightShape, low), ddst = any(g.outputShape, low)
        _DNNL.check(dnnl_convolution_backward_data_desc_init(&dataOp, dnnl_convolution_direct, &dsrc, &wei, &ddst,
                                                             strides, padding, padding), "describing a convolution's backward-data")
        data = withUnsafePointer(to: &dataOp) { _Primitive(operation: $0, hint: plan.forward.descriptor, what: "a backward-data convolution \(g)") }

        var weightsOp = dnnl_convolution_desc_t()
        var src = any(g.inputShape, low), dwei = any(g.weightShape, dnnl_f32), ddst2 = any(g.outputShape, low)
        var dbias = plain.bias
        _DNNL.check(withUnsafeMutablePointer(to: &dbias) { b in
            dnnl_convolution_backward_weights_desc_init(&weightsOp, dnnl_convolution_direct, &src, &dwei, plan.hasBias ? b : nil,
                                                        &ddst2, strides, padding, padding)
        }, "describing a convolution's backward-weights")
        weights = withUnsafePointer(to: &weightsOp) { _Primitive(operation: $0, hint: plan.forward.descriptor, what: "a backward-weights convolution \(g)") }

        dataDiffDestination = _Port(plain: plain.dst, chosen: data.memoryDescriptor(dnnl_query_diff_dst_md), isInput: true)
        dataWeights = _Port(plain: plain.wei, chosen: data.memoryDescriptor(dnnl_query_weights_md), isInput: true)
        dataDiffSource = _Port(plain: plain.src, chosen: data.memoryDescriptor(dnnl_query_diff_src_md), isInput: false)
        weightsSource = _Port(plain: plain.src, chosen: weights.memoryDescriptor(dnnl_query_src_md), isInput: true)
        weightsDiffWeights = _Port(plain: plain.wei, chosen: weights.memoryDescriptor(dnnl_query_diff_weights_md), isInput: false)
        let chosenDiffDestination = weights.memoryDescriptor(dnnl_query_diff_dst_md)
        weightsDiffDestination = _DNNL.equal(chosenDiffDestination, dataDiffDestination.inner.descriptor)
            ? nil : _Port(plain: plain.dst, chosen: chosenDiffDestination, isInput: true)
        diffBias = plan.hasBias ? _Memory(plain.bias, allocate: false) : nil
    }

    /// dx = conv_backward_data(dy, w) when `dx` is given; dw = conv_backward_weights(x, dy) and
    /// db = Σ dy, overwriting `dw` and `db`.
    func run(x: _ConvolutionPlan.SavedInput, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
             dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?) {
        dataDiffDestination.load(dy)
        if let dx {
            dataWeights.load(w)
            dataDiffSource.load(dx)
            _DNNL.shared.execute(data.primitive, [
                dnnl_exec_arg_t(arg: DNNL_ARG_DIFF_DST, memory: dataDiffDestination.inner.memory),
                dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: dataWeights.inner.memory),
                dnnl_exec_arg_t(arg: DNNL_ARG_DIFF_SRC, memory: dataDiffSource.inner.memory),
            ])
            dataDiffSource.store()
        }
        switch x {
        case .plain(let tensor): tensor.withPointer { weightsSource.load($0) }
        case .blocked(let buffer, _): weightsSource.use(buffer)
        }
        weightsDiffDestination?.load(dy)
        weightsDiffWeights.load(dw)
        var args = [
            dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: weightsSource.inner.memory),
            dnnl_exec_arg_t(arg: DNNL_ARG_DIFF_DST, memory: (weightsDiffDestination ?? dataDiffDestination).inner.memory),
            dnnl_exec_arg_t(arg: DNNL_ARG_DIFF_WEIGHTS, memory: weightsDiffWeights.inner.memory),
        ]
        if let diffBias, let db {
            diffBias.point(at: db)
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_DIFF_BIAS, memory: diffBias.memory))
        }
        _DNNL.shared.execute(weights.primitive, args)
        weightsDiffWeights.store()
    }
}
