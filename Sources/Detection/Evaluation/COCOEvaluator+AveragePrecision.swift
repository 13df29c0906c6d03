extension COCOEvaluator {
    /// COCO's 101-point interpolated average precision of one ranked list of detections at one
    /// IoU threshold, with pycocotools' exact semantics (`COCOeval.accumulate` and `summarize`):
    /// precision tp / (tp + fp + eps) at each true positive, its envelope (running maximum from
    /// the right), read at the recall thresholds `recallThresholds` by `searchsorted(side='left')`
    /// (0 past the last recall reached), averaged as `np.mean` averages.
    ///
    ///     COCOEvaluator.averagePrecision(hits: [true, false, true], positives: 2)   // 0.8349...
    ///
    /// `hits[k]` says whether the k-th detection by score matched a ground truth; `positives` is
    /// the number of ground truths. Without ground truth the result is -1, pycocotools' "absent".
    public static func averagePrecision(hits: [Bool], positives: Int) -> Double {
        guard positives > 0 else { return -1 }
        var envelope = [Double](repeating: 0, count: hits.count + 1)
        var tp = 0, fp = 0
        for hit in hits {
            if hit {
                tp += 1
                envelope[tp] = precision(truePositives: tp, falsePositives: fp)
            } else {
                fp += 1
            }
        }
        var sampled = [Double](repeating: 0, count: recallThresholds.count)
        interpolate(&envelope, truePositives: tp, needed: recallCounts(positives: positives)[...]) { sampled[$0] = $1 }
        return _numpyMean(sampled)
    }

    /// Precision after `truePositives` hits and `falsePositives` misses: tp / (tp + fp + eps),
    /// eps = `np.spacing(1)`.
    @inline(__always)
    static func precision(truePositives tp: Int, falsePositives fp: Int) -> Double {
        Double(tp) / (Double(fp + tp) + Double.ulpOfOne)
    }

    /// Per recall threshold r, the true positives needed to reach it: the least n with
    /// n / positives >= r (the same Double comparison as pycocotools' searchsorted on recall).
    static func recallCounts(positives: Int) -> [Int] {
        let total = Double(positives)
        return recallThresholds.map { threshold in
            var count = max(0, Int((threshold * total).rounded(.down)) - 1)
            while Double(count) / total < threshold { count += 1 }
            return count
        }
    }

    /// The interpolated precision at each recall threshold, given `envelope[n]`, the precision
    /// at the n-th of `tp` true positives: turns it into its running maximum from the right
    /// (precision only rises at a true positive, so that is the envelope at every rank), then
    /// reads it where each threshold's count of true positives (`needed`) is reached, 0 where
    /// it never is; `write(r, q)` receives threshold r's value.
    @inline(__always)
    static func interpolate(_ envelope: inout [Double], truePositives tp: Int, needed: ArraySlice<Int>,
                            write: (Int, Double) -> Void) {
        if tp > 1 {
            for e in stride(from: tp - 1, through: 1, by: -1) where envelope[e + 1] > envelope[e] {
                envelope[e] = envelope[e + 1]
            }
        }
        for (r, need) in needed.enumerated() {
            write(r, need > tp || tp == 0 ? 0 : envelope[max(need, 1)])
        }
    }
}
