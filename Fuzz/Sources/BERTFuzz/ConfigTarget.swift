// Model configuration files: the input as config.json (BertConfig, all model types; a valid config written and
// read again is equal), as a Pooling or Dense module's config.json, as sentence_bert_config.json, and as
// modules.json; then the input in each module file of a fixed Sentence-Transformers layout.
//
// Only reading is fuzzed: building a model from an absurd but valid config (vocab_size 10^12) allocates it, which
// the `limits` branch bounds in validate(); this target never builds a model.
import BERT
import Foundation

private let fixedModules = #"""
[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
 {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
 {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]
"""#

func fuzzConfig(_ input: UnsafeRawBufferPointer) {
    let data = Data(input)
    if let config = try? BertConfig(jsonData: data) {
        _ = config.headSize
        _ = config.numLabels
        do {
            let again = try BertConfig(jsonData: try config.jsonData())
            check(again == config, "config.json write then read changed the config")
        } catch {
            check(false, "a config that was read cannot be written and read again: \(error)")
        }
    }

    // The input as every file of one folder, modules.json included.
    writeScratch(input, "a/config.json")
    writeScratch(input, "a/sentence_bert_config.json")
    writeScratch(input, "a/modules.json")
    let folder = scratch.appendingPathComponent("a")
    _ = try? PoolingConfig(contentsOf: folder.appendingPathComponent("config.json"))
    _ = try? DenseConfig(contentsOf: folder.appendingPathComponent("config.json"))
    describe(try? SentenceTransformerLayout(directory: folder))

    // A well-formed modules.json whose module configs are all the input.
    writeScratch(fixedModules, "b/modules.json")
    writeScratch(input, "b/sentence_bert_config.json")
    writeScratch(input, "b/1_Pooling/config.json")
    writeScratch(input, "b/2_Dense/config.json")
    describe(try? SentenceTransformerLayout(directory: scratch.appendingPathComponent("b")))
}

private func describe(_ layout: SentenceTransformerLayout?) {
    guard let layout else { return }
    _ = layout.transformer
    _ = layout.transformerDirectory
    _ = layout.pooling
    _ = layout.denseLayers.count
    _ = layout.normalizes
    _ = layout.embeddingDimension
}
