import Foundation

/// Everything that can go wrong resolving a model or reading its configuration files.
///
/// Each case names the file (or the model reference and the places searched) and its description says how to
/// fix the problem.
public enum BERTHubError: Error, Equatable, Sendable {
    /// A model reference matched no directory and no Hugging Face cache entry.
    case modelNotFound(reference: String, searched: [String])
    /// The path exists but is a file, not a model directory.
    case notADirectory(path: String)
    /// `refs/<revision>` names a snapshot that is not in the cache, or the requested revision is absent.
    case snapshotMissing(model: String, revision: String, path: String)
    /// A file the model needs is absent.
    case fileMissing(path: String)
    /// No safetensors weights in a model directory; `found` lists other weight files present.
    case weightsMissing(directory: String, found: [String])
    /// The path, or a folder on the way to it, exists but this process may not access it (`EACCES`).
    case permissionDenied(path: String)
    /// A path named in a model file (`file`), or a symlink in the model folder, leads outside the model's
    /// folder (`boundary`); `resolved` is where it leads, when it exists.
    case pathOutsideModel(file: String, path: String, resolved: String?, boundary: String)
    /// A file exists but could not be read.
    case fileUnreadable(path: String, reason: String)
    /// A file is not valid JSON.
    case invalidJSON(file: String, reason: String)
    /// A field has the wrong JSON type or an unusable value.
    case invalidField(file: String, key: String, expected: String, found: String)
    /// A required field is absent.
    case missingField(file: String, key: String)
    /// `model_type` is not one of the BERT family.
    case unknownModelType(file: String, value: String, supported: [String])
    /// `hidden_act` (or DistilBERT's `activation`) is not a supported activation.
    case unsupportedActivation(file: String, key: String, value: String, supported: [String])
    /// `position_embedding_type` other than "absolute".
    case unsupportedPositionEmbeddingType(file: String, value: String)
    /// `is_decoder` or `add_cross_attention` set on a member whose `transformers` class honours it (BERT, RoBERTa,
    /// XLM-R): causal or cross-attention, which this package does not implement.
    case unsupportedDecoder(file: String, key: String)
    /// A size that must be positive is not.
    case nonPositive(file: String, key: String, value: Int)
    /// A size above the sane bound of `BertConfig.Limits`.
    case valueTooLarge(file: String, key: String, value: Int, limit: Int)
    /// The sizes together describe more parameters than `BertConfig.Limits.parameters`; `parameters` is nil when
    /// the count does not even fit in an `Int`.
    case modelTooLarge(file: String, parameters: Int?, limit: Int)
    /// `hidden_size` is not a multiple of `num_attention_heads`.
    case hiddenSizeNotDivisible(file: String, hiddenSize: Int, heads: Int)
    /// `id2label` / `label2id` keys or values are not usable.
    case invalidLabelMap(file: String, key: String, reason: String)
    /// A modules.json entry has a type this package does not implement.
    case unknownModuleType(file: String, type: String, supported: [String])
    /// A Pooling config selects no mode, or is otherwise unusable.
    case invalidPoolingConfig(file: String, reason: String)
    /// A Dense module's `activation_function` is not supported.
    case unsupportedDenseActivation(file: String, value: String, supported: [String])
}

