import Detection
import Foundation
import XCTest

/// The task variants of the shapes scenes are what their options say, measured on records (no
/// pixels drawn) of the presets' scenes at 128 px. Tolerances are 4.5 standard deviations of the
/// binomial (or of the estimate) at the measured counts: a correct generator fails one of these
/// checks with probability below 10^-4 whatever its seed, and the seeds here are fixed.
final class ShapesVariantsTests: XCTestCase {
    let base = DetectorData.proxyShapesOptions

    func scenes(_ variant: ShapesScenes.Variant?, seed: UInt64 = 2026, size: Int = 128) -> ShapesScenes {
        ShapesScenes(seed: seed, imageSize: size, options: variant?.applied(to: base) ?? base)
    }

    func classCounts(_ dataset: DetectionDataset) -> [Int] {
        var counts = [Int](repeating: 0, count: ShapeKind.allCases.count)
        for a in dataset.images.flatMap(\.annotations) { counts[a.categoryID - 1] += 1 }
        return counts
    }

    /// Class k appears with probability w_k / sum(w) (the class is drawn before the box, and a
    /// box that finds no place is dropped whatever its class); the commonest over the rarest is
    /// the asked ratio, within 4.5 sd of the estimate (delta method: relative variance 1/n_0 + 1/n_5).
    func testImbalanceHasTheAskedRatioAndEasyNegatives() {
        for (ratio, objects, seed, images) in [(100.0, 3, UInt64(2026), 40_000), (200, 3, 7, 40_000), (200, 1, 11, 100_000)] {
            let variant = ShapesScenes.Variant.imbalance(ratio: ratio, objects: Double(objects))
            let options = variant.applied(to: base)
            XCTAssertEqual(options.classWeights.first! / options.classWeights.last!, ratio, "exactly the ratio")
            let step = pow(ratio, 1.0 / 5)
            for k in 0..<5 { XCTAssertEqual(options.classWeights[k] / options.classWeights[k + 1], step, accuracy: 1e-12 * step, "geometric") }

            let dataset = scenes(variant, seed: seed).dataset(split: .train, count: images)
            let counts = classCounts(dataset), n = Double(counts.reduce(0, +))
            let total = options.classWeights.reduce(0, +)
            for (k, count) in counts.enumerated() {
                let p = options.classWeights[k] / total
                XCTAssertLessThan(abs(Double(count) - n * p), 4.5 * (n * p * (1 - p)).squareRoot(), "ratio \(ratio) class \(k): \(counts)")
            }
            let measured = Double(counts[0]) / Double(counts[5])
            let relativeSD = (1 / Double(counts[0]) + 1 / Double(counts[5])).squareRoot()
            XCTAssertLessThan(abs(log(measured / ratio)), 4.5 * relativeSD, "ratio \(ratio): measured \(measured) from \(counts)")
            XCTAssertGreaterThan(counts[5], 100, "ratio \(ratio): the rarest class occurs")

            // 0 to `objects` objects an image, uniformly: 1 / (objects + 1) of the images empty
            // (a quarter at 3, half at 1), objects / 2 on average.
            let perImage = dataset.images.map(\.annotations.count)
            XCTAssertEqual(perImage.max(), objects)
            let empty = Double(perImage.filter { $0 == 0 }.count) / Double(perImage.count), p = 1 / Double(objects + 1)
            XCTAssertLessThan(abs(empty - p), 4.5 * (p * (1 - p) / Double(perImage.count)).squareRoot(), "ratio \(ratio): \(empty) empty")
            XCTAssertEqual(n / Double(perImage.count), Double(objects) / 2, accuracy: 0.03, "ratio \(ratio): objects per image")
        }
    }

