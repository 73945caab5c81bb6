import ArgumentParser
import BERT
import Foundation

/// `--model`, shared by every command that loads a model: a folder, or a model id in the Hugging Face cache.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model folder, or a model id (ORG/NAME) found in the Hugging Face cache (HF_HUB_CACHE / HF_HOME).")
    var model: String

    @Option(help: "Threads for the kernels (default: all cores, or BERT_NUM_THREADS).")
    var threads: Int?

    /// The model folder, resolved.
    func directory() throws -> URL {
        if let threads { Threads.set(threads) }
        return try ModelLocator().resolve(model)
    }
}

/// Reads texts from arguments, or from `--input` (a text file with one text per line, or JSONL with a "text" field).
func readTexts(arguments: [String], input: String?) throws -> [String] {
    guard let input else { return arguments }
    let url = URL(fileURLWithPath: input)
    guard let data = FileManager.default.contents(atPath: url.path) else { throw ValidationError("cannot read \(input)") }
    guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(input) is not valid UTF-8") }
    var texts: [String] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
        if line.hasPrefix("{") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let t = obj["text"] as? String else {
                throw ValidationError("\(input):\(n + 1): expected a JSON object with a \"text\" string")
            }
            texts.append(t)
        } else {
            texts.append(String(line))
        }
    }
    return arguments + texts
}

/// Prints one JSON value per line.
func printJSONLine(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}
