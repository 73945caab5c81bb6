import BERTJSON
import Foundation

/// One logged optimiser step: a JSON line in `log.jsonl` beside the checkpoints.
public struct TrainingLogEntry: Codable, Sendable {
    public var step: Int
    public var epoch: Int
    public var loss: Double
    public var learningRate: Double
    public var gradNorm: Double
    public var tokensPerSecond: Double
    /// Set on evaluation lines.
    public var evalLoss: Double?
    public var evalMLMAccuracy: Double?
    public var evalPerplexity: Double?
    public var evalMetric: Double?
    /// The objective's own figures of the step, each written as its own key (pre-training's `mlm_loss`,
    /// `mlm_accuracy`, `nsp_accuracy`, distillation's `distill_ce`, `gold_loss`, …). A name that is one of the fixed
    /// keys above is never written from here (the fixed field wins).
    public var metrics: [String: Double] = [:]

    public init(step: Int, epoch: Int, loss: Double, learningRate: Double, gradNorm: Double, tokensPerSecond: Double) {
        self.step = step; self.epoch = epoch; self.loss = loss; self.learningRate = learningRate
        self.gradNorm = gradNorm; self.tokensPerSecond = tokensPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss, learningRate = "learning_rate", gradNorm = "grad_norm"
        case tokensPerSecond = "tokens_per_second", evalLoss = "eval_loss", evalMLMAccuracy = "eval_mlm_accuracy"
        case evalPerplexity = "eval_perplexity", evalMetric = "eval_metric"
    }
}

extension TrainingLogEntry {
    /// `metrics["mlm_loss"]`: pre-training's masked-LM cross-entropy.
    package var mlmLoss: Double? { get { metrics["mlm_loss"] } set { metrics["mlm_loss"] = newValue } }
    /// `metrics["mlm_accuracy"]`.
    package var mlmAccuracy: Double? { get { metrics["mlm_accuracy"] } set { metrics["mlm_accuracy"] = newValue } }
    /// `metrics["nsp_loss"]`: next-sentence prediction's cross-entropy.
    package var nspLoss: Double? { get { metrics["nsp_loss"] } set { metrics["nsp_loss"] = newValue } }
    /// `metrics["nsp_accuracy"]`.
    package var nspAccuracy: Double? { get { metrics["nsp_accuracy"] } set { metrics["nsp_accuracy"] = newValue } }
}

/// Appends JSON lines to a log file, flushing each line so a killed run keeps everything it logged.
package final class JSONLinesLog {
    private let handle: FileHandle
    /// The file being written.
    package let url: URL

    /// Opens (creating) `url` for appending. When resuming, entries after `truncateAfterStep` are dropped first so
    /// the log has no duplicate steps.
    package init(url: URL, truncateAfterStep: Int? = nil) throws {
        self.url = url
        let fm = FileManager.default
        if let limit = truncateAfterStep, let data = fm.contents(atPath: url.path) {
            let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
                guard let e = try? TrainingLogEntry(json: JSONValue.parse(String(line)), file: url.path) else { return false }
                return e.step <= limit
            }
            try (kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).write(to: url, atomically: true, encoding: .utf8)
        }
        if !fm.fileExists(atPath: url.path) { _ = fm.createFile(atPath: url.path, contents: nil) }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    /// Writes one entry as a line.
    package func append(_ entry: TrainingLogEntry) throws {
        try handle.write(contentsOf: Data(try entry.jsonValue.serialized(options: [.sortedKeys]) + [0x0A]))
    }

    deinit { try? handle.close() }

    /// Reads every entry of a log file.
    package static func read(_ url: URL) throws -> [TrainingLogEntry] {
        try JSONLines.read(url.path).map { try TrainingLogEntry(json: $0.value, file: url.path) }
    }
}

