/// Spearman's rank correlation of two equally long samples: Pearson's correlation of their
/// ranks, ties sharing their average rank. NaN when either sample is constant or shorter than 2.
/// Public: the reports rank MOS against the proxy with the same statistic CPV uses.
public func spearman(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "spearman needs samples of equal length")
    guard a.count >= 2 else { return .nan }
    return pearson(ranks(a), ranks(b))
}

/// Ranks from 1, ties averaged.
public func ranks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var r = [Double](repeating: 0, count: v.count)
    var k = 0
    while k < order.count {
        var j = k
        while j + 1 < order.count && v[order[j + 1]] == v[order[k]] { j += 1 }
        let average = Double(k + j) / 2 + 1
        for m in k...j { r[order[m]] = average }
        k = j + 1
    }
    return r
}

func pearson(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for k in a.indices {
        let da = a[k] - ma, db = b[k] - mb
        sab += da * db
        saa += da * da
        sbb += db * db
    }
    guard saa > 0, sbb > 0 else { return .nan }
    return sab / (saa * sbb).squareRoot()
}

/// The mean of a sample (0 when empty: a setting with no finished seed scores nothing).
public func sampleMean(_ v: [Double]) -> Double {
    v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
}

/// The sample standard deviation (n - 1 in the denominator; 0 below two values). Public: tunings,
/// `check-evaluator` and the final comparisons state AP as mean ± this over seeds.
public func sampleDeviation(_ v: [Double]) -> Double {
    guard v.count > 1 else { return 0 }
    let m = sampleMean(v)
    return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
}
