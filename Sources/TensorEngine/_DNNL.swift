import _CDNNL

/// The oneDNN CPU engine and stream every primitive runs on (one of each per process: oneDNN's
/// engine is heavy to create and thread-safe to share; its OpenMP pool uses all cores).
final class _DNNL: @unchecked Sendable {
    static let shared = _DNNL()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        _ = _Allocator.configured
        var engine: dnnl_engine_t?
        _DNNL.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
        var stream: dnnl_stream_t?
        _DNNL.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
        self.engine = engine!
        self.stream = stream!
    }

    /// Stops with oneDNN's status and what was being done. A failing call means a shape this
    /// library should have rejected earlier, or exhausted memory: a bug or an environment
    /// problem, never a property of the data, so it is not a recoverable error.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        if status != dnnl_success {
            fatalError("TensorEngine: oneDNN failed \(what()): \(describe(status))")
        }
    }

    static func describe(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_out_of_memory: return "out of memory"
        case dnnl_invalid_arguments: return "invalid arguments"
        case dnnl_unimplemented: return "no implementation for these shapes"
        case dnnl_runtime_error: return "runtime error"
        default: return "status \(status.rawValue)"
        }
    }

    /// Runs `primitive` with `args` and waits for it.
    func execute(_ primitive: dnnl_primitive_t, _ args: [dnnl_exec_arg_t]) {
        args.withUnsafeBufferPointer { a in
            _DNNL.check(dnnl_primitive_execute(primitive, stream, Int32(a.count), a.baseAddress), "executing a primitive")
        }
        _DNNL.check(dnnl_stream_wait(stream), "waiting for the stream")
    }

    /// A memory descriptor with the given dimensions, layout tag and data type (f32 unless said).
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t, _ type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map { dnnl_dim_t($0) }
        check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag), "describing memory \(dims)")
        return md
    }

    static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        withUnsafePointer(to: a) { pa in withUnsafePointer(to: b) { pb in dnnl_memory_desc_equal(pa, pb) != 0 } }
    }
}

/// An owned primitive descriptor and its primitive.
final class _Primitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    /// Creates the primitive for an operation descriptor; `hint` is the forward primitive
    /// descriptor that backward primitives are made to match.
    init(operation: UnsafeRawPointer, hint: dnnl_primitive_desc_t? = nil, what: String) {
        var pd: dnnl_primitive_desc_t?
        _DNNL.check(dnnl_primitive_desc_create(&pd, operation, nil, _DNNL.shared.engine, hint), "choosing \(what)")
        var p: dnnl_primitive_t?
        _DNNL.check(dnnl_primitive_create(&p, pd), "creating \(what)")
        descriptor = pd!
        primitive = p!
    }

    /// A reorder between two layouts of the same data.
    init(reorderFrom source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t) {
        let engine = _DNNL.shared.engine
        var pd: dnnl_primitive_desc_t?
        withUnsafePointer(to: source) { s in
            withUnsafePointer(to: destination) { d in
                _DNNL.check(dnnl_reorder_primitive_desc_create(&pd, s, engine, d, engine, nil), "choosing a reorder")
            }
        }
        var p: dnnl_primitive_t?
        _DNNL.check(dnnl_primitive_create(&p, pd), "creating a reorder")
        descriptor = pd!
        primitive = p!
    }

    /// The memory descriptor this primitive chose for one of its arguments (`dnnl_query_src_md`...).
    func memoryDescriptor(_ what: dnnl_query_t) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(descriptor, what, 0)!.pointee
    }

    /// Its implementation's name (`jit:avx512_core`, `gemm:jit`...), for benchmarks.
    var implementation: String {
        var name: UnsafePointer<CChar>?
        _ = dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name)
        return name.map { String(cString: $0) } ?? "?"
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }
}

/// An owned oneDNN memory object: either its own buffer (a blocked layout oneDNN chose) or a
/// view whose handle is pointed at a tensor's storage before each use.
final class _Memory {
    let memory: dnnl_memory_t
    let descriptor: dnnl_memory_desc_t

    init(_ descriptor: dnnl_memory_desc_t, allocate: Bool) {
        self.descriptor = descriptor
        var m: dnnl_memory_t?
        withUnsafePointer(to: descriptor) { d in
            let handle = allocate ? autoloss_dnnl_memory_allocate() : autoloss_dnnl_memory_none()
            _DNNL.check(dnnl_memory_create(&m, d, _DNNL.shared.engine, handle), "allocating memory")
        }
        memory = m!
    }

    /// Points this memory at `pointer` (which must stay valid until the primitive has run).
    func point(at pointer: UnsafeRawPointer) {
        _DNNL.check(dnnl_memory_set_data_handle(memory, UnsafeMutableRawPointer(mutating: pointer)), "setting a handle")
    }

    deinit { dnnl_memory_destroy(memory) }
}

/// A 64-byte aligned buffer for data in a layout oneDNN chose.
final class _Buffer {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    init(for descriptor: dnnl_memory_desc_t) {
        byteCount = max(withUnsafePointer(to: descriptor) { dnnl_memory_desc_get_size($0) }, 64)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    deinit { pointer.deallocate() }
}

/// One argument of a primitive seen from the plain (NCHW / OIHW) side: when the primitive chose a
/// blocked layout, a buffer in that layout and the reorder to or from the plain tensor; when it
/// chose the plain layout, just a view of the tensor. Both memories are views: their handles are
/// set before every use, so a caller may supply the blocked buffer (one that outlives the call,
/// kept for the backward pass).
final class _Port {
    let plain: _Memory
    let inner: _Memory
    private let reorder: _Primitive?
    private lazy var ownBuffer = _Buffer(for: inner.descriptor)
    let isInput: Bool

    init(plain plainDescriptor: dnnl_memory_desc_t, chosen: dnnl_memory_desc_t, isInput: Bool) {
        self.isInput = isInput
        plain = _Memory(plainDescriptor, allocate: false)
        if _DNNL.equal(plainDescriptor, chosen) {
            inner = plain
            reorder = nil
        } else {
            inner = _Memory(chosen, allocate: false)
            reorder = isInput ? _Primitive(reorderFrom: plainDescriptor, to: chosen)
                              : _Primitive(reorderFrom: chosen, to: plainDescriptor)
        }
    }

    /// Whether the primitive works on another layout than the plain one.
    var isReordered: Bool { reorder != nil }

    /// Points the plain side at a tensor's storage and, for an input, fills the inner buffer
    /// (`buffer`, or the port's own).
    func load(_ pointer: UnsafeRawPointer, into buffer: _Buffer? = nil) {
        plain.point(at: pointer)
        guard let reorder else { return }
        inner.point(at: (buffer ?? ownBuffer).pointer)
        if isInput {
            _DNNL.shared.execute(reorder.primitive, [
                dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: plain.memory),
                dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: inner.memory),
            ])
        }
    }

    /// Uses `buffer`, already in the inner layout, as the input: no reorder.
    func use(_ buffer: _Buffer) {
        inner.point(at: buffer.pointer)
    }

    /// For an output: copies the inner buffer to the plain tensor `load` pointed at.
    func store() {
        if !isInput, let reorder {
            _DNNL.shared.execute(reorder.primitive, [
                dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: inner.memory),
                dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: plain.memory),
            ])
        }
    }
}
