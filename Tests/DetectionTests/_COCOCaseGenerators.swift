import Detection
import Foundation
import _TestSupport

/// Seeded generators of evaluation cases: random ones, and adversarial ones aimed at each of
/// pycocotools' rules (ties, duplicates, crowd regions, area-range borders, more than 100
/// detections, empty images and categories, annotation id 0, IoU exactly at a threshold).
enum COCOCases {
    static func rounded(_ v: Double, _ decimals: Int) -> Double {
        let p = pow(10.0, Double(decimals))
        return (v * p).rounded() / p
    }

    static func uniform<G: RandomNumberGenerator>(_ a: Double, _ b: Double, _ rng: inout G) -> Double {
        Double.random(in: a..<b, using: &rng)
    }

    static func chance<G: RandomNumberGenerator>(_ p: Double, _ rng: inout G) -> Bool {
        Double.random(in: 0..<1, using: &rng) < p
    }

    /// A box, sometimes exactly on the area borders (32 x 32, 96 x 96, 16 x 64).
    static func randomBox<G: RandomNumberGenerator>(_ rng: inout G) -> [Double] {
        let x = rounded(uniform(0, 300, &rng), 2), y = rounded(uniform(0, 300, &rng), 2)
        if chance(0.15, &rng) {
            let sizes: [(Double, Double)] = [(32, 32), (96, 96), (16, 64), (48, 192), (1, 1024)]
            let (w, h) = sizes.randomElement(using: &rng)!
            return [x, y, w, h]
        }
        let small = chance(0.4, &rng)
        let w = rounded(small ? uniform(1, 40, &rng) : uniform(1, 200, &rng), 2)
        let h = rounded(small ? uniform(1, 40, &rng) : uniform(1, 200, &rng), 2)
        return [x, y, w, h]
    }

    /// The annotation area: the box's, a segmentation-like fraction of it, or a border value.
    static func randomArea<G: RandomNumberGenerator>(_ box: [Double], _ rng: inout G) -> Double {
        let u = uniform(0, 1, &rng)
        if u < 0.5 { return box[2] * box[3] }
        if u < 0.8 { return rounded(box[2] * box[3] * uniform(0.3, 1, &rng), 2) }
        return [1024, 9216, 1023.99, 1024.01, 9215.5, 9216.0001, 0].randomElement(using: &rng)!
    }

    /// A detection near a ground-truth box (IoU spread over [0, 1]); sometimes an exact copy.
    static func perturbed<G: RandomNumberGenerator>(_ b: [Double], _ rng: inout G) -> [Double] {
        if chance(0.1, &rng) { return b }
        let spread = uniform(0.02, 0.35, &rng)
        let x = rounded(b[0] + uniform(-spread, spread, &rng) * b[2], 2)
        let y = rounded(b[1] + uniform(-spread, spread, &rng) * b[3], 2)
        let w = rounded(max(0.5, b[2] * uniform(1 - spread, 1 + spread, &rng)), 2)
        let h = rounded(max(0.5, b[3] * uniform(1 - spread, 1 + spread, &rng)), 2)
        return [x, y, w, h]
    }

