import BERTJSON
import Foundation

/// One pooling strategy of a Sentence-Transformers `Pooling` module, named as `PoolingMode` in
/// sentence_transformers (6.x) spells it.
public enum PoolingMode: String, CaseIterable, Sendable {
    /// The first token's hidden state ([CLS]).
    case cls
    /// Element-wise max over unmasked tokens.
    case max
    /// Mean over unmasked tokens.
    case mean
    /// Sum over unmasked tokens divided by √(token count).
    case meanSqrtLen = "mean_sqrt_len_tokens"
    /// Mean weighted by position (1, 2, ..., n).
    case weightedMean = "weightedmean"
    /// The last unmasked token's hidden state.
    case lastToken = "lasttoken"

    /// The legacy `pooling_mode_*` flags in the order Pooling.forward concatenates them.
    static let legacyFlags: [(String, PoolingMode)] = [
        ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
        ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen), ("pooling_mode_weightedmean_tokens", .weightedMean),
        ("pooling_mode_lasttoken", .lastToken),
    ]
}

/// A Sentence-Transformers `Pooling` module's `config.json`, in either the legacy form (`word_embedding_dimension`
/// and `pooling_mode_*` flags) or the 6.x form (`embedding_dimension` and `pooling_mode`, a name or a list).
public struct PoolingConfig: Equatable, Sendable {
    /// Width of the token embeddings pooled (`word_embedding_dimension` / `embedding_dimension`).
    public var wordEmbeddingDimension: Int
    /// The strategies, in concatenation order; one for nearly every model.
    public var modes: [PoolingMode]
    /// Whether prompt tokens take part in pooling (`include_prompt`, default true).
    public var includePrompt: Bool

    /// Width of the pooled vector: one `wordEmbeddingDimension` block per mode.
    public var outputDimension: Int { wordEmbeddingDimension * modes.count }

    /// A config from its parts.
    public init(wordEmbeddingDimension: Int, modes: [PoolingMode] = [.mean], includePrompt: Bool = true) {
        (self.wordEmbeddingDimension, self.modes, self.includePrompt) = (wordEmbeddingDimension, modes, includePrompt)
    }

    /// Reads `<module>/config.json`. A file with neither `pooling_mode` nor any `pooling_mode_*` flag means `mean`
    /// pooling (the `Pooling` constructor's default).
    /// - Throws: `BERTHubError.fileMissing`, `.invalidJSON`, `.invalidField`, `.missingField`, or
    ///   `.invalidPoolingConfig` for an unknown mode name, an empty `pooling_mode` list, or flags that are all false.
    public init(contentsOf url: URL) throws {
        let file = url.path
        self = try readFields(try JSONValue.load(url), file: file) { f in
            guard let dimension = try f.int("embedding_dimension") ?? f.int("word_embedding_dimension") else {
                throw BERTHubError.missingField(file: file, key: "word_embedding_dimension")
            }
            guard dimension > 0 else { throw BERTHubError.nonPositive(file: file, key: "word_embedding_dimension", value: dimension) }
            var modes: [PoolingMode] = []
            if let names = try? f.strings("pooling_mode") {
                modes = try names.map { try Self.mode($0, file: file) }
                if modes.isEmpty { throw BERTHubError.invalidPoolingConfig(file: file, reason: "pooling_mode is an empty list") }
            } else if let name = try f.string("pooling_mode") {
                modes = [try Self.mode(name, file: file)]
            } else {
                var flagged: [String] = []
                for (key, mode) in PoolingMode.legacyFlags {
                    guard let on = try f.bool(key) else { continue }
                    flagged.append(key)
                    if on { modes.append(mode) }
                }
                // Flags spelled out and all false select nothing: sentence_transformers would build a zero-width
                // Pooling whose forward pass fails, so this is an error rather than a quiet choice of mean.
                if modes.isEmpty, !flagged.isEmpty {
                    throw BERTHubError.invalidPoolingConfig(
                        file: file, reason: "every pooling mode flag is false (" + flagged.joined(separator: ", ") + ")")
                }
                // No flag at all: Pooling's constructor default, mean.
                if modes.isEmpty { modes = [.mean] }
            }
            return Self(wordEmbeddingDimension: dimension, modes: modes, includePrompt: try f.bool("include_prompt") ?? true)
        }
    }

