import BERTJSON
import Foundation

/// The pipeline of a Sentence-Transformers model directory, read from `modules.json`: a Transformer, then
/// Pooling, optional Dense layers and an optional Normalize, each with its configuration.
///
/// Module types are matched by class name, so both the 2.x–5.x spelling
/// (`sentence_transformers.models.Pooling`) and the 6.x one
/// (`sentence_transformers.sentence_transformer.modules.pooling.Pooling`) are understood.
///
/// ```swift
/// let layout = try SentenceTransformerLayout(directory: modelDirectory)
/// layout.pooling?.modes        // [.mean]
/// layout.normalizes            // true
/// ```
public struct SentenceTransformerLayout: Equatable, Sendable {
    /// The Transformer module's settings (`sentence_bert_config.json`).
    public struct TransformerSettings: Equatable, Sendable {
        /// Inputs are truncated to this many tokens (`max_seq_length`, else the tokenizer's
        /// `model_max_length`); `nil` when neither file says.
        public var maxSeqLength: Int?
        /// Whether input text is lower-cased before tokenizing (`do_lower_case`, default false).
        public var doLowerCase: Bool
        /// Whether the module outputs the masked-LM head's logits for every token instead of hidden states
        /// (`MLMTransformer`, or 6.x `Transformer` with `"transformer_task": "fill-mask"`): SparseEncoder models.
        public var outputsMaskedLMLogits: Bool

        /// Settings from their parts.
        public init(maxSeqLength: Int?, doLowerCase: Bool = false, outputsMaskedLMLogits: Bool = false) {
            (self.maxSeqLength, self.doLowerCase, self.outputsMaskedLMLogits) = (maxSeqLength, doLowerCase, outputsMaskedLMLogits)
        }
    }

    /// What one module does.
    public enum Kind: Equatable, Sendable {
        /// The encoder (`Transformer`): config.json and weights live in the module directory.
        case transformer(TransformerSettings)
        /// Token embeddings → one vector (`Pooling`).
        case pooling(PoolingConfig)
        /// A linear layer and activation (`Dense`), weights in the module directory.
        case dense(DenseConfig)
        /// L2 normalisation (`Normalize`).
        case normalize
        /// Masked-LM logits → one vocabulary-sized sparse vector (`SpladePooling`, SparseEncoder models).
        case spladePooling(SpladePoolingConfig)
    }

    /// One entry of `modules.json`.
    public struct Module: Equatable, Sendable {
        /// Position in the pipeline (`idx`).
        public var index: Int
        /// `name`, usually the index as a string.
        public var name: String
        /// The module's directory (`path` relative to the model directory; `""` is the model directory itself).
        public var directory: URL
        /// The class path as written (`type`).
        public var type: String
        /// The parsed module.
        public var kind: Kind
    }

    /// The class names understood, for error messages.
    public static let supportedModuleTypes = ["Transformer", "Pooling", "Dense", "Normalize", "MLMTransformer", "SpladePooling"]

    /// The model directory.
    public var directory: URL
    /// The modules in pipeline order.
    public var modules: [Module]
    /// Named prompts (config_sentence_transformers.json `prompts`), e.g. `["query": "query: "]`.
    public var prompts: [String: String] = [:]
    /// The prompt used when none is named (`default_prompt_name`), a key of `prompts`.
    public var defaultPromptName: String?
    /// How the model scores two embeddings (`similarity_fn_name`: "cosine", "dot", "euclidean", "manhattan"); nil
    /// when the file does not say (sentence-transformers then uses cosine, SparseEncoder dot).
    public var similarityFunctionName: String?