extension BERTHubError: CustomStringConvertible, LocalizedError {
    /// A message naming the file or model, with a hint on how to fix it.
    public var description: String {
        switch self {
        case let .modelNotFound(reference, searched):
            return "model `\(reference)` not found; looked in:\n" + searched.map { "  - \($0)" }.joined(separator: "\n")
                + "\nPass a directory holding config.json, or download the model into the Hugging Face cache "
                + "(e.g. `huggingface-cli download \(reference)`; set HF_HUB_CACHE or HF_HOME if the cache lives elsewhere)."
        case let .notADirectory(path):
            return "\(path) is a file; pass the model directory that holds config.json and the weights."
        case let .snapshotMissing(model, revision, path):
            return "model `\(model)`: revision `\(revision)` has no snapshot at \(path); "
                + "download it again (the cache is incomplete) or pick a revision listed under snapshots/."
        case let .fileMissing(path):
            return "\(path) is missing; the model directory is incomplete, download the model again."
        case let .weightsMissing(directory, found):
            let hint = found.isEmpty ? "download the weights (model.safetensors) into it"
                : "it has only " + found.joined(separator: ", ") + "; convert them to safetensors "
                    + "(e.g. `safetensors.torch.save_file(torch.load(path), \"model.safetensors\")`)"
            return "\(directory): no model.safetensors or model.safetensors.index.json; \(hint)."
        case let .permissionDenied(path):
            return "\(path): permission denied; give this user read access to the file and search (x) access "
                + "to every folder above it (chmod/chown), or run as a user who has them."
        case let .pathOutsideModel(file, path, resolved, boundary):
            let target = resolved.map { " (resolves to \($0))" } ?? ""
            return "\(file): path \(path)\(target) leads outside the model folder \(boundary); "
                + "model files must stay inside it: copy the file into the model folder instead of linking or pointing to it."
        case let .fileUnreadable(path, reason):
            return "\(path): cannot read: \(reason). Check permissions."
        case let .invalidJSON(file, reason):
            return "\(file): not valid JSON (\(reason)); restore the file from the model's repository."
        case let .invalidField(file, key, expected, found):
            return "\(file): `\(key)` should be \(expected) but is \(found); fix the value in the file."
        case let .missingField(file, key):
            return "\(file): required field `\(key)` is missing; add it (see the model's repository)."
        case let .unknownModelType(file, value, supported):
            return "\(file): model_type \"\(value)\" is not supported; supported: \(supported.joined(separator: ", "))."
        case let .unsupportedActivation(file, key, value, supported):
            return "\(file): \(key) \"\(value)\" is not supported; supported: \(supported.joined(separator: ", "))."
        case let .unsupportedPositionEmbeddingType(file, value):
            return "\(file): position_embedding_type \"\(value)\" is not supported; only \"absolute\" is "
                + "(relative-position BERT variants are not implemented)."
        case let .unsupportedDecoder(file, key):
            return "\(file): `\(key)` is true: a causal decoder (or cross-attention) model, e.g. BertLMHeadModel, which "
                + "this package does not implement (it runs bidirectional encoders only); use an encoder checkpoint."
        case let .nonPositive(file, key, value):
            return "\(file): `\(key)` is \(value) but must be positive; fix the value in the file."
        case let .valueTooLarge(file, key, value, limit):
            return "\(file): `\(key)` is \(value), above the limit of \(limit) (far beyond any published model); "
                + "fix the value in the file."
        case let .modelTooLarge(file, parameters, limit):
            let count = parameters.map { "\($0) parameters (\($0 / (1 << 28)) GiB of fp32 weights)" } ?? "more parameters than can be counted"
            return "\(file): the sizes describe \(count), above the limit of \(limit); check vocab_size, hidden_size, "
                + "intermediate_size, num_hidden_layers and max_position_embeddings."
        case let .hiddenSizeNotDivisible(file, hiddenSize, heads):
            return "\(file): hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads); "
                + "the attention heads would have no integer width, fix one of the two."
        case let .invalidLabelMap(file, key, reason):
            return "\(file): `\(key)` \(reason); it maps label ids (as strings, e.g. \"0\") to names, and back."
        case let .unknownModuleType(file, type, supported):
            return "\(file): module type `\(type)` is not supported; supported: \(supported.joined(separator: ", ")). "
                + "Remove the module from modules.json if the pipeline works without it."
        case let .invalidPoolingConfig(file, reason):
            return "\(file): \(reason); set one pooling_mode_* flag to true (mean for most models)."
        case let .unsupportedDenseActivation(file, value, supported):
            return "\(file): Dense activation_function `\(value)` is not supported; supported: "
                + "\(supported.joined(separator: ", "))."
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

extension BERTHubError {
    /// The contents of `url`, with a read failure typed: `.permissionDenied` for a file this user may not read,
    /// `.fileUnreadable` with the system's reason otherwise.
    static func reading(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch let error as CocoaError where error.code == .fileReadNoPermission {
            throw BERTHubError.permissionDenied(path: url.path)
        } catch {
            throw BERTHubError.fileUnreadable(path: url.path, reason: error.localizedDescription)
        }
    }
}