    private static func mode(_ name: String, file: String) throws -> PoolingMode {
        guard let mode = PoolingMode(rawValue: name) else {
            throw BERTHubError.invalidPoolingConfig(
                file: file, reason: "pooling_mode \"\(name)\" is unknown (known: "
                    + PoolingMode.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        return mode
    }
}

/// The activation after a Sentence-Transformers `Dense` layer, from its `activation_function` class path.
public enum DenseActivation: String, CaseIterable, Sendable {
    /// `torch.nn.modules.linear.Identity`
    case identity = "torch.nn.modules.linear.Identity"
    /// `torch.nn.modules.activation.Tanh` (the Dense default)
    case tanh = "torch.nn.modules.activation.Tanh"
    /// `torch.nn.modules.activation.ReLU`
    case relu = "torch.nn.modules.activation.ReLU"
    /// `torch.nn.modules.activation.GELU` (erf form)
    case gelu = "torch.nn.modules.activation.GELU"
    /// `torch.nn.modules.activation.Sigmoid`
    case sigmoid = "torch.nn.modules.activation.Sigmoid"
}

/// A Sentence-Transformers `Dense` module: `activation(linear(x))`, weights in the module directory
/// (`model.safetensors`, keys `linear.weight` [out, in] and `linear.bias` [out]).
public struct DenseConfig: Equatable, Sendable {
    /// Input width (`in_features`).
    public var inFeatures: Int
    /// Output width (`out_features`).
    public var outFeatures: Int
    /// Whether the linear layer has a bias (`bias`, default true).
    public var bias: Bool
    /// The activation (`activation_function`, default Tanh as in sentence_transformers).
    public var activation: DenseActivation

    /// A config from its parts.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, activation: DenseActivation = .tanh) {
        (self.inFeatures, self.outFeatures, self.bias, self.activation) = (inFeatures, outFeatures, bias, activation)
    }

    /// Reads `<module>/config.json`.
    /// - Throws: `BERTHubError.missingField`, `.nonPositive`, `.unsupportedDenseActivation`, or a JSON error.
    public init(contentsOf url: URL) throws {
        let file = url.path
        self = try readFields(try JSONValue.load(url), file: file) { f in
            guard let inFeatures = try f.int("in_features") else { throw BERTHubError.missingField(file: file, key: "in_features") }
            guard let outFeatures = try f.int("out_features") else { throw BERTHubError.missingField(file: file, key: "out_features") }
            for (key, value) in [("in_features", inFeatures), ("out_features", outFeatures)] where value <= 0 {
                throw BERTHubError.nonPositive(file: file, key: key, value: value)
            }
            var activation = DenseActivation.tanh
            if let name = try f.string("activation_function") {
                // Older releases saved the short path (`torch.nn.Tanh`); accept it by class name.
                let className = name.split(separator: ".").last.map(String.init) ?? name
                guard let match = DenseActivation.allCases.first(where: { $0.rawValue == name || $0.rawValue.hasSuffix("." + className) })
                else {
                    throw BERTHubError.unsupportedDenseActivation(file: file, value: name,
                                                                  supported: DenseActivation.allCases.map(\.rawValue))
                }
                activation = match
            }
            if let residual = try f.bool("use_residual"), residual {
                throw BERTHubError.invalidField(file: file, key: "use_residual", expected: "false (residual Dense is not implemented)",
                                                found: "true")
            }
            return Self(inFeatures: inFeatures, outFeatures: outFeatures, bias: try f.bool("bias") ?? true, activation: activation)
        }
    }
}

/// A sentence-transformers `SpladePooling` module's `config.json` (SparseEncoder models: SPLADE). It turns the
/// masked-LM logits of every token into one vocabulary-sized vector: each logit through log(1 + ReLU(x)) (twice for
/// `log1p_relu`), then the max (or sum) over the text's tokens.
public struct SpladePoolingConfig: Equatable, Sendable {
    /// How token scores are combined (`pooling_strategy`).
    public enum Strategy: String, Sendable { case max, sum }
    /// The per-logit transform (`activation_function`): `relu` is log(1 + ReLU(x)), `log1p_relu` applies log1p again.
    public enum ActivationFunction: String, Sendable {
        case relu
        case log1pRelu = "log1p_relu"
    }

    /// Max (default) or sum over tokens.
    public var strategy: Strategy
    /// The transform of each logit.
    public var activation: ActivationFunction
    /// The vocabulary width the file states (`embedding_dimension` / `word_embedding_dimension`), if any.
    public var embeddingDimension: Int?

    /// A config from its parts.
    public init(strategy: Strategy = .max, activation: ActivationFunction = .relu, embeddingDimension: Int? = nil) {
        (self.strategy, self.activation, self.embeddingDimension) = (strategy, activation, embeddingDimension)
    }

    /// Reads `<module>/config.json`.
    /// - Throws: `BERTHubError.invalidField` for an unknown strategy or activation, `.nonPositive` for a width ≤ 0,
    ///   or a JSON error.
    public init(contentsOf url: URL) throws {
        let file = url.path
        self = try readFields(try JSONValue.load(url), file: file) { f in
            let strategyName = try f.string("pooling_strategy") ?? "max"
            guard let strategy = Strategy(rawValue: strategyName) else {
                throw BERTHubError.invalidField(file: file, key: "pooling_strategy", expected: "\"max\" or \"sum\"",
                                                found: "\"\(strategyName)\"")
            }
            let activationName = try f.string("activation_function") ?? "relu"
            guard let activation = ActivationFunction(rawValue: activationName) else {
                throw BERTHubError.invalidField(file: file, key: "activation_function", expected: "\"relu\" or \"log1p_relu\"",
                                                found: "\"\(activationName)\"")
            }
            let width = try f.int("embedding_dimension") ?? f.int("word_embedding_dimension")
            if let width, width <= 0 { throw BERTHubError.nonPositive(file: file, key: "embedding_dimension", value: width) }
            return Self(strategy: strategy, activation: activation, embeddingDimension: width)
        }
    }
}
