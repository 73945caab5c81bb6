/// Why a tokenizer could not be trained or written. Messages name the setting or file and say how to fix it.
public enum TokenizerTrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The corpus gave no words (no files, only empty lines, or everything normalised away).
    case emptyCorpus
    /// `vocabSize` cannot hold the special tokens plus the initial alphabet (`needed` entries).
    case vocabularyTooSmall(vocabSize: Int, needed: Int, specialTokens: Int, alphabet: Int)
    /// A setting is out of its range (`name` as the CLI spells it).
    case invalidSetting(name: String, value: String, reason: String)
    /// The output folder could not be written.
    case unwritableOutput(path: String, reason: String)

    /// One line naming the problem and the fix.
    public var description: String {
        switch self {
        case .emptyCorpus:
            return "the training corpus holds no words; give text files with one document per line"
        case let .vocabularyTooSmall(size, needed, specials, alphabet):
            return "vocab size \(size) is smaller than the \(specials) special tokens plus the \(alphabet) characters "
                + "of the alphabet (\(needed)); raise --vocab-size to at least \(needed) or lower --limit-alphabet"
        case let .invalidSetting(name, value, reason):
            return "\(name) \(value) is invalid: \(reason)"
        case let .unwritableOutput(path, reason):
            return "cannot write the tokenizer to \(path): \(reason)"
        }
    }
}

/// Where a trainer is: `stage` (for example "Count pairs"), with `done` of `total` steps finished.
public struct TrainingProgress: Sendable, Equatable {
    /// The stage's name, as HF's progress bars call it.
    public var stage: String
    /// Steps finished.
    public var done: Int
    /// Steps in the stage.
    public var total: Int
}

/// Receives progress reports; the CLI turns them into a display, the library never prints.
public typealias TrainingProgressHandler = (TrainingProgress) -> Void
