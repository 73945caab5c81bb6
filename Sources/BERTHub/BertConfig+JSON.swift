import BERTJSON
import Foundation

extension BertConfig: Codable {
    /// Reads and validates a `config.json`.
    /// - Throws: `BERTHubError` naming the file: missing, not JSON, a wrong field type, or a failed `validate`.
    public init(contentsOf url: URL) throws {
        try self.init(json: try JSONValue.load(url), file: url.path)
    }

    /// Decodes and validates config.json text; `file` names it in errors.
    public init(jsonData: Data, file: String = "config.json") throws {
        try self.init(json: try JSONValue.parse(jsonData, file: file), file: file)
    }

    /// Decodes and validates a parsed config.json.
    public init(json: JSONValue, file: String = "config.json") throws {
        // A number beyond Double's range (1e999) parses as infinity, which JSON cannot write back: refuse it here
        // rather than at the end of a fine-tuning run, when the config is saved.
        if let (key, value) = Self.firstNonFinite(json) {
            throw BERTHubError.invalidField(file: file, key: key, expected: "a finite number", found: value)
        }
        self = try readFields(json, file: file) { try BertConfig(reading: $0) }
        try validate(file: file)
    }

    /// The fields of a config.json, before validation.
    private init(reading f: JSONFieldReader) throws {
        let type = try Self.modelType(f)
        self.init(modelType: type)
        let distil = type == .distilbert
        func key(_ bert: String, _ distilbert: String) -> String { distil ? distilbert : bert }

        vocabSize = try f.int("vocab_size") ?? vocabSize
        hiddenSize = try f.int(key("hidden_size", "dim")) ?? hiddenSize
        numHiddenLayers = try f.int(key("num_hidden_layers", "n_layers")) ?? numHiddenLayers
        numAttentionHeads = try f.int(key("num_attention_heads", "n_heads")) ?? numAttentionHeads
        intermediateSize = try f.int(key("intermediate_size", "hidden_dim")) ?? intermediateSize
        hiddenAct = try f.string(key("hidden_act", "activation")) ?? hiddenAct
        hiddenDropoutProb = try f.double(key("hidden_dropout_prob", "dropout")) ?? hiddenDropoutProb
        attentionProbsDropoutProb = try f.double(key("attention_probs_dropout_prob", "attention_dropout"))
            ?? attentionProbsDropoutProb
        maxPositionEmbeddings = try f.int("max_position_embeddings") ?? maxPositionEmbeddings
        padTokenId = try f.int("pad_token_id") ?? padTokenId
        bosTokenId = try f.int("bos_token_id") ?? bosTokenId
        eosTokenId = try f.int("eos_token_id") ?? eosTokenId
        initializerRange = try f.double("initializer_range") ?? initializerRange
        // Keys that only some files spell out at their default stay in extraFields too, so a round trip
        // neither adds nor drops them.
        tieWordEmbeddings = try f.bool("tie_word_embeddings", keep: true) ?? tieWordEmbeddings
        problemType = try f.string("problem_type")
        architectures = try f.strings("architectures") ?? []
        switch type {
        case .distilbert:
            sinusoidalPositionEmbeddings = try f.bool("sinusoidal_pos_embds") ?? false
            classifierDropout = try f.double("seq_classif_dropout") ?? classifierDropout
            qaDropout = try f.double("qa_dropout") ?? qaDropout
        case .albert:
            embeddingSize = try f.int("embedding_size") ?? embeddingSize
            numHiddenGroups = try f.int("num_hidden_groups") ?? numHiddenGroups
            innerGroupNum = try f.int("inner_group_num") ?? innerGroupNum
            classifierDropout = try f.double("classifier_dropout_prob") ?? classifierDropout
        case .bert, .roberta, .xlmRoberta:
            classifierDropout = try f.double("classifier_dropout")
        }
        if !distil {
            typeVocabSize = try f.int("type_vocab_size") ?? typeVocabSize
            layerNormEps = try f.double("layer_norm_eps") ?? layerNormEps
            positionEmbeddingType = try f.string("position_embedding_type", keep: true) ?? positionEmbeddingType
        }
        (id2label, label2id) = try Self.labels(f)
        extraFields = f.unreadMembers.dictionary
    }

    /// The path (`a.b[2]`) and text of the first non-finite number in `value`, members in document order.
    private static func firstNonFinite(_ value: JSONValue, path: String = "") -> (String, String)? {
        switch value {
        case let .number(d) where !d.isFinite: return (path.isEmpty ? "(top level)" : path, "\(d)")
        case let .array(items):
            for (i, item) in items.enumerated() { if let found = firstNonFinite(item, path: "\(path)[\(i)]") { return found } }
        case let .object(object):
            for member in object.members {
                if let found = firstNonFinite(member.value, path: path.isEmpty ? member.key : "\(path).\(member.key)") { return found }
            }
        default: break
        }
        return nil
    }

    /// Decodes from any `Decoder` (e.g. a config embedded in another JSON document), with validation.
    public init(from decoder: Decoder) throws {
        try self.init(json: try JSONValue(from: decoder), file: "config")
    }

    /// Encodes as `config.json` keys (DistilBERT's own names for DistilBERT), plus `extraFields`.
    public func encode(to encoder: Encoder) throws { try jsonValue.encode(to: encoder) }