    /// A random case: up to 25 images (ids shuffled), up to 5 categories (one perhaps without
    /// ground truth), 0-8 annotations per image, 10 % crowd, 0-30 detections per image (some
    /// images over 100), scores with many ties in half of the cases.
    static func random(seed: UInt64) -> COCOCase {
        var rng = SeededGenerator(seed: seed)
        var c = COCOCase(name: "random-\(seed)")
        var ids = Set<Int>()
        let nImages = Int.random(in: 1...25, using: &rng)
        while ids.count < nImages { ids.insert(Int.random(in: 1...500, using: &rng)) }
        c.imageIDs = Array(ids).shuffled(using: &rng)
        var catIDs = Set<Int>()
        let nCats = Int.random(in: 1...5, using: &rng)
        while catIDs.count < nCats { catIDs.insert(Int.random(in: 1...90, using: &rng)) }
        let gtCats = Array(catIDs).sorted()
        c.categories = gtCats.map { ($0, "class\($0)") }
        var dtCats = gtCats
        if chance(0.4, &rng) {
            c.categories.append((95, "unused"))  // no ground truth; detections may name it
            dtCats.append(95)
        }
        let ties = chance(0.5, &rng)
        let crowdRate = chance(0.3, &rng) ? 0.3 : 0.08
        var annotationID = Int.random(in: 1...5, using: &rng)
        for image in c.imageIDs {
            var gts: [COCOCase.GT] = []
            let nGT = chance(0.15, &rng) ? 0 : Int.random(in: 1...8, using: &rng)
            for _ in 0..<nGT {
                let box = randomBox(&rng)
                gts.append(.init(id: annotationID, imageID: image, categoryID: gtCats.randomElement(using: &rng)!,
                                 box: box, area: randomArea(box, &rng), crowd: chance(crowdRate, &rng)))
                annotationID += Int.random(in: 1...3, using: &rng)
            }
            c.annotations += gts
            let nDT = chance(0.1, &rng) ? Int.random(in: 101...160, using: &rng) : Int.random(in: 0...30, using: &rng)
            for _ in 0..<nDT {
                var box: [Double], category: Int
                if !gts.isEmpty && chance(0.6, &rng) {
                    let g = gts.randomElement(using: &rng)!
                    box = perturbed(g.box, &rng)
                    category = chance(0.15, &rng) ? dtCats.randomElement(using: &rng)! : g.categoryID
                } else {
                    box = randomBox(&rng)
                    category = dtCats.randomElement(using: &rng)!
                }
                let score = ties ? Double(Int.random(in: 0...9, using: &rng)) / 10 : rounded(uniform(0, 1, &rng), 4)
                c.detections.append(.init(imageID: image, categoryID: category, box: box, score: score))
            }
        }
        return c
    }

