import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// Options every pipeline command shares: the model (folder or cache id), `--input`, and the batch size.
struct PipelineOptions: ParsableArguments {
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var inferenceOptions: InferenceOptions

    @Option(help: "Inputs per forward pass (padded batches).")
    var batchSize: Int = 8

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        try validateCount(batchSize, "--batch-size", max: 65_536)
    }

    /// The model folder, resolved.
    func directory() throws -> URL { try modelOptions.directory() }

    /// The records of `--input` (empty without it).
    func records() throws -> [InputRecord] { try inputOptions.records() }
}

extension PipelineOptions {
    /// Runs `run` over `inputs` a few batches at a time and prints each result as one JSON line as soon as its
    /// chunk is done, so a long `--input` run that is stopped keeps the lines it finished; progress on a terminal.
    func streamResults<Input>(_ inputs: [Input], _ run: ([Input]) throws -> [JSONValue]) throws {
        let chunk = max(batchSize * 8, 64)
        let progress = ProgressDisplay("done", total: inputs.count, unit: "inputs", quiet: progressOptions.quiet)
        defer { progress.finish() }
        for start in stride(from: 0, to: inputs.count, by: chunk) {
            let results = try run(Array(inputs[start..<min(start + chunk, inputs.count)]))
            var bytes: [UInt8] = []
            for value in results { bytes += try StandardOutput.jsonLineBytes(value) }
            try StandardOutput.write(bytes)
            progress.update(min(start + chunk, inputs.count))
        }
    }
}
