import Foundation

/// The `--data` specs of the shapes scenes: `shapes`, the presets' scenes, and
/// `shapes:VARIANT[,KEY=VALUE]...`, a task variant of them (`ShapesScenes.Variant`):
///
/// ```
/// shapes:imbalance              shapes:imbalance,ratio=1000,objects=1
/// shapes:noisy                  shapes:noisy,noise=0.4,jitter=0.05
/// shapes:small
/// ```
///
/// Keys: `ratio`, `objects` and `empty` (imbalance), `noise` and `jitter` (noisy); `small` takes none. A key left out
/// keeps its default. A path that begins with `shapes:` is read as a spec: write `./shapes:x`
/// for such a folder.
extension DetectorData {
    /// The seed of the presets' scenes and of their variants.
    public static let shapesSeed: UInt64 = 2026

    /// A task variant of the presets' scenes.
    public static func shapes(variant: ShapesScenes.Variant) -> DetectorData {
        .shapes(seed: shapesSeed, options: variant.applied(to: proxyShapesOptions))
    }

    /// Whether `spec` names shapes scenes (`shapes` or `shapes:...`), good or bad: a spec that
    /// names them gets the shapes presets, and its mistakes are errors, never a folder's path.
    public static func isShapesSpec(_ spec: String) -> Bool {
        spec == "shapes" || spec.hasPrefix("shapes:")
    }

    /// The variant a shapes spec names (nil for plain `shapes`), or `TrainingError.badData`
    /// naming the bad part and what is accepted there.
    public static func shapesVariant(_ spec: String) throws -> ShapesScenes.Variant? {
        precondition(isShapesSpec(spec), "\(spec) is not a shapes spec")
        guard spec != "shapes" else { return nil }
        func bad(_ reason: String) -> TrainingError { .badData(source: spec, reason: reason) }
        var items = spec.dropFirst("shapes:".count).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let name = items.removeFirst()
        guard var variant = ShapesScenes.Variant(name: name) else {
            let known = ShapesScenes.Variant.names.map { "shapes:" + $0 }.joined(separator: ", ")
            throw bad("unknown variant '\(name)': give shapes, \(known)")
        }
        let keys = variant.settings.map(\.parameter)
        let accepted = keys.isEmpty ? "\(name) takes no keys" : "the keys of \(name): " + keys.map(\.rawValue).joined(separator: ", ")
        var given: Set<String> = []
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw bad("'\(item)': give KEY=VALUE after each comma (\(accepted))") }
            guard let parameter = ShapesScenes.Variant.Parameter(rawValue: parts[0]), keys.contains(parameter) else {
                throw bad("'\(parts[0])' is not a key of \(name) (\(accepted))")
            }
            guard given.insert(parts[0]).inserted else { throw bad("\(parts[0]) is given twice") }
            guard let value = Double(parts[1]), parameter.accepts(value) else {
                throw bad("\(item): give \(parameter.requirement)")
            }
            variant = variant.setting(parameter, to: value)
        }
        return variant
    }

    /// The spec that gives these scenes, the canonical form: keys at their defaults left out.
    /// Nil for scenes that no spec gives (another seed, options made in code).
    static func shapesSpec(seed: UInt64, options: ShapesScenes.Options) -> String? {
        guard seed == shapesSeed else { return nil }
        if options == proxyShapesOptions { return "shapes" }
        guard let variant = ShapesScenes.Variant.recognising(options, base: proxyShapesOptions) else { return nil }
        let changed = variant.settings.filter { $0.value != $0.parameter.defaultValue }
        return (["shapes:" + variant.name] + changed.map { "\($0.parameter.rawValue)=\(ShapesScenes.Variant.Parameter.text($0.value))" })
            .joined(separator: ",")
    }

    /// Whether the images are the shapes scenes (which have presets of their own).
    public var isShapes: Bool {
        if case .shapes = self { return true }
        return false
    }
}