    /// The config as a JSON object, keyed as the `transformers` class of `modelType` writes it.
    public var jsonValue: JSONValue {
        var o = extraFields
        func int(_ v: Int?) -> JSONValue { v.map { .integer(Int64($0)) } ?? .null }
        func num(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }
        let distil = modelType == .distilbert
        func key(_ bert: String, _ distilbert: String) -> String { distil ? distilbert : bert }
        o["model_type"] = .string(modelType.rawValue)
        o["vocab_size"] = int(vocabSize)
        o[key("hidden_size", "dim")] = int(hiddenSize)
        o[key("num_hidden_layers", "n_layers")] = int(numHiddenLayers)
        o[key("num_attention_heads", "n_heads")] = int(numAttentionHeads)
        o[key("intermediate_size", "hidden_dim")] = int(intermediateSize)
        o[key("hidden_act", "activation")] = .string(hiddenAct)
        o[key("hidden_dropout_prob", "dropout")] = num(hiddenDropoutProb)
        o[key("attention_probs_dropout_prob", "attention_dropout")] = num(attentionProbsDropoutProb)
        o["max_position_embeddings"] = int(maxPositionEmbeddings)
        o["pad_token_id"] = int(padTokenId)
        if let bosTokenId { o["bos_token_id"] = int(bosTokenId) }
        if let eosTokenId { o["eos_token_id"] = int(eosTokenId) }
        o["initializer_range"] = num(initializerRange)
        if !tieWordEmbeddings || o["tie_word_embeddings"] != nil { o["tie_word_embeddings"] = .bool(tieWordEmbeddings) }
        if let problemType { o["problem_type"] = .string(problemType) }
        if !architectures.isEmpty { o["architectures"] = .array(architectures.map(JSONValue.string)) }
        switch modelType {
        case .distilbert:
            o["sinusoidal_pos_embds"] = .bool(sinusoidalPositionEmbeddings)
            o["seq_classif_dropout"] = num(classifierDropout)
            o["qa_dropout"] = num(qaDropout)
        case .albert:
            o["embedding_size"] = int(embeddingSize ?? hiddenSize)
            o["num_hidden_groups"] = int(numHiddenGroups)
            o["inner_group_num"] = int(innerGroupNum)
            o["classifier_dropout_prob"] = num(classifierDropout)
        case .bert, .roberta, .xlmRoberta:
            o["classifier_dropout"] = num(classifierDropout)
        }
        if !distil {
            o["type_vocab_size"] = int(typeVocabSize)
            o["layer_norm_eps"] = num(layerNormEps)
            // transformers 5 dropped the key; "absolute" (its only value here) is every version's default.
            if positionEmbeddingType != "absolute" || o["position_embedding_type"] != nil {
                o["position_embedding_type"] = .string(positionEmbeddingType)
            }
        }
        if !id2label.isEmpty {
            o["id2label"] = .object(JSONObject(Dictionary(uniqueKeysWithValues: id2label.map { (String($0.key), .string($0.value)) })))
        }
        if !label2id.isEmpty { o["label2id"] = .object(JSONObject(label2id.mapValues { .integer(Int64($0)) })) }
        return .object(JSONObject(o))
    }

    /// JSON as `PretrainedConfig.to_json_string` writes it: `json.dumps(indent=2, sort_keys=True)` (non-ASCII
    /// escaped) and a final newline.
    /// - Throws: `JSONError.unrepresentableNumber` naming the key of a NaN or infinite value.
    public func jsonData() throws -> Data {
        var bytes = try jsonValue.serialized(options: [.prettyPrinted, .sortedKeys, .escapeNonASCII])
        bytes.append(UInt8(ascii: "\n"))
        return Data(bytes)
    }

    /// Writes `config.json` (validated first).
    /// - Throws: `validate` errors, or `BERTHubError.fileUnreadable` when the file cannot be written.
    public func write(to url: URL) throws {
        try validate(file: url.path)
        do { try jsonData().write(to: url, options: .atomic) } catch {
            throw BERTHubError.fileUnreadable(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// `model_type`, or inferred from `architectures` (old configs lack it) as `AutoConfig` would fail to.
    private static func modelType(_ f: JSONFieldReader) throws -> ModelType {
        let supported = ModelType.allCases.map(\.rawValue)
        if let name = try f.string("model_type") {
            guard let type = ModelType(rawValue: name) else {
                throw BERTHubError.unknownModelType(file: f.file, value: name, supported: supported)
            }
            return type
        }
        let prefixes: [(String, ModelType)] = [("DistilBert", .distilbert), ("Albert", .albert),
                                                ("XLMRoberta", .xlmRoberta), ("Roberta", .roberta), ("Bert", .bert)]
        for arch in try f.strings("architectures") ?? [] {
            if let (_, type) = prefixes.first(where: { arch.hasPrefix($0.0) }) { return type }
        }
        throw BERTHubError.missingField(file: f.file, key: "model_type")
    }

    private static func labels(_ f: JSONFieldReader) throws -> ([Int: String], [String: Int]) {
        var id2label: [Int: String] = [:], label2id: [String: Int] = [:]
        for (k, v) in try f.object("id2label")?.object.dictionary ?? [:] {
            guard let id = Int(k) else {
                throw BERTHubError.invalidLabelMap(file: f.file, key: "id2label", reason: "has key \"\(k)\", not an integer")
            }
            guard case let .string(name) = v else {
                throw BERTHubError.invalidLabelMap(file: f.file, key: "id2label", reason: "maps \"\(k)\" to \(v), not a string")
            }
            id2label[id] = name
        }
        for (k, v) in try f.object("label2id")?.object.dictionary ?? [:] {
            guard case let .integer(id) = v else {
                throw BERTHubError.invalidLabelMap(file: f.file, key: "label2id", reason: "maps \"\(k)\" to \(v), not an integer")
            }
            label2id[k] = Int(id)
        }
        return (id2label, label2id)
    }
}
