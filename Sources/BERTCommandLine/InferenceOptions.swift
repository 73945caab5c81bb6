import ArgumentParser
import BERT
import BERTModels
import Foundation

/// `--dtype` and `--keep-fp32`, shared by every command that runs a model for inference (embed, similarity,
/// search, the pipelines, serve): the number format of the encoder's linear layers.
package struct InferenceOptions: ParsableArguments {
    @Option(help: "Number format of the encoder's linear layers: fp32; int8 (weights per output channel, activations quantised per row at run time); bf16 (weights and activations rounded to bfloat16, fp32 sums); fp16 (weights rounded to half precision, fp32 activations and sums).")
    package var dtype: InferenceDType = .fp32

    @Option(help: ArgumentHelp("Under --dtype int8, bf16 or fp16, linear layers kept fp32 (comma-separated): qkv, attention.output, intermediate, output, a layer index (0) or both (5.output).",
                               valueName: "list"))
    package var keepFp32: String?

    package init() {}

    /// The precision asked for.
    package func precision() throws -> InferencePrecision {
        let kept = keepFp32.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
        let precision = InferencePrecision(dtype: dtype, keptFP32: kept ?? (dtype == .int8 ? InferencePrecision.defaultKeptFP32 : []))
        try precision.validate()
        return precision
    }

    package func validate() throws {
        if keepFp32 != nil, dtype == .fp32 { throw ValidationError("--keep-fp32 applies to --dtype int8, bf16 or fp16") }
        do { _ = try precision() } catch { throw ValidationError("\(error)") }
    }

    /// Runs `load` (a model's loading) so that under --dtype int8, bf16 or fp16 the encoder's lowered weights are
    /// converted as they are read and never held in fp32 (`CheckpointLoadingOptions.lowPrecisionInference`): peak
    /// memory stays near the lowered model's.
    package func loading<Model>(_ load: () throws -> Model) throws -> Model {
        let p = try precision()
        return try CheckpointLoadingOptions.$lowPrecisionInference.withValue(p.dtype == .fp32 ? nil : p) { try load() }
    }

    /// Prepares the encoders in `model` (a pipeline's model, a sentence encoder's `bert`) for the chosen dtype.
    package func apply(to model: Module) throws { try model.prepareEncoders(for: precision()) }
}
