import BERTModels
import Foundation

/// Writes a small SPLADE SparseEncoder folder (5.x layout: MLMTransformer → SpladePooling max/relu, max_seq_length
/// 32, a "query: " prompt) into a new temporary directory and returns it; the caller removes it. The encoder is a
/// BERT masked LM with the cased 1,013-token vocabulary of Tests/Fixtures/family/cased_vocab and generated weights.
public func makeSpladeFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splade-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_SpladePooling"), withIntermediateDirectories: true)
    for name in ["vocab.txt", "tokenizer_config.json", "config.json"] {
        try FileManager.default.copyItem(at: fixtureURL("family/cased_vocab/\(name)"), to: dir.appendingPathComponent(name))
    }
    let model = try BertForMaskedLM(config: BertConfig(contentsOf: dir.appendingPathComponent("config.json")), randomInit: false)
    try model.load(from: SyntheticCheckpoint(shapesOf: model), prefixes: [""])
    try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
    let files = [
        "modules.json": #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.sparse_encoder.models.MLMTransformer"},"#
            + #" {"idx": 1, "name": "1", "path": "1_SpladePooling", "type": "sentence_transformers.sparse_encoder.models.SpladePooling"}]"#,
        "1_SpladePooling/config.json": #"{"pooling_strategy": "max", "activation_function": "relu"}"#,
        "sentence_bert_config.json": #"{"max_seq_length": 32}"#,
        "config_sentence_transformers.json": #"{"model_type": "SparseEncoder", "prompts": {"query": "query: "}}"#,
    ]
    for (path, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(path)) }
    return dir
}
