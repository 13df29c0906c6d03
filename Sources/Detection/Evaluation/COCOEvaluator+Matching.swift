extension COCOEvaluator {
    /// The IoU of a detection box with a ground-truth box, exactly as pycocotools' `bbIou`
    /// (`maskApi.c`) computes it: 0 unless the boxes overlap with a positive width and height;
    /// for a crowd region the union is the detection's own area (intersection over detection).
    ///
    /// ```
    /// iou(Box(x: 0, y: 0, width: 10, height: 10), Box(x: 5, y: 0, width: 10, height: 10))  // 50 / 150
    /// ```
    @inline(__always)
    public static func iou(_ detection: Box, _ groundTruth: Box, crowd: Bool = false) -> Double {
        _iou(detection.x, detection.y, detection.width, detection.height,
             groundTruth.x, groundTruth.y, groundTruth.width, groundTruth.height, crowd: crowd)
    }

    /// `bbIou` on coordinates, in its order of operations: w = min(dx + dw, gx + gw) - max(dx, gx),
    /// likewise h, i = w * h, u = crowd ? da : da + ga - i, IoU = i / u.
    @inline(__always)
    static func _iou(_ dx: Double, _ dy: Double, _ dw: Double, _ dh: Double,
                     _ gx: Double, _ gy: Double, _ gw: Double, _ gh: Double, crowd: Bool) -> Double {
        let w = min(dw + dx, gw + gx) - max(dx, gx)
        if w <= 0 { return 0 }
        let h = min(dh + dy, gh + gy) - max(dy, gy)
        if h <= 0 { return 0 }
        let i = w * h
        let da = dw * dh
        let u = crowd ? da : da + gw * gh - i
        return i / u
    }
}

/// Scratch space for one worker thread, reused across categories and images, so that the inner
/// loops allocate nothing.
struct _Workspace {
    // One image of one category.
    var order: [Int32] = []
    var ious: [Double] = []
    var gtIgnore: [Bool] = []
    var permutation: [Int32] = []
    var sortedIgnore: [Bool] = []
    var sortedCrowd: [Bool] = []
    var sortedIDNonZero: [Bool] = []
    var gtMatched: [Bool] = []
    // The kept detections of one category, in image order then score order within the image.
    var score: [Double] = []
    var rank: [Int32] = []
    /// Bit t set: matched (to an annotation with a non-zero id) at IoU threshold t; per area range,
    /// at `index * A + a`.
    var matched: [UInt16] = []
    /// Bit t set: ignored at IoU threshold t; same layout.
    var ignored: [UInt16] = []
    /// Ground truth not ignored, per area range (pycocotools' `npig`).
    var notIgnored: [Int] = []
    // Accumulation.
    var sorted: [Int32] = []
    var filtered: [Int32] = []
    /// Matched bits low, ignored bits high, of the detections in score order.
    var bits: [UInt32] = []
    /// The precision at the n-th true positive, then its running maximum from the right.
    var envelope: [Double] = []
    /// Per area range and recall threshold, the true positives needed to reach it.
    var needed: [Int] = []
}

extension COCOEvaluator {
    /// Evaluates every image of category `k` (pycocotools' `evaluateImg` for each area range),
    /// then accumulates the category.
    static func evaluateCategory(_ k: Int, gt: _GroundTruth, dt: _Detections, workspace ws: inout _Workspace, output: _Output) {
        let A = areaRanges.count
        ws.score.removeAll(keepingCapacity: true)
        ws.rank.removeAll(keepingCapacity: true)
        ws.matched.removeAll(keepingCapacity: true)
        ws.ignored.removeAll(keepingCapacity: true)
        ws.notIgnored = [Int](repeating: 0, count: A)

        var gi = gt.categoryStart[k]
        let gEnd = gt.categoryStart[k + 1]
        var di = dt.categoryStart[k]
        let dEnd = dt.categoryStart[k + 1]
        while gi < gEnd || di < dEnd {
            let image = min(gi < gEnd ? gt.image[gi] : Int32.max, di < dEnd ? dt.image[di] : Int32.max)
            var gj = gi
            while gj < gEnd && gt.image[gj] == image { gj += 1 }
            var dj = di
            while dj < dEnd && dt.image[dj] == image { dj += 1 }
            evaluateImage(gt: gt, gtRange: gi..<gj, dt: dt, dtRange: di..<dj, workspace: &ws)
            gi = gj
            di = dj
        }
        accumulateCategory(k, workspace: &ws, output: output)
    }

