import ArgumentParser
import BERT
import Foundation

/// `bert forward`: pre-tokenised batches in, the encoder's outputs out as safetensors (for parity checks).
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

    struct Line: Decodable { let input_ids: [Int]; let token_type_ids: [Int]?; let attention_mask: [Int]? }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: input) else { throw ValidationError("cannot read \(input)") }
        var rows: [Line] = []
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            do { rows.append(try JSONDecoder().decode(Line.self, from: Data(line.utf8))) } catch {
                throw ValidationError("\(input):\(n + 1): \(error)")
            }
        }
        guard !rows.isEmpty else { throw ValidationError("\(input) has no lines") }
        let model = try BertModel.fromPretrained(modelOptions.directory())
        let length = rows.map(\.input_ids.count).max()!
        var ids: [Int] = [], types: [Int] = [], mask: [Int] = []
        for r in rows {
            let pad = length - r.input_ids.count
            ids += r.input_ids + [Int](repeating: model.config.padTokenId, count: pad)
            types += (r.token_type_ids ?? [Int](repeating: 0, count: r.input_ids.count)) + [Int](repeating: 0, count: pad)
            mask += (r.attention_mask ?? [Int](repeating: 1, count: r.input_ids.count)) + [Int](repeating: 0, count: pad)
        }
        let batch = try EncoderInput(inputIds: ids, tokenTypeIds: types, attentionMask: mask, batch: rows.count, length: length)
        let out = try model(batch)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add("last_hidden_state", floats: out.lastHiddenState.scalars, shape: out.lastHiddenState.shape)
        if let p = out.poolerOutput { try writer.add("pooler_output", floats: p.scalars, shape: p.shape) }
        try writer.add("attention_mask", int64s: mask.map(Int64.init), shape: [rows.count, length])
        try writer.write(to: URL(fileURLWithPath: output))
        FileHandle.standardError.write(Data("wrote \(output): last_hidden_state \(out.lastHiddenState.shape)\n".utf8))
    }
}
