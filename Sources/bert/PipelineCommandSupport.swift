import ArgumentParser
import BERT
import Foundation

/// Arguments every pipeline command shares: the model folder, inputs as arguments or a JSONL file, batch size.
struct PipelineInputOptions: ParsableArguments {
    @Option(help: "Hugging Face model folder (config.json, model.safetensors, tokenizer.json or vocab.txt).")
    var model: String

    @Option(help: "JSONL file, one input per line (see the command's discussion); all lines run in batches.")
    var input: String?

    @Option(help: "Inputs per forward pass (padded batches).")
    var batchSize: Int = 8

    @Option(help: "Benchmark: run the whole batch this many times after one warm-up and print one JSON line of timings instead of results.")
    var benchRepeat: Int?

    var directory: URL { URL(fileURLWithPath: model) }

    /// Runs `body` once; with `--bench-repeat N`, once more untimed and then N timed times, printing
    /// {"task", "inputs", "batch_size", "seconds_per_pass", "inputs_per_second"} and returning nil.
    func run<R>(task: String, inputs: Int, _ body: () throws -> R) throws -> R? {
        guard let n = benchRepeat else { return try body() }
        _ = try body()
        let start = Date()
        for _ in 0..<max(n, 1) { _ = try body() }
        let perPass = Date().timeIntervalSince(start) / Double(max(n, 1))
        print("{\"impl\": \"swift\", \"task\": \"\(task)\", \"inputs\": \(inputs), \"batch_size\": \(batchSize), " +
              "\"seconds_per_pass\": \(perPass), \"inputs_per_second\": \(Double(inputs) / perPass)}")
        return nil
    }

    /// The JSON objects of `--input`, one per non-empty line; a line holding a JSON string becomes {"text": it}.
    func jsonLines() throws -> [[String: Any]] {
        guard let input else { return [] }
        let content = try String(contentsOfFile: input, encoding: .utf8)
        var out: [[String: Any]] = []
        for (n, line) in content.split(whereSeparator: \.isNewline).enumerated() where !line.allSatisfy(\.isWhitespace) {
            let value = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
            if let object = value as? [String: Any] { out.append(object) } else if let s = value as? String { out.append(["text": s]) } else {
                throw ValidationError("\(input):\(n + 1): not a JSON object or string")
            }
        }
        return out
    }

    /// `field` of every `--input` line as a string, or a validation error naming the line.
    func strings(_ lines: [[String: Any]], _ field: String, optional: Bool = false) throws -> [String?] {
        try lines.enumerated().map { n, object in
            if let s = object[field] as? String { return s }
            if optional && object[field] == nil { return nil }
            throw ValidationError("\(input ?? "input"):\(n + 1): expected a string \"\(field)\"")
        }
    }
}

/// A JSON value whose objects keep their field order (Foundation's encoders on Linux do not), so lines read like
/// transformers' dicts: `{"score": ..., "token": ..., ...}`.
indirect enum OrderedJSON {
    case object([(String, OrderedJSON)]), array([OrderedJSON]), string(String), int(Int), double(Double), null

    var text: String {
        switch self {
        case .object(let fields): return "{" + fields.map { TokenizeCommand.quote($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .string(let s): return TokenizeCommand.quote(s)
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "NaN"
        case .null: return "null"
        }
    }
}

/// Something printable as transformers' JSON.
protocol OrderedJSONConvertible { var json: OrderedJSON { get } }

extension Array: OrderedJSONConvertible where Element: OrderedJSONConvertible {
    var json: OrderedJSON { .array(map(\.json)) }
}

extension FillMaskPrediction: OrderedJSONConvertible {
    var json: OrderedJSON { .object([("score", .double(score)), ("token", .int(token)), ("token_str", .string(tokenStr)), ("sequence", .string(sequence))]) }
}

extension LabelScore: OrderedJSONConvertible {
    var json: OrderedJSON { .object([("label", .string(label)), ("score", .double(score))]) }
}

extension TokenEntity: OrderedJSONConvertible {
    var json: OrderedJSON {
        var fields: [(String, OrderedJSON)] = []
        if let entity { fields.append(("entity", .string(entity))) }
        if let entityGroup { fields.append(("entity_group", .string(entityGroup))) }
        fields.append(("score", .double(score)))
        if let index { fields.append(("index", .int(index))) }
        fields += [("word", .string(word)), ("start", .int(start)), ("end", .int(end))]
        return .object(fields)
    }
}

extension Answer: OrderedJSONConvertible {
    var json: OrderedJSON { .object([("score", .double(score)), ("start", .int(start)), ("end", .int(end)), ("answer", .string(answer))]) }
}

extension RankedDocument: OrderedJSONConvertible {
    var json: OrderedJSON {
        .object([("index", .int(index)), ("score", .double(score))] + (text.map { [("text", OrderedJSON.string($0))] } ?? []))
    }
}

/// Prints one line of JSON.
func printJSONLine(_ value: some OrderedJSONConvertible) { print(value.json.text) }
