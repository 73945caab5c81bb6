import BERTJSON
import Foundation

/// What a fine-tuning run reports as it goes; the library never prints, the caller shows `description`.
public enum FineTuningEvent: CustomStringConvertible {
    /// A logged training step or evaluation, with the estimated seconds left.
    case logged(TrainingLogEntry, etaSeconds: Double)
    /// An epoch's evaluation on the validation data.
    case epochEvaluated(epoch: Int, seconds: Double, evaluation: FineTuningEvaluation)
    /// The run continues from a checkpoint.
    case resumed(checkpoint: URL, step: Int)

    /// The line a command line prints for the event.
    public var description: String {
        switch self {
        case let .logged(entry, eta):
            return entry.progressLine(eta: eta)
        case let .epochEvaluated(epoch, seconds, e):
            let figures = e.metrics.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", ")
            return "epoch \(epoch) (\(String(format: "%.1f", seconds)) s): \(figures)"
        case let .resumed(checkpoint, step):
            return "resumed from \(checkpoint.path) at step \(step)"
        }
    }
}

/// How a fine-tuning run starts and where its progress goes (kept apart from the hyper-parameters in
/// `TrainingArguments`).
public struct FineTuningControl {
    /// Resume (default), start over, or overwrite an earlier run in the output folder.
    public var start: RunStart
    /// Receives progress; ignores it by default.
    public var onEvent: (FineTuningEvent) -> Void

    /// Resumes by default and reports nothing.
    public init(start: RunStart = .resume, onEvent: @escaping (FineTuningEvent) -> Void = { _ in }) {
        self.start = start
        self.onEvent = onEvent
    }
}

/// The per-epoch records of a fine-tuning run, saved in each checkpoint (`fine_tuning_epochs.json`) so that a
/// resumed run's summary.json keeps the epochs finished before the interruption.
enum FineTuningHistory {
    static let fileName = "fine_tuning_epochs.json"

    static func write(_ epochs: [FineTuningSummary.Epoch], into checkpoint: URL) throws {
        try JSONCoding.encode(epochs, nonFiniteAsStrings: true).serializedData(options: [.prettyPrinted, .sortedKeys])
            .write(to: checkpoint.appendingPathComponent(fileName), options: .atomic)
    }

    /// The records of `checkpoint` (none for checkpoints written before the history was kept).
    static func read(from checkpoint: URL) throws -> [FineTuningSummary.Epoch] {
        let url = checkpoint.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        do {
            let json = try JSONValue.parse(try Data(contentsOf: url))
            return try JSONCoding.decode([FineTuningSummary.Epoch].self, from: json, nonFiniteFromStrings: true)
        } catch {
            throw TrainingError.unreadableCheckpoint(file: url.path, reason: "not an epoch history (\(decodingSummary(error)))")
        }
    }
}