    /// `empty` of the training images lose their objects, drawn apart from the scenes: the
    /// training split's empty share is empty + (1 - empty) / (objects + 1) (binomial, 4.5 sd),
    /// every other training image and the whole validation split are the records of the same
    /// variant without it, and the shares nest (an image emptied at 0.3 is emptied at 0.6).
    func testImbalanceEmptiesTheAskedShareOfTrainingImagesOnly() {
        let plain = scenes(.imbalance(ratio: 100, objects: 1)), n = 20_000
        let plainTrain = plain.dataset(split: .train, count: n), plainVal = plain.dataset(split: .val, count: 2000)
        var emptiedBefore: Set<Int> = []
        for share in [0.3, 0.6] {
            let variant = ShapesScenes.Variant.imbalance(ratio: 100, objects: 1, empty: share)
            let emptied = scenes(variant)
            let train = emptied.dataset(split: .train, count: n)
            let empty = Double(train.images.filter(\.annotations.isEmpty).count) / Double(n)
            let p = share + (1 - share) / 2
            XCTAssertLessThan(abs(empty - p), 4.5 * (p * (1 - p) / Double(n)).squareRoot(), "empty \(share): \(empty) of the images hold none")
            var lost: Set<Int> = []
            // Annotation ids run through a dataset, so an emptied image renumbers the ones after it.
            func objects(_ r: ImageRecord) -> [String] { r.annotations.map { "\($0.categoryID) \($0.box)" } }
            for (a, b) in zip(train.images, plainTrain.images) where objects(a) != objects(b) {
                XCTAssertTrue(a.annotations.isEmpty, "an image either keeps its objects or loses them all")
                lost.insert(a.id)
            }
            let lostShare = Double(lost.count) / Double(plainTrain.images.filter { !$0.annotations.isEmpty }.count)
            XCTAssertLessThan(abs(lostShare - share), 4.5 * (share * (1 - share) / (Double(n) / 2)).squareRoot(), "empty \(share): \(lostShare) lost")
            XCTAssertTrue(emptiedBefore.isSubset(of: lost), "the images emptied at a smaller share stay empty")
            emptiedBefore = lost
            XCTAssertEqual(emptied.dataset(split: .val, count: 2000).images, plainVal.images, "the validation split keeps its objects")
            XCTAssertEqual(ShapesScenes.Variant.recognising(emptied.options, base: base), variant)
        }
    }

    /// The noisy training split against the clean one: the same objects, `noise` of their classes
    /// changed (binomial, 4.5 sd), each change to another class, uniformly (4.5 sd per class);
    /// the validation split and the pixels untouched.
    func testNoisyChangesTheAskedFractionOfTrainingLabels() {
        let clean = scenes(nil).dataset(split: .train, count: 3000)
        for noise in [0.3, 0.4] {
            let noisy = scenes(.noisy(labelNoise: noise, boxJitter: 0.1))
            let train = noisy.dataset(split: .train, count: 3000)
            var changed = 0, total = 0
            var fromRectangles = [Int](repeating: 0, count: ShapeKind.allCases.count)
            for (a, b) in zip(clean.images, train.images) {
                XCTAssertEqual(a.annotations.map(\.id), b.annotations.map(\.id), "image \(a.id): the same objects")
                for (x, y) in zip(a.annotations, b.annotations) {
                    total += 1
                    guard x.categoryID != y.categoryID else { continue }
                    changed += 1
                    if x.categoryID == 1 { fromRectangles[y.categoryID - 1] += 1 }
                }
            }
            let fraction = Double(changed) / Double(total)
            XCTAssertLessThan(abs(fraction - noise), 4.5 * (noise * (1 - noise) / Double(total)).squareRoot(), "noise \(noise): \(fraction) of \(total)")
            XCTAssertEqual(fromRectangles[0], 0)
            let moved = Double(fromRectangles.reduce(0, +))
            for k in 1..<fromRectangles.count {
                XCTAssertLessThan(abs(Double(fromRectangles[k]) - moved / 5), 4.5 * (moved * 0.2 * 0.8).squareRoot(), "noise \(noise): \(fromRectangles)")
            }
            XCTAssertEqual(noisy.dataset(split: .val, count: 300), scenes(nil).dataset(split: .val, count: 300), "noise \(noise): val is clean")
        }
        let (small, noisySmall) = (ShapesScenes(seed: 2026, imageSize: 64, options: base),
                                   ShapesScenes(seed: 2026, imageSize: 64, options: ShapesScenes.Variant.noisy(labelNoise: 0.3, boxJitter: 0.1).applied(to: base)))
        for index in 0..<3 {
            XCTAssertEqual(small.scene(index, split: .train).image, noisySmall.scene(index, split: .train).image, "scene \(index): the pixels are clean")
            // A scene alone has the noise it has in a dataset (where annotation ids run on).
            let alone = noisySmall.scene(index, split: .train).record.annotations, inDataset = noisySmall.dataset(split: .train, count: 3).images[index].annotations
            XCTAssertEqual(alone.map(\.categoryID), inDataset.map(\.categoryID), "scene \(index)")
            XCTAssertEqual(alone.map(\.box), inDataset.map(\.box), "scene \(index)")
        }
    }