extension TrainingLogEntry {
    /// The entry as its log.jsonl object (snake_case keys; absent figures left out), written by BERTJSON.
    package var jsonValue: JSONValue {
        var object = JSONObject()
        let figures: [(CodingKeys, Double?)] = [
            (.loss, loss), (.learningRate, learningRate), (.gradNorm, gradNorm), (.tokensPerSecond, tokensPerSecond), (.evalLoss, evalLoss),
            (.evalMLMAccuracy, evalMLMAccuracy), (.evalPerplexity, evalPerplexity), (.evalMetric, evalMetric),
        ]
        object[CodingKeys.step.rawValue] = .integer(Int64(step))
        object[CodingKeys.epoch.rawValue] = .integer(Int64(epoch))
        for (key, value) in figures { if let value { object[key.rawValue] = .number(value) } }
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) where !Self.fixedKeys.contains(key) {
            object[key] = .number(value)
        }
        return .object(object)
    }

    /// Reads one log.jsonl object.
    /// - Throws: `JSONFieldError` naming `file` and the key when a figure is missing or not a number.
    package init(json: JSONValue, file: String) throws {
        let f = try JSONFieldReader(json, file: file)
        func number(_ key: CodingKeys) throws -> Double? { try f.double(key.rawValue) }
        func required(_ key: CodingKeys) throws -> Double { try f.required(number(key), key.rawValue) }
        self.init(step: try f.required(f.int(CodingKeys.step.rawValue), CodingKeys.step.rawValue),
                  epoch: try f.required(f.int(CodingKeys.epoch.rawValue), CodingKeys.epoch.rawValue),
                  loss: try required(.loss), learningRate: try required(.learningRate), gradNorm: try required(.gradNorm),
                  tokensPerSecond: try required(.tokensPerSecond))
        (evalLoss, evalMLMAccuracy, evalPerplexity, evalMetric) = (try number(.evalLoss), try number(.evalMLMAccuracy),
                                                                   try number(.evalPerplexity), try number(.evalMetric))
        if case let .object(object) = json {
            for member in object where !Self.fixedKeys.contains(member.key) {
                switch member.value {
                case let .number(v): metrics[member.key] = v
                case let .integer(v): metrics[member.key] = Double(v)
                default: break
                }
            }
        }
    }

    /// The keys of the fixed fields (`step`, `loss`, `learning_rate`, `eval_loss`, …): never taken from or written as `metrics`.
    package static let fixedKeys: Set<String> = [
        CodingKeys.step, .epoch, .loss, .learningRate, .gradNorm, .tokensPerSecond, .evalLoss, .evalMLMAccuracy, .evalPerplexity, .evalMetric,
    ].reduce(into: Set<String>()) { $0.insert($1.rawValue) }

    /// The one-line progress display of a logged step or evaluation (`eta`: seconds left), for a command line to
    /// print; the library itself never prints. A step shows every metric: accuracies first as `<task>_acc`
    /// (three decimals), then the others by name; a `<task>_loss` whose `<task>_accuracy` is shown is left out
    /// (the total loss already includes it).
    package func progressLine(eta: Double) -> String {
        var line: String
        if let el = evalLoss {
            line = String(format: "eval  step %d: loss %.4f", step, el)
            if let a = evalMLMAccuracy { line += String(format: ", MLM accuracy %.3f", a) }
            if let p = evalPerplexity { line += String(format: ", perplexity %.2f", p) }
            if let m = evalMetric { line += String(format: ", metric %.4f", m) }
        } else {
            line = String(format: "step %d  loss %.4f", step, loss)
            let suffix = "_accuracy"
            let figures = metrics.sorted { $0.key < $1.key }
            let tasks = Set(figures.compactMap { $0.key.hasSuffix(suffix) ? String($0.key.dropLast(suffix.count)) : nil })
            for (key, value) in figures where key.hasSuffix(suffix) {
                line += String(format: "  %@_acc %.3f", String(key.dropLast(suffix.count)), value)
            }
            for (key, value) in figures where !key.hasSuffix(suffix) {
                if key.hasSuffix("_loss"), tasks.contains(String(key.dropLast("_loss".count))) { continue }
                line += String(format: "  %@ %.4f", key, value)
            }
            line += String(format: "  lr %.2e  %.0f tok/s  ETA %@", learningRate, tokensPerSecond, Self.formatDuration(eta))
        }
        return line
    }

    /// "1h05m" or "3m07s".
    static func formatDuration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(min(max(s, 0), 1e9).rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
