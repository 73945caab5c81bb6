import BERTNN
import Foundation
import SafeTensors

/// Finding and opening the weights of a Hugging Face model folder.
public enum Pretrained {
    /// Tensor-name prefixes of task heads and buffers that a base `BertModel` does not use.
    public static let headKeys = ["cls.", "classifier.", "qa_outputs.", "embeddings.position_ids", "lm_head.", "pre_classifier.",
                                  "vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "predictions.", "sop_classifier."]

    /// `model.safetensors` of `directory`, opened; a clear error when absent (and when only PyTorch pickles exist),
    /// when it cannot be reached (`BERTHubError.permissionDenied`), or when it is a symlink leading outside the
    /// model folder (`BERTHubError.pathOutsideModel`, see `ModelBoundary`).
    public static func weights(in directory: URL) throws -> SafeTensorsFile {
        let url = directory.appendingPathComponent("model.safetensors")
        if try !FileProbe.exists(url.path) {
            let hasBin = FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path)
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors.index.json").path) {
                throw ModelError.missingFile("model.safetensors", in: directory.path, hint: "The folder holds a sharded checkpoint (model.safetensors.index.json and its shards), which is not supported: save it again as one file, e.g. `python -c \"from transformers import AutoModelForMaskedLM as M; M.from_pretrained('DIR').save_pretrained('DIR', max_shard_size='100GB')\"` with the model's own class.")
            }
            throw ModelError.missingFile("model.safetensors", in: directory.path, hint: hasBin
                ? "Only pytorch_model.bin is present; convert it with `python -c \"from transformers import AutoModel; AutoModel.from_pretrained('DIR').save_pretrained('DIR', safe_serialization=True)\"`."
                : "Is this a Hugging Face model folder?")
        }
        try ModelBoundary(modelDirectory: directory).check(url, referencedBy: directory.path)
        return try SafeTensorsFile(url: url)
    }

    /// `config.json` of `directory`, validated, and checked against the tensor shapes of the folder's
    /// `model.safetensors` when there is one (`check(_:against:configFile:)`), so a config that disagrees with its
    /// weights fails here, before a model is built from it. The folder's standard files must not be symlinks
    /// leading outside it (`ModelBoundary`).
    public static func config(in directory: URL) throws -> BertConfig {
        let url = directory.appendingPathComponent("config.json")
        try ModelBoundary(modelDirectory: directory).checkFiles(ModelBoundary.standardFiles, in: directory)
        guard try FileProbe.exists(url.path) else {
            throw ModelError.missingFile("config.json", in: directory.path, hint: "Is this a Hugging Face model folder?")
        }
        let config = try BertConfig(contentsOf: url)
        try config.validate(file: url.path)
        if try FileProbe.exists(directory.appendingPathComponent("model.safetensors").path) {
            try check(config, against: try weights(in: directory), configFile: url.path)
        }
        return config
    }

    /// Whether `source` holds a pooler (`pooler.dense.weight`, or ALBERT's bare `pooler.weight`, with or without
    /// the member's prefix).
    package static func hasPooler(_ source: TensorSource) -> Bool {
        let names = Set(source.tensorNames)
        let prefixes = [""] + BertConfig.ModelType.allCases.map { FamilyMember($0).baseKey + "." }
        return prefixes.contains { names.contains($0 + "pooler.dense.weight") || names.contains($0 + "pooler.weight") }
    }
}

extension BertModel {
    /// Loads a base model from a Hugging Face folder (config.json + model.safetensors); the member (BERT, RoBERTa,
    /// XLM-RoBERTa, DistilBERT, ALBERT) comes from the config, and checkpoints with task heads or the member's
    /// prefix (`bert.`, `roberta.`, `distilbert.`, `albert.`) load too (heads ignored).
    public static func fromPretrained(_ directory: URL) throws -> BertModel {
        let config = try Pretrained.config(in: directory)
        let weights = try Pretrained.weights(in: directory)
        let model = try BertModel(config: config, addPoolingLayer: Pretrained.hasPooler(weights), randomInit: false)
        try model.load(from: weights, prefixes: ["", config.family.baseKey + "."], ignoring: Pretrained.headKeys)
        return model
    }
}
