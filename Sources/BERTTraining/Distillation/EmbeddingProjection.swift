import BERTHub
import BERTJSON
import BERTModels
import BERTNN
import BERTTensor
import Foundation
import SafeTensors

/// An embedding student whose width differs from its teacher's: its encoder, then a trained Dense projection from
/// its pooled width to the teacher's vector width, as sentence-transformers' `models.Dense` (identity activation)
/// between Pooling and Normalize. The `Trainer` trains both; checkpoints hold `bert.*` and `projection.*`.
package final class ProjectedEmbeddingStudent: Module {
    package let bert: BertModel
    package let projection: Linear
    package var children: [(key: String, module: Module)] { [("bert", bert), ("projection", projection)] }

    /// `bert` followed by a new projection [outFeatures, inFeatures] drawn from N(0, 1/inFeatures) with `seed`
    /// (about the scale of `nn.Linear`'s default), bias 0.
    package init(bert: BertModel, inFeatures: Int, outFeatures: Int, seed: UInt64) {
        self.bert = bert
        var g = SeededGenerator(seed: seed)
        projection = Linear(inFeatures, outFeatures, bias: true, std: 1 / Float(max(inFeatures, 1)).squareRoot(), generator: &g)
    }

    /// The Sentence-Transformers modules around the encoder already saved in `directory` (its Transformer module):
    /// `modules.json` (Transformer, Pooling, Dense, and Normalize when `normalizes`), `1_Pooling/config.json` (`pooling`
    /// at the encoder's width) and `2_Dense/` (config.json and model.safetensors with `linear.weight`, `linear.bias`).
    package func writeSentenceTransformerModules(to directory: URL, pooling: [PoolingMode], includePrompt: Bool,
                                                 normalizes: Bool) throws {
        let fm = FileManager.default
        var modules: [(path: String, type: String)] = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Dense", "Dense")]
        if normalizes { modules.append(("3_Normalize", "Normalize")) }
        let list = modules.enumerated().map { i, m -> JSONValue in
            .object(["idx": .integer(Int64(i)), "name": .string("\(i)"), "path": .string(m.path),
                     "type": .string("sentence_transformers.models." + m.type)])
        }
        try JSONValue.array(list).serializedData(options: [.prettyPrinted]).write(to: directory.appendingPathComponent("modules.json"))
        for m in modules where !m.path.isEmpty {
            try fm.createDirectory(at: directory.appendingPathComponent(m.path), withIntermediateDirectories: true)
        }
        var poolingConfig = JSONObject()
        poolingConfig["word_embedding_dimension"] = .integer(Int64(bert.config.hiddenSize))
        for (key, mode) in Self.poolingFlags { poolingConfig[key] = .bool(pooling.contains(mode)) }
        poolingConfig["include_prompt"] = .bool(includePrompt)
        try JSONValue.object(poolingConfig).serializedData(options: [.prettyPrinted])
            .write(to: directory.appendingPathComponent("1_Pooling/config.json"))
        let (out, inFeatures) = (projection.weight.shape[0], projection.weight.shape[1])
        let dense: JSONObject = ["in_features": .integer(Int64(inFeatures)), "out_features": .integer(Int64(out)),
                                 "bias": .bool(projection.bias != nil), "activation_function": .string(DenseActivation.identity.rawValue)]
        try JSONValue.object(dense).serializedData(options: [.prettyPrinted]).write(to: directory.appendingPathComponent("2_Dense/config.json"))
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add("linear.weight", floats: projection.weight.scalars, shape: projection.weight.shape)
        if let b = projection.bias { try writer.add("linear.bias", floats: b.scalars, shape: b.shape) }
        try writer.write(to: directory.appendingPathComponent("2_Dense/model.safetensors"))
    }

    /// sentence-transformers' `pooling_mode_*` flags (the form every release reads), in its concatenation order.
    static let poolingFlags: [(String, PoolingMode)] = [
        ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
        ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen), ("pooling_mode_weightedmean_tokens", .weightedMean),
        ("pooling_mode_lasttoken", .lastToken),
    ]
}
