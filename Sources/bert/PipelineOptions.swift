import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// Options every pipeline command shares: the model (folder or cache id), `--input`, and the batch size.
struct PipelineOptions: ParsableArguments {
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var inputOptions: InputOptions

    @Option(help: "Inputs per forward pass (padded batches).")
    var batchSize: Int = 8

    func validate() throws {
        try validateCount(batchSize, "--batch-size", max: 65_536)
    }

    /// The model folder, resolved.
    func directory() throws -> URL { try modelOptions.directory() }

    /// The records of `--input` (empty without it).
    func records() throws -> [InputRecord] { try inputOptions.records() }
}

/// Prints each result as one JSON line, as it is given.
func printResults(_ values: [JSONValue]) throws {
    for value in values { try StandardOutput.jsonLine(value) }
}
