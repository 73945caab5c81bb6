/// Errors from building, loading and running models. Messages name the key or file and say how to fix it.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// A config value this implementation does not support.
    case unsupportedConfig(key: String, value: String, supported: [String])
    /// Parameters the checkpoint does not provide.
    case missingKeys([String], file: String)
    /// Checkpoint tensors no parameter consumed (and not in the ignore list).
    case unexpectedKeys([String], file: String)
    /// A checkpoint tensor whose shape differs from the parameter's.
    case shapeMismatch(key: String, expected: [Int], found: [Int], file: String)
    /// A config.json size (`key`) that the checkpoint's tensor shapes contradict; `tensor` is the one that shows it.
    case configDisagreesWithWeights(key: String, config: Int, weights: Int, tensor: String, configFile: String, weightsFile: String)
    /// Inputs that do not fit the model (lengths, ids, batch layout).
    case invalidInput(String)
    /// A nonzero token-type id for a model without token types (DistilBERT).
    case tokenTypesUnsupported(modelType: String, found: Int)
    /// Training or fine-tuning asked of a model loaded from a quantised (int8) checkpoint, or prepared for int8.
    case quantizedModel(operation: String)

    public var description: String {
        switch self {
        case let .unsupportedConfig(key, value, supported):
            return "config \(key) = \(value) is not supported; supported values: \(supported.joined(separator: ", "))"
        case let .missingKeys(keys, file):
            return "\(file) lacks \(keys.count) parameter(s) the model needs: \(keys.prefix(8).joined(separator: ", "))\(keys.count > 8 ? ", ..." : ""). Is this checkpoint for another architecture or head?"
        case let .unexpectedKeys(keys, file):
            return "\(file) has \(keys.count) tensor(s) the model does not use: \(keys.prefix(8).joined(separator: ", "))\(keys.count > 8 ? ", ..." : "")"
        case let .shapeMismatch(key, expected, found, file):
            return "\(file): \(key) has shape \(found), the model expects \(expected); check config.json against the weights"
        case let .configDisagreesWithWeights(key, config, weights, tensor, configFile, weightsFile):
            return "\(configFile): `\(key)` is \(config) but \(weightsFile) holds \(weights) (\(tensor)); the config and the "
                + "weights come from different models, restore config.json from the checkpoint's repository"
        case let .invalidInput(message):
            return message
        case let .tokenTypesUnsupported(modelType, found):
            return "\(modelType) has no token types, but token_type_ids holds \(found); pass no token_type_ids (or zeros)"
        case let .quantizedModel(operation):
            return "\(operation) needs fp32 weights, but this model holds int8, bf16 or fp16 weights only (a `bert quantize` "
                + "checkpoint, or loaded with --dtype int8, bf16 or fp16); use the original fp32 checkpoint instead"
        }
    }
}

extension ModelError {
    /// A model folder without the file a model needs.
    static func missingFile(_ name: String, in directory: String, hint: String) -> ModelError {
        .invalidInput("\(directory) has no \(name). \(hint)")
    }
}
