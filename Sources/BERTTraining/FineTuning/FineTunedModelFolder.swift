import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation
import SafeTensors

/// Reading a pre-trained encoder into a task model, and writing fine-tuned models in the layout
/// `transformers.AutoModelFor*.from_pretrained` reads (config.json, model.safetensors, tokenizer files).
package enum FineTunedModelFolder {
    /// Files copied from the source model folder so the output is self-contained: a fast tokenizer.json, or the
    /// family's slow files (WordPiece vocab.txt; RoBERTa's byte-level BPE vocab.json + merges.txt; ALBERT's and
    /// XLM-R's SentencePiece models), with the configs that shape them.
    package static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                                        "vocab.txt", "vocab.json", "merges.txt", "spiece.model", "sentencepiece.bpe.model"]
    /// Sentence-Transformers files kept beside an embedding model.
    package static let sentenceTransformerFiles = ["modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling", "2_Normalize"]

    /// The type ids a feature keeps: the encoding's, or zeros when the tokenizer folder says its transformers class
    /// returns none (`Tokenizer.returnsTokenTypeIds`; e.g. ALBERT's own tokenizer in transformers 5.24).
    static func modelTypeIds(_ encoding: Encoding, _ tokenizer: Tokenizer) -> [Int] {
        tokenizer.returnsTokenTypeIds == false ? [Int](repeating: 0, count: encoding.typeIds.count) : encoding.typeIds
    }

    /// Loads the encoder weights of any BERT-family folder (a base model, or one with task heads; the member's
    /// prefix, `bert.`, `roberta.`, `distilbert.` or `albert.`, or none)
    /// into `bert`. Heads are ignored. A pooler the checkpoint lacks keeps its fresh initialisation, as
    /// `transformers` reports it MISSING and initialises it.
    package static func loadEncoder(_ bert: BertModel, from directory: URL) throws {
        let weights = try Pretrained.weights(in: directory)
        var source: TensorSource = weights
        let prefix = bert.config.family.baseKey + "."
        if bert.pooler != nil, !Pretrained.hasPooler(weights) {
            var extra: [String: (shape: [Int], values: [Float])] = [:]
            for (k, t) in bert.namedParameters() where k.hasPrefix("pooler.") { extra[k] = (t.shape, t.scalars) }
            source = OverlayTensorSource(base: weights, extra: extra, prefix: weights.tensorNames.contains { $0.hasPrefix(prefix) } ? prefix : "")
        }
        try bert.load(from: source, prefixes: ["", prefix], ignoring: Pretrained.headKeys + FamilyMember.poolerKeys)
        if bert.isQuantized { throw ModelError.quantizedModel(operation: "fine-tuning") }
    }

    /// Writes `model` (keys as the task class names them, e.g. `bert.encoder...`, `classifier.weight`) with
    /// `config` and the tokenizer files of `sourceDirectory` into `directory`.
    package static func save(_ model: Module, config: BertConfig, sourceDirectory: URL, to directory: URL,
                            extraFiles: [String] = []) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try model.saveSafeTensors(to: directory.appendingPathComponent("model.safetensors"))
        try config.write(to: directory.appendingPathComponent("config.json"))
        for name in tokenizerFiles + extraFiles {
            let from = sourceDirectory.appendingPathComponent(name), to = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: from.path) else { continue }
            try? fm.removeItem(at: to)
            try fm.copyItem(at: from, to: to)
        }
    }

    /// The config of `directory` prepared for a task head: labels, problem type and architecture set.
    /// `architecture` is the BERT class (`BertForSequenceClassification`); other members get their own
    /// (`RobertaForSequenceClassification`, `DistilBertFor...`, `AlbertFor...`), which `AutoModel` reads.
    package static func taskConfig(from directory: URL, architecture: String, labels: [String], problemType: String? = nil) throws -> BertConfig {
        var config = try Pretrained.config(in: directory)
        config.architectures = [architecture.hasPrefix("Bert") ? config.family.classPrefix + architecture.dropFirst(4) : architecture]
        if !labels.isEmpty {
            config.id2label = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0, $1) })
            config.label2id = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        }
        config.problemType = problemType
        return config
    }

    /// The label names of a fine-tuned model's config in id order.
    package static func labels(of config: BertConfig, directory: URL) throws -> [String] {
        let ids = config.id2label.keys.sorted()
        guard ids == Array(0..<ids.count), !ids.isEmpty else {
            throw FineTuningError.incompatibleModel(directory: directory.path, reason: "config.json id2label must map 0..<n to label names (found ids \(ids))")
        }
        return ids.map { config.id2label[$0]! }
    }

    /// Loads every parameter of a fine-tuned task model strictly from `directory/model.safetensors`.
    package static func loadTaskModel(_ model: Module, from directory: URL) throws {
        try model.load(from: Pretrained.weights(in: directory), prefixes: [""], ignoring: ["embeddings.position_ids"])
    }
}

/// A tensor source with a few tensors added (under `prefix`) to another.
struct OverlayTensorSource: TensorSource {
    let base: TensorSource
    let extra: [String: (shape: [Int], values: [Float])]
    let prefix: String

    init(base: TensorSource, extra: [String: (shape: [Int], values: [Float])], prefix: String) {
        self.base = base; self.prefix = prefix
        self.extra = Dictionary(uniqueKeysWithValues: extra.map { (prefix + $0.key, $0.value) })
    }

    var tensorNames: [String] { base.tensorNames + extra.keys }
    func shape(of name: String) throws -> [Int] { try extra[name]?.shape ?? base.shape(of: name) }
    func floats(_ name: String) throws -> [Float] { try extra[name]?.values ?? base.floats(name) }
    var sourceDescription: String { base.sourceDescription }
    func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        if let values = extra[name]?.values, values.count == destination.count {
            values.withUnsafeBufferPointer { destination.baseAddress!.update(from: $0.baseAddress!, count: values.count) }
        } else {
            try base.copyFloats(name, into: destination)
        }
    }
    func lentStorage(_ name: String) throws -> TensorStorage? { extra[name] == nil ? try base.lentStorage(name) : nil }
    func finishedReading(_ name: String) { if extra[name] == nil { base.finishedReading(name) } }
}
