extension COCOEvaluator {
    /// pycocotools' `accumulate()` for one category: for each maxDets and area range, the kept
    /// detections of all images (at most maxDets per image), sorted by score with ties in image
    /// then file order (`np.argsort(-scores, kind='mergesort')` of the concatenation), give
    /// cumulative true and false positives per IoU threshold; recall tp / npig, precision
    /// tp / (tp + fp + eps); the precision envelope (running maximum from the right), read at the
    /// recall thresholds by `searchsorted(side='left')`, 0 past the last recall reached (the
    /// steps `averagePrecision(hits:positives:)` shares, in `COCOEvaluator+AveragePrecision.swift`).
    /// Entries stay -1 where the category has no ground truth that is not ignored.
    ///
    /// The same numbers with less work: precision only rises at a true positive (between two, the
    /// denominator grows and the numerator stays), so the envelope at any index is the running
    /// maximum over the true positives from there on; and the first index whose recall reaches a
    /// threshold r is that of the n-th true positive, n the least count with n / npig >= r (the
    /// same Double comparison). So one pass per threshold counts, and divides only at true
    /// positives.
    static func accumulateCategory(_ k: Int, workspace ws: inout _Workspace, output: _Output) {
        let T = iouThresholds.count, R = recallThresholds.count
        let A = areaRanges.count, M = maxDetections.count
        let K = output.categoryCount
        let n = ws.score.count

        // One stable sort serves every maxDets: the subset with rank < maxDets of a stably sorted
        // list is the stably sorted subset.
        ws.sorted.removeAll(keepingCapacity: true)
        for j in 0..<n { ws.sorted.append(Int32(j)) }
        let score = ws.score
        ws.sorted.sort { a, b in
            let sa = score[Int(a)], sb = score[Int(b)]
            return sa > sb || (sa == sb && a < b)
        }
        if ws.bits.count < n {
            ws.bits = [UInt32](repeating: 0, count: n)
            ws.envelope = [Double](repeating: 0, count: n + 1)
        }
        // Per area range: the true positives needed to reach each recall threshold.
        if ws.needed.count < A * R { ws.needed = [Int](repeating: 0, count: A * R) }
        for a in 0..<A where ws.notIgnored[a] > 0 {
            for (r, count) in recallCounts(positives: ws.notIgnored[a]).enumerated() { ws.needed[a * R + r] = count }
        }

        for m in 0..<M {
            let maxDet = Int32(maxDetections[m])
            ws.filtered.removeAll(keepingCapacity: true)
            for j in ws.sorted where ws.rank[Int(j)] < maxDet { ws.filtered.append(j) }
            let nd = ws.filtered.count
            for a in 0..<A {
                let npig = ws.notIgnored[a]
                if npig == 0 { continue }
                let total = Double(npig)
                // Matched bits low, ignored bits high, in score order.
                for i in 0..<nd {
                    let slot = Int(ws.filtered[i]) * A + a
                    ws.bits[i] = UInt32(ws.matched[slot]) | UInt32(ws.ignored[slot]) << 16
                }
                for t in 0..<T {
                    var tp = 0, fp = 0
                    for i in 0..<nd {
                        let b = ws.bits[i] >> UInt32(t)
                        if b & 0x1_0000 != 0 { continue }
                        if b & 1 != 0 {
                            tp += 1
                            ws.envelope[tp] = precision(truePositives: tp, falsePositives: fp)
                        } else {
                            fp += 1
                        }
                    }
                    output.recall[((t * K + k) * A + a) * M + m] = nd > 0 ? Double(tp) / total : 0
                    interpolate(&ws.envelope, truePositives: tp, needed: ws.needed[a * R..<(a + 1) * R]) { r, q in
                        output.precision[(((t * R + r) * K + k) * A + a) * M + m] = q
                    }
                }
            }
        }
    }
}

/// NumPy's sum of a contiguous float64 array (`pairwise_sum_DOUBLE` in `loops_utils.h`): under 8
/// elements a plain loop; up to 128, eight interleaved partial sums combined as
/// ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) and then the rest one by one; above, the two
/// halves (the first a multiple of 8 long) summed recursively. `np.mean` is this sum over n.
func _numpySum(_ a: UnsafeBufferPointer<Double>) -> Double {
    let n = a.count
    if n < 8 {
        var sum = -0.0
        for i in 0..<n { sum += a[i] }
        return sum
    }
    if n <= 128 {
        var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
        var i = 8
        while i < n - n % 8 {
            r.0 += a[i]; r.1 += a[i + 1]; r.2 += a[i + 2]; r.3 += a[i + 3]
            r.4 += a[i + 4]; r.5 += a[i + 5]; r.6 += a[i + 6]; r.7 += a[i + 7]
            i += 8
        }
        var sum = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
        while i < n {
            sum += a[i]
            i += 1
        }
        return sum
    }
    var half = n / 2
    half -= half % 8
    return _numpySum(UnsafeBufferPointer(rebasing: a[0..<half])) + _numpySum(UnsafeBufferPointer(rebasing: a[half..<n]))
}

/// `np.mean(values)` for a non-empty array, summed as NumPy sums.
func _numpyMean(_ values: [Double]) -> Double {
    values.withUnsafeBufferPointer { _numpySum($0) } / Double(values.count)
}
