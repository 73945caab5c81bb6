import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert-dev forward`: pre-tokenised batches in, the encoder's outputs out as safetensors (for parity checks).
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Run BertModel on pre-tokenised JSONL input and write the outputs as safetensors.",
        discussion: """
            Each input line: {"input_ids": [...], "token_type_ids": [...], "attention_mask": [...]} (the last two optional).
            Rows are padded to the longest; the output holds last_hidden_state [batch, length, hidden], pooler_output
            [batch, hidden] (when the model has a pooler) and attention_mask [batch, length] (I64).
            """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "JSONL file of pre-tokenised inputs.") var input: String
    @Option(help: "Output safetensors file.") var output: String

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
        let model = try BertModel.fromPretrained(modelOptions.directory())
        let length = rows.map(\.ids.count).max()!
        var ids: [Int] = [], types: [Int] = [], mask: [Int] = []
        for r in rows {
            let pad = length - r.ids.count
            ids += r.ids + [Int](repeating: model.config.padTokenId, count: pad)
            types += (r.types ?? [Int](repeating: 0, count: r.ids.count)) + [Int](repeating: 0, count: pad)
            mask += (r.mask ?? [Int](repeating: 1, count: r.ids.count)) + [Int](repeating: 0, count: pad)
        }
        let batch = try EncoderInput(inputIds: ids, tokenTypeIds: types, attentionMask: mask, batch: rows.count, length: length)
        let out = try model(batch)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add("last_hidden_state", floats: out.lastHiddenState.scalars, shape: out.lastHiddenState.shape)
        if let p = out.poolerOutput { try writer.add("pooler_output", floats: p.scalars, shape: p.shape) }
        try writer.add("attention_mask", int64s: mask.map(Int64.init), shape: [rows.count, length])
        try writer.write(to: URL(fileURLWithPath: output))
        printToStandardError("wrote \(output): last_hidden_state \(out.lastHiddenState.shape)")
    }
}