    /// One image and category: sorts the detections by score (ties in file order), keeps the
    /// first `maxDetections.last`, computes their IoU with the ground truth, and matches them at
    /// every IoU threshold and area range; appends the kept detections' flags to the workspace.
    static func evaluateImage(gt: _GroundTruth, gtRange: Range<Int>, dt: _Detections, dtRange: Range<Int>,
                              workspace ws: inout _Workspace) {
        let A = areaRanges.count
        let T = iouThresholds.count
        let allThresholds = UInt16((1 << T) - 1)

        // Detections: score descending, file order among equal scores (a stable sort).
        ws.order.removeAll(keepingCapacity: true)
        for j in dtRange { ws.order.append(Int32(j)) }
        if ws.order.count > 1 {
            let score = dt.score
            ws.order.sort { a, b in
                let sa = score[Int(a)], sb = score[Int(b)]
                return sa > sb || (sa == sb && a < b)
            }
        }
        let D = min(ws.order.count, maxDetections[maxDetections.count - 1])
        let G = gtRange.count
        let g0 = gtRange.lowerBound
        let base = ws.score.count
        for q in 0..<D {
            ws.score.append(dt.score[Int(ws.order[q])])
            ws.rank.append(Int32(q))
        }
        ws.matched.append(contentsOf: repeatElement(0, count: D * A))
        ws.ignored.append(contentsOf: repeatElement(0, count: D * A))

        // IoU, detections by rows, ground truth in file order by columns.
        let match = D > 0 && G > 0
        if match {
            if ws.ious.count < D * G { ws.ious = [Double](repeating: 0, count: D * G) }
            for q in 0..<D {
                let d = Int(ws.order[q])
                let dx = dt.x[d], dy = dt.y[d], dw = dt.w[d], dh = dt.h[d]
                for g in 0..<G {
                    let p = g0 + g
                    ws.ious[q * G + g] = _iou(dx, dy, dw, dh, gt.x[p], gt.y[p], gt.w[p], gt.h[p], crowd: gt.crowd[p])
                }
            }
        }
        if ws.gtIgnore.count < G {
            ws.gtIgnore = [Bool](repeating: false, count: G)
            ws.permutation = [Int32](repeating: 0, count: G)
            ws.sortedIgnore = ws.gtIgnore
            ws.sortedCrowd = ws.gtIgnore
            ws.sortedIDNonZero = ws.gtIgnore
            ws.gtMatched = ws.gtIgnore
        }

        for a in 0..<A {
            let lower = areaRanges[a].lower, upper = areaRanges[a].upper
            // Ground truth: ignored if crowd (or flagged) or outside the area range; ignored last,
            // file order otherwise (pycocotools' stable argsort of the ignore flags).
            var kept = 0
            for g in 0..<G {
                let p = g0 + g
                let ignore = gt.ignore[p] || gt.area[p] < lower || gt.area[p] > upper
                ws.gtIgnore[g] = ignore
                if !ignore { kept += 1 }
            }
            ws.notIgnored[a] += kept
            var front = 0, back = kept
            for g in 0..<G {
                let s: Int
                if ws.gtIgnore[g] {
                    s = back
                    back += 1
                } else {
                    s = front
                    front += 1
                }
                ws.permutation[s] = Int32(g)
                ws.sortedIgnore[s] = ws.gtIgnore[g]
                ws.sortedCrowd[s] = gt.crowd[g0 + g]
                ws.sortedIDNonZero[s] = gt.idNonZero[g0 + g]
            }

            if match {
                for t in 0..<T {
                    let threshold = min(iouThresholds[t], 1 - 1e-10)
                    let bit = UInt16(1) << UInt16(t)
                    for s in 0..<G { ws.gtMatched[s] = false }
                    for q in 0..<D {
                        var best = threshold
                        var m = -1
                        let row = q * G
                        for s in 0..<G {
                            // Already matched, and not a crowd region: taken.
                            if ws.gtMatched[s] && !ws.sortedCrowd[s] { continue }
                            // Matched to a regular annotation and now among the ignored: stop.
                            if m > -1 && !ws.sortedIgnore[m] && ws.sortedIgnore[s] { break }
                            let v = ws.ious[row + Int(ws.permutation[s])]
                            if v < best { continue }
                            best = v
                            m = s
                        }
                        if m == -1 { continue }
                        let slot = (base + q) * A + a
                        if ws.sortedIgnore[m] { ws.ignored[slot] |= bit }
                        if ws.sortedIDNonZero[m] { ws.matched[slot] |= bit }
                        ws.gtMatched[m] = true
                    }
                }
            }
            // Unmatched detections outside the area range (by the box's w * h) are ignored.
            for q in 0..<D {
                let d = Int(ws.order[q])
                let area = dt.w[d] * dt.h[d]
                if area < lower || area > upper {
                    let slot = (base + q) * A + a
                    ws.ignored[slot] |= ~ws.matched[slot] & allThresholds
                }
            }
        }
    }
}
