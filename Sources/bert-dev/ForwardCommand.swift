import ArgumentParser
import BERT
import BERTCommandLine
import BERTModels
import BERTTasks
import Foundation

/// `bert-dev forward`: pre-tokenised batches in, the encoder's or a task head's outputs out as safetensors (for
/// parity checks such as `scripts/fuzz_family_models.py`).
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Run BertModel or a task head on pre-tokenised JSONL input and write the outputs as safetensors.",
        discussion: """
            Each input line: {"input_ids": [...], "token_type_ids": [...], "attention_mask": [...]} (the last two optional).
            Rows are padded to the longest. The output holds attention_mask [batch, length] (I64) and, by --head:
            base: last_hidden_state [batch, length, hidden] and pooler_output [batch, hidden] (when the checkpoint has
            a pooler); masked-lm, token-classification: logits [batch, length, n]; sequence-classification: logits
            [batch, labels]; question-answering: start_logits and end_logits [batch, length]. Heads load as the
            pipelines load them (the checkpoint must hold the head).
            """)

    /// The model class to run.
    enum Head: String, ExpressibleByArgument, CaseIterable {
        case base, maskedLM = "masked-lm", sequenceClassification = "sequence-classification"
        case tokenClassification = "token-classification", questionAnswering = "question-answering"
    }

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "JSONL file of pre-tokenised inputs.") var input: String
    @Option(help: "Output safetensors file.") var output: String
    @Option(help: "The model class: base, masked-lm, sequence-classification, token-classification or question-answering.")
    var head: Head = .base
    @Flag(help: "Run as the pipelines do: encoder weights packed for inference and padding skipped (padded positions of the last hidden state are zero).")
    var inference = false

    func run() throws {
        var rows: [(ids: [Int], types: [Int]?, mask: [Int]?)] = []
        for record in try InputOptions.records(path: input, format: .jsonl) {
            func ints(_ key: String) throws -> [Int]? {
                guard let value = record.fields[key] else { return nil }
                guard let items = value.arrayValue, let ints = Optional(items.compactMap(\.intValue)), ints.count == items.count else {
                    throw CommandLineError("\(record.file):\(record.line): \"\(key)\" must be an array of integers")
                }
                return ints
            }
            guard let ids = try ints("input_ids") else { throw CommandLineError("\(record.file):\(record.line): no \"input_ids\"") }
            let types = try ints("token_type_ids"), mask = try ints("attention_mask")
            for (key, other) in [("token_type_ids", types), ("attention_mask", mask)] where other != nil && other!.count != ids.count {
                throw CommandLineError("\(record.file):\(record.line): \"\(key)\" has \(other!.count) values, input_ids \(ids.count)")
            }
            rows.append((ids, types, mask))
        }
        guard !rows.isEmpty else { throw CommandLineError("\(input) has no lines") }
        let directory = try modelOptions.directory()
        let config = try Pretrained.config(in: directory)
        let length = rows.map(\.ids.count).max()!
        var ids: [Int] = [], types: [Int] = [], mask: [Int] = []
        for r in rows {
            let pad = length - r.ids.count
            ids += r.ids + [Int](repeating: config.padTokenId, count: pad)
            types += (r.types ?? [Int](repeating: 0, count: r.ids.count)) + [Int](repeating: 0, count: pad)
            mask += (r.mask ?? [Int](repeating: 1, count: r.ids.count)) + [Int](repeating: 0, count: pad)
        }
        let batch = try EncoderInput(inputIds: ids, tokenTypeIds: types, attentionMask: mask, batch: rows.count, length: length)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        func add(_ key: String, _ t: Tensor) throws { try writer.add(key, floats: t.scalars, shape: t.shape) }
        let skip = inference
        switch head {
        case .base:
            let model = try BertModel.fromPretrained(directory)
            if inference { model.prepareForInference() }
            let out = try model(batch, skippingPadding: skip)
            try add("last_hidden_state", out.lastHiddenState)
            if let p = out.poolerOutput { try add("pooler_output", p) }
        case .maskedLM:
            let (decoding, weights) = try Pretrained.maskedLM(config, source: Pretrained.weights(in: directory))
            let model = try BertForMaskedLM(config: decoding, randomInit: false)
            try PipelineSupport.load(model, config: config, from: weights)
            if inference { model.bert.prepareForInference() }
            try add("logits", model.predictions(model.bert(batch, skippingPadding: skip).lastHiddenState))
        case .sequenceClassification:
            let model = try BertForSequenceClassification(config: config, randomInit: false)
            try PipelineSupport.load(model, config: config, from: Pretrained.weights(in: directory))
            if inference { model.bert.prepareForInference() }
            try add("logits", model(batch, skippingPadding: skip))
        case .tokenClassification:
            let model = try BertForTokenClassification(config: config, randomInit: false)
            try PipelineSupport.load(model, config: config, from: Pretrained.weights(in: directory))
            if inference { model.bert.prepareForInference() }
            try add("logits", model(batch, skippingPadding: skip))
        case .questionAnswering:
            let model = try BertForQuestionAnswering(config: config, randomInit: false)
            try PipelineSupport.load(model, config: config, from: Pretrained.weights(in: directory))
            if inference { model.bert.prepareForInference() }
            let (start, end) = try model(batch, skippingPadding: skip)
            try add("start_logits", start)
            try add("end_logits", end)
        }
        try writer.add("attention_mask", int64s: mask.map(Int64.init), shape: [rows.count, length])
        try writer.write(to: URL(fileURLWithPath: output))
        printToStandardError("wrote \(output) (\(head.rawValue))")
    }
}