    /// Whether `directory` holds a `modules.json`, i.e. is a Sentence-Transformers model.
    public static func isSentenceTransformer(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("modules.json").path)
    }

    /// Reads `modules.json` and every module's configuration.
    /// - Throws: `BERTHubError.fileMissing` (no modules.json or a module config), `.unknownModuleType`, or the
    ///   errors of `PoolingConfig` and `DenseConfig`, each naming the file.
    ///   A module `path` that is absolute, climbs out with `..`, or is a symlink leading outside the model folder
    ///   (see `ModelBoundary`) is `BERTHubError.pathOutsideModel`.
    public init(directory: URL) throws {
        self.directory = directory
        let boundary = ModelBoundary(modelDirectory: directory)
        let file = directory.appendingPathComponent("modules.json")
        try boundary.check(file, referencedBy: directory.path)
        guard case let .array(entries) = try JSONValue.load(file) else {
            throw BERTHubError.invalidField(file: file.path, key: "(top level)", expected: "an array of modules",
                                            found: "another JSON value")
        }
        var modules: [Module] = []
        for (position, entry) in entries.enumerated() {
            let (type, path, index, name) = try readFields(entry, file: file.path) { f in
                (try f.required(f.string("type"), "type"), try f.string("path") ?? "", try f.int("idx") ?? position,
                 try f.string("name") ?? "\(position)")
            }
            let moduleDirectory = try boundary.resolve(path, in: directory, file: file.path)
            try boundary.checkFiles(["config.json"] + Self.transformerSettingsFiles, in: moduleDirectory)
            let kind = try Self.kind(type: type, directory: moduleDirectory, modulesFile: file.path)
            modules.append(Module(index: index, name: name, directory: moduleDirectory, type: type, kind: kind))
        }
        self.modules = modules.sorted { $0.index < $1.index }
        try readPrompts(boundary: boundary)
    }

    /// Reads `prompts`, `default_prompt_name` and `similarity_fn_name` from config_sentence_transformers.json, when
    /// present.
    private mutating func readPrompts(boundary: ModelBoundary) throws {
        let url = directory.appendingPathComponent("config_sentence_transformers.json")
        guard try FileProbe.exists(url.path) else { return }
        try boundary.check(url, referencedBy: directory.path)
        (prompts, defaultPromptName, similarityFunctionName) = try readFields(try JSONValue.load(url), file: url.path) { f in
            var prompts: [String: String] = [:]
            if let table = try f.object("prompts") {
                for key in table.keys { prompts[key] = try table.required(table.string(key), key) }
            }
            let name = try f.string("default_prompt_name")
            if let name, prompts[name] == nil {
                throw BERTHubError.invalidField(file: url.path, key: "default_prompt_name", expected: "one of the prompts' names "
                    + "(\(prompts.keys.sorted().joined(separator: ", ")))", found: "\"\(name)\"")
            }
            return (prompts, name, try f.string("similarity_fn_name"))
        }
    }

    /// The Transformer module's settings, if there is one.
    public var transformer: TransformerSettings? {
        for m in modules { if case let .transformer(t) = m.kind { return t } }
        return nil
    }

    /// The directory holding the encoder's config.json and weights.
    public var transformerDirectory: URL? {
        modules.first { if case .transformer = $0.kind { return true }; return false }?.directory
    }

    /// The Pooling module's configuration, if there is one.
    public var pooling: PoolingConfig? {
        for m in modules { if case let .pooling(p) = m.kind { return p } }
        return nil
    }

    /// The Dense modules in order, with their directories (for their weights).
    public var denseLayers: [(config: DenseConfig, directory: URL)] {
        modules.compactMap { m in if case let .dense(d) = m.kind { return (d, m.directory) }; return nil }
    }

    /// The SpladePooling module's configuration, if the folder is a SPLADE SparseEncoder.
    public var spladePooling: SpladePoolingConfig? {
        for m in modules { if case let .spladePooling(p) = m.kind { return p } }
        return nil
    }

    /// Whether the pipeline ends in L2 normalisation.
    public var normalizes: Bool { modules.contains { $0.kind == .normalize } }

    /// Width of the final embedding: the last Dense's output, else the pooled width.
    public var embeddingDimension: Int? { denseLayers.last?.config.outFeatures ?? pooling?.outputDimension }

    private static func kind(type: String, directory: URL, modulesFile: String) throws -> Kind {
        let className = type.split(separator: ".").last.map(String.init) ?? type
        guard type.hasPrefix("sentence_transformers.") || !type.contains(".") else {
            throw BERTHubError.unknownModuleType(file: modulesFile, type: type, supported: supportedModuleTypes)
        }
        switch className {
        case "Transformer": return .transformer(try transformerSettings(directory))
        case "MLMTransformer":
            var settings = try transformerSettings(directory)
            settings.outputsMaskedLMLogits = true
            return .transformer(settings)
        case "SpladePooling":
            return .spladePooling(try SpladePoolingConfig(contentsOf: directory.appendingPathComponent("config.json")))
        case "Pooling": return .pooling(try PoolingConfig(contentsOf: directory.appendingPathComponent("config.json")))
        case "Dense": return .dense(try DenseConfig(contentsOf: directory.appendingPathComponent("config.json")))
        case "Normalize": return .normalize
        default: throw BERTHubError.unknownModuleType(file: modulesFile, type: type, supported: supportedModuleTypes)
        }
    }

    /// The files `transformerSettings` may read, in the order it tries them.
    private static let transformerSettingsFiles = [
        "sentence_bert_config.json", "sentence_roberta_config.json", "sentence_distilbert_config.json",
        "tokenizer_config.json",
    ]

    private static func transformerSettings(_ directory: URL) throws -> TransformerSettings {
        var settings = TransformerSettings(maxSeqLength: nil, doLowerCase: false)
        // Sentence-Transformers itself tolerates a missing sentence_bert_config.json (older saves).
        for name in transformerSettingsFiles.dropLast() {
            let url = directory.appendingPathComponent(name)
            guard try FileProbe.exists(url.path) else { continue }
            try readFields(try JSONValue.load(url), file: url.path) { f in
                settings.maxSeqLength = try f.int("max_seq_length")
                settings.doLowerCase = try f.bool("do_lower_case") ?? false
                // 6.x's Transformer module runs one transformers task: hidden states or, for SparseEncoder, MLM logits.
                let task = try f.string("transformer_task") ?? "feature-extraction"
                guard ["feature-extraction", "fill-mask"].contains(task) else {
                    throw BERTHubError.invalidField(file: url.path, key: "transformer_task",
                                                    expected: "\"feature-extraction\" or \"fill-mask\"", found: "\"\(task)\"")
                }
                settings.outputsMaskedLMLogits = task == "fill-mask"
            }
            break
        }
        if settings.maxSeqLength == nil {
            let url = directory.appendingPathComponent("tokenizer_config.json")
            if try FileProbe.exists(url.path) {
                // transformers writes a huge sentinel (int(1e30)) when the tokenizer has no limit.
                let n = try? readFields(try JSONValue.load(url), file: url.path) { try $0.int("model_max_length") }
                if let n = n ?? nil, n > 0, n < 1_000_000 { settings.maxSeqLength = n }
            }
        }
        if let n = settings.maxSeqLength, n <= 0 {
            throw BERTHubError.nonPositive(file: directory.appendingPathComponent("sentence_bert_config.json").path,
                                           key: "max_seq_length", value: n)
        }
        return settings
    }
}
