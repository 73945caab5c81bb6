/// Regression metrics for score-prediction fine-tuning (STS-B style), mirroring scikit-learn's
/// `mean_squared_error` and SciPy's `pearsonr` / `spearmanr`.
package enum RegressionMetrics {
    /// The mean of squared differences (0 for empty input).
    package static func meanSquaredError(predictions: [Double], references: [Double]) -> Double {
        precondition(predictions.count == references.count, "meanSquaredError: \(predictions.count) predictions for \(references.count) references")
        guard !references.isEmpty else { return 0 }
        return zip(predictions, references).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(references.count)
    }

    /// Pearson's r: Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²), clipped to [−1, 1] as `scipy.stats.pearsonr`.
    ///
    /// NaN when either input is constant or has fewer than two values (SciPy warns and returns NaN too).
    package static func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "pearsonCorrelation: \(x.count) values against \(y.count)")
        guard x.count >= 2 else { return .nan }
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - meanX, dy = b - meanY
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return min(1, max(-1, sxy / (sxx.squareRoot() * syy.squareRoot())))
    }

    /// Spearman's ρ: Pearson's r of the average-tie ranks, as `scipy.stats.spearmanr`.
    package static func spearmanCorrelation(_ x: [Double], _ y: [Double]) -> Double {
        pearsonCorrelation(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks where tied values share the mean of their ranks (`scipy.stats.rankdata(method="average")`).
    package static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = Array(repeating: 0.0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            // Positions start...end (0-based) hold ranks start+1...end+1; their mean is (start + end)/2 + 1.
            let rank = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = rank }
            start = end + 1
        }
        return ranks
    }
}
