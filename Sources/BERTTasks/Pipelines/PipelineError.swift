/// Errors from the task pipelines. Each message says which input or option is wrong and how to fix it.
public enum PipelineError: Error, CustomStringConvertible, Equatable {
    /// A fill-mask input without the tokenizer's mask token (transformers' `PipelineException`).
    case noMaskToken(text: String, maskToken: String)
    /// An empty question or context (transformers: "`question` cannot be empty").
    case emptyInput(field: String)
    /// The model predicted a class id that `id2label` does not name.
    case labelOutOfRange(id: Int, labels: Int)
    /// An input of `tokens` tokens when the model accepts at most `maximum` and truncation is off.
    case inputTooLong(tokens: Int, maximum: Int, index: Int)
    /// An option value the pipeline does not accept.
    case invalidOption(name: String, value: String, reason: String)
    /// None of the fill-mask `targets` is usable (transformers: "At least one target must be provided").
    case noValidTargets([String])
    /// The checkpoint's head does not fit this pipeline (e.g. a rerank model with more than 2 labels).
    case unsupportedHead(String)

    public var description: String {
        switch self {
        case let .noMaskToken(text, mask):
            return "No mask_token (\(mask)) found on the input \"\(text.prefix(80))\"; put \(mask) where a word should be predicted"
        case let .emptyInput(field):
            return "`\(field)` cannot be empty"
        case let .labelOutOfRange(id, labels):
            return "the model predicted class \(id) but config.json id2label names only \(labels) label(s); fix id2label or num_labels"
        case let .inputTooLong(tokens, maximum, index):
            return "input \(index) has \(tokens) tokens but the model accepts at most \(maximum) (max_position_embeddings); shorten it or enable truncation"
        case let .invalidOption(name, value, reason):
            return "\(name) = \(value): \(reason)"
        case let .noValidTargets(targets):
            return "At least one target must be provided when passed: none of \(targets) tokenizes to a token"
        case let .unsupportedHead(message):
            return message
        }
    }
}