    /// The draws are the same whatever the settings: labels flipped at 0.3 are flipped (to the
    /// same class) at 0.4; the jitter does not change the labels; without jitter the boxes are
    /// the clean ones, bit for bit.
    func testNoiseSettingsShareTheirDraws() {
        let clean = scenes(nil).dataset(split: .train, count: 500).images.flatMap(\.annotations)
        func labels(_ noise: Double, _ jitter: Double) -> [Annotation] {
            scenes(.noisy(labelNoise: noise, boxJitter: jitter)).dataset(split: .train, count: 500).images.flatMap(\.annotations)
        }
        let low = labels(0.3, 0.1), high = labels(0.4, 0.1), unjittered = labels(0.3, 0)
        var kept = 0
        for k in clean.indices where low[k].categoryID != clean[k].categoryID {
            XCTAssertEqual(high[k].categoryID, low[k].categoryID, "annotation \(k)")
            kept += 1
        }
        XCTAssertGreaterThan(kept, 300)
        XCTAssertEqual(unjittered.map(\.categoryID), low.map(\.categoryID))
        XCTAssertEqual(unjittered.map(\.box), clean.map(\.box))
        XCTAssertNotEqual(low.map(\.box), clean.map(\.box))
    }

    /// Each edge moves by jitter x side x N(0, 1): over the edges that clipping cannot reach,
    /// the moves in units of the side have mean 0 (4.5 sd) and sd `jitter` (within 3 %: the
    /// estimate's relative sd is sqrt((kurtosis - 1) / 4n), below 0.4 % at these counts); no edge
    /// moves more than 2√3 jitter sides; boxes stay inside the image with positive sides.
    func testNoisyJittersBoxEdgesByTheAskedFraction() {
        let clean = scenes(nil).dataset(split: .train, count: 3000).images.flatMap(\.annotations)
        for jitter in [0.1, 0.05] {
            let noisy = scenes(.noisy(labelNoise: 0.3, boxJitter: jitter)).dataset(split: .train, count: 3000).images.flatMap(\.annotations)
            var moves: [Double] = []
            let reach = 2 * 3.0.squareRoot() * jitter
            for (a, b) in zip(clean.map(\.box), noisy.map(\.box)) {
                XCTAssert(b.x >= 0 && b.y >= 0 && b.x + b.width <= 128 && b.y + b.height <= 128 && b.width > 0 && b.height > 0, "\(b)")
                let edges = [(a.x, b.x, a.width), (a.x + a.width, b.x + b.width, a.width),
                             (a.y, b.y, a.height), (a.y + a.height, b.y + b.height, a.height)]
                for (before, after, side) in edges {
                    XCTAssertLessThanOrEqual(abs(after - before), reach * side + 1e-9)
                    if before - reach * side > 0 && before + reach * side < 128 { moves.append((after - before) / side) }
                }
            }
            let n = Double(moves.count)
            let mean = moves.reduce(0, +) / n
            let sd = (moves.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
            XCTAssertGreaterThan(n, 40_000)
            XCTAssertLessThan(abs(mean), 4.5 * jitter / n.squareRoot(), "jitter \(jitter)")
            XCTAssertEqual(sd / jitter, 1, accuracy: 0.03, "jitter \(jitter): sd \(sd)")
        }
    }

    /// 10 to 30 objects an image (uniform: mean 20, a few lost where no place is found), every
    /// side from 8 px to 1/8 of the image, and later objects covering up to half (more than the
    /// default 0.4) of an earlier one's box.
    func testSmallHasSmallCrowdedObjects() {
        for size in [128, 256] {
            let dataset = scenes(.small, size: size).dataset(split: .train, count: 3000)
            let perImage = dataset.images.map(\.annotations.count)
            XCTAssert(perImage.allSatisfy { (10...30).contains($0) }, "size \(size): \(perImage.min()!)...\(perImage.max()!)")
            let mean = Double(perImage.reduce(0, +)) / Double(perImage.count)
            XCTAssert(mean > 19.4 && mean < 20.6, "size \(size): \(mean) objects an image")
            let boxes = dataset.images.flatMap(\.annotations).map(\.box)
            let largest = Double(size) / 8
            XCTAssert(boxes.allSatisfy { $0.width >= 8 - 1e-9 && $0.height >= 8 - 1e-9 && max($0.width, $0.height) <= largest + 1e-9 }, "size \(size)")
            XCTAssertGreaterThan(boxes.map { max($0.width, $0.height) }.max()!, 0.97 * largest, "size \(size)")
            var mostHidden = 0.0
            for image in dataset.images {
                let objects = image.annotations.map(\.box)
                for (k, earlier) in objects.enumerated() {
                    for later in objects[(k + 1)...] { mostHidden = max(mostHidden, Self.intersection(earlier, later) / earlier.area) }
                }
            }
            XCTAssert(mostHidden > 0.45 && mostHidden <= 0.5 + 1e-12, "size \(size): at most \(mostHidden) of a box hidden")
        }
    }

    static func intersection(_ a: Box, _ b: Box) -> Double {
        let w = min(a.x + a.width, b.x + b.width) - max(a.x, b.x), h = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        return w > 0 && h > 0 ? w * h : 0
    }
}
