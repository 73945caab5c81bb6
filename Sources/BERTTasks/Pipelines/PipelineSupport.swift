import BERTModels
import BERTNN
import BERTTokenizers
import Foundation

/// Loading and batching shared by the task pipelines (`load` is also `bert-dev forward`'s, for parity checks).
package enum PipelineSupport {
    /// Checkpoint names the pipelines never use: tied decoder copies, buffers, and heads of other tasks
    /// (a pre-training checkpoint carries `cls.seq_relationship.*` or ALBERT's `sop_classifier.*`).
    static let ignoredKeys = FamilyMember.tiedDecoderKeys + ["embeddings.position_ids", "cls.seq_relationship.", "sop_classifier."]

    /// Loads `model` (whose encoder is `<member>.*`, e.g. `bert.*`, `roberta.*`) from `source`. The head's keys are
    /// checked first so a base checkpoint (e.g. all-MiniLM-L6-v2) fails with `ModelError.missingKeys` naming
    /// exactly the head tensors. A pooler in the checkpoint is skipped when the model has none.
    package static func load(_ model: Module, config: BertConfig, from source: TensorSource) throws {
        let available = Set(source.tensorNames)
        let named = model.namedParameters().map(\.key)
        let head = named.filter { !$0.hasPrefix(config.family.baseKey + ".") }
        let missingHead = head.filter { !available.contains($0) }
        if !missingHead.isEmpty { throw ModelError.missingKeys(missingHead, file: source.sourceDescription) }
        let hasPooler = named.contains { $0.contains(".pooler.") }
        try model.load(from: source, prefixes: [""], ignoring: ignoredKeys + (hasPooler ? [] : FamilyMember.poolerKeys))
    }

    /// The tokenizer of `directory` with tokenizer.json's own truncation and padding cleared, as transformers
    /// does for every call that does not ask for them.
    static func tokenizer(in directory: URL) throws -> Tokenizer {
        var tokenizer = try Tokenizer(directory: directory)
        try tokenizer.setTruncation(nil)
        tokenizer.padding = nil
        return tokenizer
    }

    /// Runs `forward` over `encodings` in padded batches of `batchSize` and returns one result per encoding, in
    /// input order. Encodings are grouped by length first (as sentence-transformers does) so batches carry little
    /// padding; `forward` receives the padded batch and its rows' real lengths.
    static func batched<R>(_ encodings: [Encoding], batchSize: Int, padId: Int, tokenTypes: Bool = true,
                           _ forward: (EncoderInput, [Int]) throws -> [R]) throws -> [R] {
        guard batchSize > 0 else { throw PipelineError.invalidOption(name: "batch_size", value: "\(batchSize)", reason: "must be at least 1") }
        let order = encodings.indices.sorted { encodings[$0].count != encodings[$1].count ? encodings[$0].count > encodings[$1].count : $0 < $1 }
        var results = [R?](repeating: nil, count: encodings.count)
        var start = 0
        while start < order.count {
            let chunk = order[start..<min(start + batchSize, order.count)].map { encodings[$0] }
            // Members whose tokenizers return no token_type_ids see zeros (`FamilyMember.takesTokenTypeIds`).
            let input = try EncoderInput(rows: chunk.map(\.ids), typeRows: tokenTypes ? chunk.map(\.typeIds) : nil, padId: padId)
            for (i, r) in try forward(input, chunk.map(\.count)).enumerated() { results[order[start + i]] = r }
            start += batchSize
        }
        return results.map { $0! }
    }

    /// Throws `inputTooLong` for the first encoding longer than `maximum`.
    static func checkLengths(_ encodings: [Encoding], maximum: Int) throws {
        for (i, e) in encodings.enumerated() where e.count > maximum {
            throw PipelineError.inputTooLong(tokens: e.count, maximum: maximum, index: i)
        }
    }

    /// Truncation to `maximum` tokens (longest-first, as `tokenizer(..., truncation=True)`), or none.
    static func configured(_ tokenizer: Tokenizer, truncateTo maximum: Int?) throws -> Tokenizer {
        var t = tokenizer
        try t.setTruncation(maximum.map { TruncationParameters(maxLength: $0) })
        return t
    }

    /// Softmax of float32 logits computed in Double (numpy computes in float32; the difference is below 1e-7).
    static func softmax(_ x: ArraySlice<Float>) -> [Double] {
        let m = Double(x.max() ?? 0)
        let e = x.map { exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// 1 / (1 + e^-x).
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// `config.id2label[id]`, `LABEL_<id>` when the config has no labels at all (transformers' default).
    static func label(_ id: Int, _ config: BertConfig) throws -> String {
        if config.id2label.isEmpty { return "LABEL_\(id)" }
        guard let name = config.id2label[id] else { throw PipelineError.labelOutOfRange(id: id, labels: config.id2label.count) }
        return name
    }
}

extension Array where Element == Unicode.Scalar {
    /// The text of code points `range` (Python's `text[start:end]`), clamped to the array.
    func text(_ range: Range<Int>) -> String {
        let lo = Swift.max(0, Swift.min(range.lowerBound, count)), hi = Swift.max(lo, Swift.min(range.upperBound, count))
        var s = String.UnicodeScalarView()
        s.append(contentsOf: self[lo..<hi])
        return String(s)
    }
}
