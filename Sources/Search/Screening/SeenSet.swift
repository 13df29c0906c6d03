import Foundation

/// A set that several threads insert into: the seen canonical forms and fingerprints of a
/// search, shared by the cascades screening it in parallel.
public final class SeenSet<Element: Hashable>: @unchecked Sendable {
    private var elements = Set<Element>()
    private let lock = NSLock()

    /// An empty set.
    public init() {}

    /// Inserts `element`; true when it was not there yet.
    public func insert(_ element: Element) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return elements.insert(element).inserted
    }

    /// How many elements it holds.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return elements.count
    }
}
