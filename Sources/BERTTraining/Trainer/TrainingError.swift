import Foundation

/// Errors of a training run's set-up, folder and progress (pre-training and fine-tuning). Each message is one line
/// naming the folder, file, option or step, and says how to fix it.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Starting over in a folder that holds an earlier run (its run files listed), without overwrite.
    case earlierRunPresent(folder: String, items: [String])
    /// Overwrite would have to delete something this package did not write.
    case unknownContent(folder: String, item: String)
    /// The loss or the gradient norm of step `step` is NaN or infinite; nothing of that step was saved.
    case nonFiniteLoss(step: Int, loss: Double, gradientNorm: Double, lastCheckpoint: String?)
    /// A checkpoint file is missing or does not parse.
    case unreadableCheckpoint(file: String, reason: String)
    /// A training option outside its range.
    case invalidOption(name: String, value: String, requirement: String)
    /// A model-shape setting that cannot make a model (`field` as config.json names it).
    case invalidModelShape(field: String, value: Int, requirement: String)
    /// The model's parameters, optimizer moments and gradients would not fit in memory.
    case modelTooLarge(description: String, parameters: String, bytesNeeded: String, bytesAvailable: String)
    /// A tokenizer folder without tokenizer.json or vocab.txt.
    case noTokenizer(directory: String)
    /// The tokenizer's vocabulary differs in size from the model's or the data's.
    case vocabularyMismatch(directory: String, tokenizer: Int, expected: Int, expectedBy: String)

    /// The message.
    public var description: String {
        switch self {
        case let .earlierRunPresent(folder, items):
            return "\(folder): holds an earlier run (\(items.prefix(6).joined(separator: ", "))\(items.count > 6 ? ", ..." : "")); "
                + "resume it, start over with --overwrite (deletes it), or choose another output folder"
        case let .unknownContent(folder, item):
            return "\(folder): --overwrite deletes only files a run writes, but the folder also holds \"\(item)\"; "
                + "move it away or choose another output folder"
        case let .nonFiniteLoss(step, loss, norm, checkpoint):
            let last = checkpoint.map { "the last good checkpoint is \($0) (a re-run resumes from it)" } ?? "no checkpoint was written yet"
            return "training diverged at step \(step): loss \(loss), gradient norm \(norm); nothing of this step was saved; "
                + "\(last); lower the learning rate or lengthen the warm-up"
        case let .unreadableCheckpoint(file, reason):
            return "\(file): \(reason); the checkpoint is damaged: delete its folder to resume from an earlier one, or start over"
        case let .invalidOption(name, value, requirement):
            return "\(name) is \(value); it must be \(requirement)"
        case let .invalidModelShape(field, value, requirement):
            return "model shape: \(field) is \(value); it must be \(requirement)"
        case let .modelTooLarge(description, parameters, needed, available):
            return "model too large: \(description) has \(parameters) parameters; training needs about \(needed) "
                + "(weights, gradients, optimizer moments) but this machine has \(available); choose smaller sizes"
        case let .noTokenizer(directory):
            return "\(directory): no tokenizer.json or vocab.txt; pass a tokenizer folder (such as a model folder) that holds one"
        case let .vocabularyMismatch(directory, tokenizer, expected, expectedBy):
            return "\(directory): the tokenizer has \(tokenizer) tokens but \(expectedBy) has \(expected); "
                + "use the tokenizer the data was made with"
        }
    }
}