    /// The adversarial cases, each built from a seed.
    static func adversarial(seed: UInt64) -> [COCOCase] {
        var cases: [COCOCase] = []

        // Score ties everywhere, and exact duplicate detections.
        var c = random(seed: seed &+ 1000)
        c.name = "ties-and-duplicates"
        c.detections = c.detections.map { var d = $0; d.score = d.score < 0.5 ? 0.25 : 0.75; return d }
        c.detections += c.detections.prefix(40)
        cases.append(c)

        // Every annotation detected three times, same box, same score.
        c = random(seed: seed &+ 1001)
        c.name = "duplicate-detections"
        c.detections = c.annotations.flatMap { a in
            Array(repeating: COCOCase.DT(imageID: a.imageID, categoryID: a.categoryID, box: a.box, score: 0.5), count: 3)
        }
        cases.append(c)

        // Images whose only annotations are crowd regions, detections inside them.
        c = random(seed: seed &+ 1002)
        c.name = "crowd-only-images"
        for i in c.annotations.indices where c.annotations[i].imageID % 2 == 0 { c.annotations[i].crowd = true }
        var rng = SeededGenerator(seed: seed &+ 2002)
        for a in c.annotations where a.crowd {
            for _ in 0..<3 {
                let b = [a.box[0] + uniform(0, a.box[2] / 2, &rng), a.box[1] + uniform(0, a.box[3] / 2, &rng), a.box[2] / 3, a.box[3] / 3]
                c.detections.append(.init(imageID: a.imageID, categoryID: a.categoryID, box: b.map { rounded($0, 2) }, score: rounded(uniform(0, 1, &rng), 3)))
            }
        }
        cases.append(c)

        // Boxes and areas exactly on the borders 32² and 96².
        c = COCOCase(name: "area-borders")
        c.imageIDs = [1, 2, 3, 4]
        c.categories = [(1, "a"), (2, "b")]
        let borders: [([Double], Double)] = [
            ([0, 0, 32, 32], 1024), ([100, 0, 96, 96], 9216), ([300, 0, 16, 64], 1024), ([0, 200, 48, 192], 9216),
            ([200, 200, 40, 40], 1024), ([400, 200, 100, 100], 9216), ([0, 400, 31.99, 32.01], 1023.99), ([300, 300, 96, 96.0001], 9216.0096),
        ]
        var id = 1
        for image in c.imageIDs {
            for (k, (box, area)) in borders.enumerated() {
                c.annotations.append(.init(id: id, imageID: image, categoryID: 1 + k % 2, box: box, area: area))
                id += 1
                let shifted = [box[0] + Double(image - 1) * 0.5, box[1], box[2], box[3]]
                c.detections.append(.init(imageID: image, categoryID: 1 + k % 2, box: shifted, score: Double(k + image) / 20))
                // Unmatched detections exactly on the borders: ignored or not by their w * h.
                c.detections.append(.init(imageID: image, categoryID: 1 + k % 2, box: [500, 400, box[2], box[3]], score: Double(k) / 10 + 0.05))
            }
        }
        cases.append(c)

        // More than 100 detections per image and category, with ties at the cut.
        c = random(seed: seed &+ 1004)
        c.name = "over-100-detections"
        rng = SeededGenerator(seed: seed &+ 2004)
        for image in c.imageIDs.prefix(4) {
            let gts = c.annotations.filter { $0.imageID == image }
            let category = gts.first?.categoryID ?? c.categories[0].id
            for j in 0..<230 {
                let box = gts.isEmpty || j % 3 == 0 ? randomBox(&rng) : perturbed(gts[j % gts.count].box, &rng)
                c.detections.append(.init(imageID: image, categoryID: category, box: box, score: Double(j % 7) / 7))
            }
        }
        cases.append(c)

        // Categories: one with ground truth but no detections, one with detections but no ground
        // truth, one with neither; images with detections but no ground truth; empty images.
        c = random(seed: seed &+ 1005)
        c.name = "empty-categories-and-images"
        let firstCategory = c.categories[0].id
        c.detections.removeAll { $0.categoryID == firstCategory }
        c.categories += [(97, "no-gt"), (98, "nothing")]
        c.imageIDs += [9001, 9002, 9003]
        rng = SeededGenerator(seed: seed &+ 2005)
        for image in [9001, 9002] {
            for _ in 0..<12 {
                c.detections.append(.init(imageID: image, categoryID: [97, c.categories[0].id, c.categories.last!.id].randomElement(using: &rng)!,
                                          box: randomBox(&rng), score: rounded(uniform(0, 1, &rng), 2)))
            }
        }
        cases.append(c)

        // No detections at all.
        c = random(seed: seed &+ 1006)
        c.name = "no-detections"
        c.detections = []
        cases.append(c)

        // An annotation with id 0: a match to it reads as no match in pycocotools. Two identical
        // boxes: ties in IoU go to the later annotation.
        c = COCOCase(name: "annotation-id-zero")
        c.imageIDs = [1, 2]
        c.categories = [(1, "a")]
        c.annotations = [
            .init(id: 0, imageID: 1, categoryID: 1, box: [10, 10, 50, 50], area: 2500),
            .init(id: 5, imageID: 1, categoryID: 1, box: [10, 10, 50, 50], area: 2500),
            .init(id: 6, imageID: 2, categoryID: 1, box: [10, 10, 50, 50], area: 2500),
            .init(id: 7, imageID: 2, categoryID: 1, box: [10, 10, 50, 50], area: 2500),
            .init(id: 8, imageID: 2, categoryID: 1, box: [100, 10, 50, 50], area: 2500),
        ]
        c.detections = [
            .init(imageID: 1, categoryID: 1, box: [10, 10, 50, 50], score: 0.9),
            .init(imageID: 1, categoryID: 1, box: [12, 10, 50, 50], score: 0.8),
            .init(imageID: 2, categoryID: 1, box: [10, 10, 50, 50], score: 0.7),
            .init(imageID: 2, categoryID: 1, box: [104, 10, 50, 50], score: 0.7),
        ]
        cases.append(c)

        // IoU exactly at the thresholds: a 10 x 10 box against 10 x h boxes, IoU = h / 10.
        c = COCOCase(name: "iou-at-thresholds")
        c.imageIDs = Array(1...12)
        c.categories = [(1, "a")]
        for (i, h) in [5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 4.99].enumerated() {
            c.annotations.append(.init(id: i + 1, imageID: i + 1, categoryID: 1, box: [0, 0, 10, 10], area: 100))
            c.detections.append(.init(imageID: i + 1, categoryID: 1, box: [0, 0, 10, h], score: 1 - Double(i) / 20))
            c.detections.append(.init(imageID: i + 1, categoryID: 1, box: [0, 10 - h, 10, h], score: 0.3))
        }
        cases.append(c)

        // Zero-size boxes (a line, a point) in ground truth and detections.
        c = random(seed: seed &+ 1008)
        c.name = "zero-size-boxes"
        c.annotations += [.init(id: 100_000, imageID: c.imageIDs[0], categoryID: c.categories[0].id, box: [5, 5, 0, 10], area: 0)]
        c.detections += [.init(imageID: c.imageIDs[0], categoryID: c.categories[0].id, box: [5, 5, 0, 10], score: 0.99),
                         .init(imageID: c.imageIDs[0], categoryID: c.categories[0].id, box: [5, 5, 0, 0], score: 0.98)]
        cases.append(c)

        // Crowd regions overlapping regular annotations: the regular one is preferred.
        c = COCOCase(name: "crowd-and-regular-overlap")
        c.imageIDs = [1, 2, 3]
        c.categories = [(1, "a"), (2, "b")]
        for image in c.imageIDs {
            c.annotations.append(.init(id: image * 10, imageID: image, categoryID: 1, box: [0, 0, 100, 100], area: 10000, crowd: true))
            c.annotations.append(.init(id: image * 10 + 1, imageID: image, categoryID: 1, box: [10, 10, 40, 40], area: 1600))
            c.annotations.append(.init(id: image * 10 + 2, imageID: image, categoryID: 2, box: [10, 10, 40, 40], area: 1600, crowd: image == 2))
            for j in 0..<5 {
                let s = Double(j) * 2
                c.detections.append(.init(imageID: image, categoryID: 1, box: [10 + s, 10, 40, 40], score: 0.9 - Double(j) / 10))
                c.detections.append(.init(imageID: image, categoryID: 2, box: [10, 10 + s, 40, 40], score: 0.5))
            }
        }
        cases.append(c)
        return cases
    }

