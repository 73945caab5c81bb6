import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert-dev dump-outputs`: the first features' input ids and raw outputs (logits or embeddings) of a fine-tuned
/// model, for `scripts/check_finetuned_checkpoint.py` to compare with transformers.
struct DumpOutputsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-outputs",
        abstract: "Write {task, rows: [{input_ids, token_type_ids, outputs}]} for the first features of a data file.")

    @OptionGroup var options: EvaluationOptions
    @Option(help: "Output JSON file.") var output: String
    @Option(help: "Features to dump.") var count = 16

    func run() throws {
        let outcome = try options.evaluate()
        let rows: [JSONValue] = try outcome.rows.prefix(count).map { ids, types in
            let x = try EncoderInput(inputIds: ids, tokenTypeIds: types, batch: 1, length: ids.count)
            return ["input_ids": .array(ids.map { .integer(Int64($0)) }), "token_type_ids": .array(types.map { .integer(Int64($0)) }),
                    "outputs": jsonArray(try outcome.outputs(x))]
        }
        try writeFileAtomically(StandardOutput.jsonLineBytes(["task": .string(options.task.rawValue), "rows": .array(rows)]), to: output)
    }
}
