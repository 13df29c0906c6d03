import LossLanguage

/// The MOS verification set: "#class images", one image per class where possible, chosen from
/// the training split by a seeded rule and fixed for a whole search (METHOD.md, DESIGN.md "Data").
extension DetectionDataset {
    /// Indices into `images`, ascending. The rule: classes from the rarest (fewest images holding
    /// it; ties by category id) to the most common; each class gets one image drawn uniformly,
    /// with `SplitMix64(seed)`, among the not yet chosen images that hold it (crowd regions do not
    /// count). A class whose images are all taken already, or that has none, adds nothing, so
    /// there are at most as many images as classes present.
    ///
    /// Rarest first, so that a rare class is not left without an image because its only images
    /// were drawn for common classes.
    public func verificationSet(seed: UInt64) -> [Int] {
        var holders: [Int: [Int]] = [:]
        for (k, image) in images.enumerated() {
            for id in Set(image.annotations.filter { !$0.isCrowd }.map(\.categoryID)) {
                holders[id, default: []].append(k)
            }
        }
        let order = categories.map(\.id).filter { holders[$0] != nil }
            .sorted { (holders[$0]!.count, $0) < (holders[$1]!.count, $1) }
        var rng = SplitMix64(seed: seed)
        var chosen = Set<Int>()
        for id in order {
            let free = holders[id]!.filter { !chosen.contains($0) }
            guard !free.isEmpty else { continue }
            chosen.insert(free[rng.below(free.count)])
        }
        return chosen.sorted()
    }
}