    /// coco128's own annotations as ground truth; as detections, 85 % of the annotations with
    /// jittered boxes and random scores (ties among them), plus false positives on every image.
    static func coco128(seed: UInt64, annotations file: URL) throws -> COCOCase {
        let gt = try COCOJSON.readInstances(path: file.path)
        var rng = SeededGenerator(seed: seed)
        var c = COCOCase(name: "coco128")
        c.groundTruthFile = file
        let categoryIDs = gt.categories.map(\.id)
        for image in gt.images {
            for a in image.annotations where chance(0.85, &rng) {
                let b = perturbed([a.box.x, a.box.y, a.box.width, a.box.height], &rng)
                let category = chance(0.1, &rng) ? categoryIDs.randomElement(using: &rng)! : a.categoryID
                let score = chance(0.3, &rng) ? rounded(uniform(0, 1, &rng), 1) : uniform(0, 1, &rng)
                c.detections.append(.init(imageID: image.id, categoryID: category, box: b, score: score))
            }
            for _ in 0..<Int.random(in: 0...15, using: &rng) {
                let w = Double(max(image.width, 2)), h = Double(max(image.height, 2))
                let bw = uniform(2, w / 2, &rng), bh = uniform(2, h / 2, &rng)
                c.detections.append(.init(imageID: image.id, categoryID: categoryIDs.randomElement(using: &rng)!,
                                          box: [uniform(0, w - bw, &rng), uniform(0, h - bh, &rng), bw, bh], score: uniform(0, 0.6, &rng)))
            }
        }
        return c
    }
}
