/// Small statistics the reports need.
public enum Statistics {
    /// Ranks from 0, ties sharing their mean rank.
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var r = [Double](repeating: 0, count: values.count)
        var k = 0
        while k < order.count {
            var j = k
            while j + 1 < order.count && values[order[j + 1]] == values[order[k]] { j += 1 }
            for t in k...j { r[order[t]] = Double(k + j) / 2 }
            k = j + 1
        }
        return r
    }

    /// Spearman's rank correlation: Pearson's on the ranks; nil when either side has no spread.
    public static func spearman(_ xs: [Double], _ ys: [Double]) -> Double? {
        precondition(xs.count == ys.count)
        let rx = ranks(xs), ry = ranks(ys)
        let n = Double(xs.count)
        let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
        var cov = 0.0, vx = 0.0, vy = 0.0
        for (a, b) in zip(rx, ry) {
            cov += (a - mx) * (b - my)
            vx += (a - mx) * (a - mx)
            vy += (b - my) * (b - my)
        }
        return vx > 0 && vy > 0 ? cov / (vx * vy).squareRoot() : nil
    }
}
