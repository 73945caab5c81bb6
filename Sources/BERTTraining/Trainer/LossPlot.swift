import Foundation

/// Draws loss curves as a standalone SVG (no plotting library needed; any browser or image viewer shows it).
package enum LossPlot {
    /// One curve: a name, a colour and (step, value) points.
    package struct Series {
        package var name: String, color: String, points: [(Double, Double)]
        package init(name: String, color: String, points: [(Double, Double)]) { self.name = name; self.color = color; self.points = points }
    }

    /// An SVG with axes, ticks and a legend for `series`.
    package static func svg(title: String, series: [Series], width: Double = 800, height: Double = 480) -> String {
        let all = series.flatMap(\.points).filter { $0.1.isFinite }
        let (left, right, top, bottom) = (70.0, 20.0, 40.0, 50.0)
        let xs = all.map(\.0), ys = all.map(\.1)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1)
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * ph }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">\(escape(title))</text>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top + ph)\" x2=\"\(left + pw)\" y2=\"\(top + ph)\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + ph)\" stroke=\"black\"/>\n"
        for i in 0...5 {
            let fx = x0 + (x1 - x0) * Double(i) / 5, fy = y0 + (y1 - y0) * Double(i) / 5
            s += "<text x=\"\(px(fx))\" y=\"\(top + ph + 18)\" text-anchor=\"middle\">\(format(fx))</text>\n"
            s += "<text x=\"\(left - 6)\" y=\"\(py(fy) + 4)\" text-anchor=\"end\">\(format(fy))</text>\n"
            s += "<line x1=\"\(left)\" y1=\"\(py(fy))\" x2=\"\(left + pw)\" y2=\"\(py(fy))\" stroke=\"#eee\"/>\n"
        }
        s += "<text x=\"\(left + pw / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">step</text>\n"
        for (i, serie) in series.enumerated() {
            let pts = serie.points.filter { $0.1.isFinite }.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(serie.color)\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
            let ly = top + 14 + Double(i) * 16
            s += "<line x1=\"\(left + pw - 150)\" y1=\"\(ly - 4)\" x2=\"\(left + pw - 130)\" y2=\"\(ly - 4)\" stroke=\"\(serie.color)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(left + pw - 125)\" y=\"\(ly)\">\(escape(serie.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    static func format(_ v: Double) -> String {
        abs(v) >= 1000 || (abs(v) < 0.01 && v != 0) ? String(format: "%.2g", v) : String(format: "%.3g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }

    /// Writes the training and evaluation losses of a log to `loss.svg`-style output.
    package static func write(log: [TrainingLogEntry], title: String, to url: URL) throws {
        let train = log.filter { $0.evalLoss == nil }.map { (Double($0.step), $0.loss) }
        let eval = log.compactMap { e in e.evalLoss.map { (Double(e.step), $0) } }
        var series = [Series(name: "training loss", color: "#1f77b4", points: train)]
        if !eval.isEmpty { series.append(Series(name: "evaluation loss", color: "#d62728", points: eval)) }
        try svg(title: title, series: series).write(to: url, atomically: true, encoding: .utf8)
    }
}
