import BERTJSON
import Foundation

extension TrainingOptions {
    /// Checks the options a run cannot work with (checked by `Trainer.train` before the first step).
    /// - Throws: `TrainingError.invalidOption` naming the first bad option.
    package func validate() throws {
        try requireOption(totalSteps >= 1, "the number of steps", totalSteps, "at least 1")
        try requireOption(gradientAccumulation >= 1, "gradient accumulation", gradientAccumulation, "at least 1 (batches per optimizer step)")
        try requireOption(learningRate.isFinite && learningRate >= 0, "the learning rate", learningRate, "a finite number ≥ 0")
        try requireOption(warmupSteps >= 0, "warm-up steps", warmupSteps, "at least 0")
        try requireOption(maxGradNorm.isFinite && maxGradNorm > 0, "the maximum gradient norm", maxGradNorm, "a finite number > 0")
        try requireOption(weightDecay.isFinite && weightDecay >= 0, "weight decay", weightDecay, "a finite number ≥ 0")
    }
}

/// Fails with `TrainingError.invalidOption` naming the option, its value and what it must be, unless `ok`.
func requireOption(_ ok: Bool, _ name: String, _ value: CustomStringConvertible, _ requirement: String) throws {
    if !ok { throw TrainingError.invalidOption(name: name, value: "\(value)", requirement: requirement) }
}

/// A short reason from a JSON decoding error: the missing or mistyped key's path, or the parser's complaint.
func decodingSummary(_ error: Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case let DecodingError.keyNotFound(key, context):
        let at = path(context)
        return "no \"\(key.stringValue)\"" + (at.isEmpty ? "" : " in \(at)")
    case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
        return "\(path(context)) has the wrong type"
    case let DecodingError.dataCorrupted(context):
        return context.codingPath.isEmpty ? "invalid JSON" : "\(path(context)) is invalid"
    case is JSONError:
        return "invalid JSON"
    default:
        return "\(error)"
    }
}
