/// FNV-1a, 64 bits (Fowler, Noll, Vo): offset basis 0xcbf29ce484222325, prime 0x100000001b3. A
/// hash that is the same on every run and machine (Swift's `hashValue` is not), for names and
/// fingerprints that are stored or compared across runs.
///
///     FNV1a.hash("foobar")          // 0x85944171f73967e8
///     var h = FNV1a()
///     h.add(bytes: Array("foo".utf8)); h.add(bytes: Array("bar".utf8))
///     h.value                       // the same
public struct FNV1a: Hashable, Sendable {
    /// The hash of the bytes added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash: the offset basis.
    public init() {}

    /// Adds one byte.
    public mutating func add(byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01B3
    }

    /// Adds bytes in order.
    public mutating func add<S: Sequence>(bytes: S) where S.Element == UInt8 {
        for b in bytes { add(byte: b) }
    }

    /// The integer's bytes, little-endian (the same on every machine).
    public mutating func add<I: FixedWidthInteger>(littleEndian v: I) {
        var x = v.littleEndian
        withUnsafeBytes(of: &x) { for b in $0 { add(byte: b) } }
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var h = FNV1a()
        h.add(bytes: text.utf8)
        return h.value
    }
}
