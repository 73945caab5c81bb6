import BERTModels
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// SPLADE SparseEncoder folders (MLMTransformer → SpladePooling) against sentence-transformers' `SparseEncoder.encode`
/// (Tests/Fixtures/splade/goldens.json, scripts/make_splade_goldens.py): 6.x and 5.x folder layouts, BERT and
/// DistilBERT, max / sum pooling, relu / log1p_relu, batches with padding, truncation, prompts, max_active_dims.
final class SparseEncoderTests: XCTestCase {
    lazy var golden: [String: Any] = try! JSONSerialization.jsonObject(
        with: Data(contentsOf: fixtureURL("splade/goldens.json"))) as! [String: Any]

    /// Writes the golden model's folder: config.json, generated weights, the cased vocabulary, its
    /// sentence-transformers files.
    func folder(_ name: String) throws -> (URL, [String: Any]) {
        let entry = (golden["models"] as! [String: [String: Any]])[name]!
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splade-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        for file in ["vocab.txt", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: fixtureURL("family/cased_vocab/\(file)"), to: dir.appendingPathComponent(file))
        }
        try JSONSerialization.data(withJSONObject: entry["config"]!).write(to: dir.appendingPathComponent("config.json"))
        let config = try BertConfig(contentsOf: dir.appendingPathComponent("config.json"))
        let model = try BertForMaskedLM(config: config, randomInit: false)
        XCTAssertEqual(Set(model.uniqueNamedParameters().map(\.key)), Set(entry["parameter_keys"] as! [String]))
        try model.load(from: SyntheticCheckpoint(shapesOf: model), prefixes: [""])
        try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        for (path, json) in entry["files"] as! [String: Any] {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: json).write(to: url)
        }
        return (dir, entry)
    }

    func testSparseEncodingsMatchSentenceTransformers() throws {
        var worst: Float = 0
        for name in ["bert_mlm_transformer", "bert_transformer", "distilbert_v5"] {
            let (dir, entry) = try folder(name)
            let model = try SentenceTransformer(directory: dir)
            XCTAssertNotNil(model.splade, name)
            XCTAssertEqual(model.dimension, 1013, name)
            for (c, testCase) in (entry["cases"] as! [[String: Any]]).enumerated() {
                let texts = testCase["texts"] as! [String], kwargs = testCase["kwargs"] as! [String: Any]
                let got = try model.encodeSparse(texts, batchSize: kwargs["batch_size"] as? Int ?? 32,
                                                 prompt: kwargs["prompt"] as? String,
                                                 maxActiveDimensions: kwargs["max_active_dims"] as? Int)
                let expected = (testCase["outputs"] as! [[String: Any]]).map { row in
                    SparseEmbedding(indices: row["indices"] as! [Int], values: (row["values"] as! [Double]).map(Float.init), dimension: 1013)
                }
                XCTAssertEqual(got.count, expected.count)
                for (t, (a, e)) in zip(got, expected).enumerated() {
                    let what = "\(name) case \(c) text \(t)"
                    let diff = maxAbsDifference(a.dense, e.dense)
                    worst = max(worst, diff)
                    XCTAssertLessThanOrEqual(diff, 1e-4, what)
                    if kwargs["max_active_dims"] != nil { XCTAssertEqual(a.indices, e.indices, "\(what): the top entries") }
                    XCTAssertEqual(a.indices, a.indices.sorted(), what)
                    XCTAssertFalse(a.values.contains { $0 <= 0 }, "\(what): only positive entries are kept")
                }
            }
        }
        print("SPLADE vs sentence-transformers: max |diff| = \(worst)")
    }

    /// The dense form (`encode`) is the same vector, and `dot` is the dot product of the dense vectors.
    func testDenseFormAndDotProduct() throws {
        let (dir, _) = try folder("bert_mlm_transformer")
        let model = try SentenceTransformer(directory: dir)
        let texts = ["Aspirin inhibits BRCA1.", "The p53 protein binds DNA."]
        let sparse = try model.encodeSparse(texts), dense = try model.encode(texts)
        XCTAssertEqual(sparse.map(\.dense), dense)
        let dot = zip(dense[0], dense[1]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(sparse[0].dot(sparse[1]), dot, accuracy: 1e-4 * max(1, abs(dot)))
        let normalized = try model.encode(texts, normalize: true)
        XCTAssertEqual(normalized[0].reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
    }

    /// Pipelines that are not MLMTransformer → SpladePooling are refused with a message, never run half-way.
    func testUnsupportedSparsePipelinesAreRefused() throws {
        let (dir, _) = try folder("bert_mlm_transformer")
        let modules = dir.appendingPathComponent("modules.json")
        func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }
        func assertRefused(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try SentenceTransformer(directory: dir), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(text), "\(error) lacks \(text)", file: file, line: line)
            }
        }
        let mlm = #"{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.sparse_encoder.models.MLMTransformer"}"#
        let pool = #"{"idx": 1, "name": "1", "path": "1_SpladePooling", "type": "sentence_transformers.sparse_encoder.models.SpladePooling"}"#
        try write("[\(mlm)]", to: modules)
        assertRefused("without SpladePooling", "an MLM Transformer alone")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("2_Normalize"), withIntermediateDirectories: true)
        try write(#"[\#(mlm), \#(pool), {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]"#,
                  to: modules)
        assertRefused("SpladePooling is supported only right after", "SPLADE then Normalize")
        try write(#"[\#(mlm), {"idx": 1, "name": "1", "path": "1_SpladePooling", "type": "sentence_transformers.sparse_encoder.models.SparseStaticEmbedding"}]"#,
                  to: modules)
        assertRefused("SparseStaticEmbedding", "an inference-free query encoder module")
        try write("[\(mlm), \(pool)]", to: modules)
        try write(#"{"pooling_strategy": "mean"}"#, to: dir.appendingPathComponent("1_SpladePooling/config.json"))
        assertRefused("pooling_strategy", "an unknown strategy")
        try write(#"{"activation_function": "gelu"}"#, to: dir.appendingPathComponent("1_SpladePooling/config.json"))
        assertRefused("activation_function", "an unknown activation")
        try write(#"{"word_embedding_dimension": 30522}"#, to: dir.appendingPathComponent("1_SpladePooling/config.json"))
        assertRefused("embedding_dimension 30522 is not the model's vocab_size 1013", "a width other than the vocabulary")
        try write(#"{"transformer_task": "sequence-classification"}"#, to: dir.appendingPathComponent("sentence_bert_config.json"))
        try write(#"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"}]"#, to: modules)
        assertRefused("transformer_task", "a Transformer of another task")

        let dense = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        XCTAssertNil(dense.splade)
        XCTAssertThrowsError(try dense.encodeSparse(["a"])) { XCTAssertTrue("\($0)".contains("not a SPLADE"), "\($0)") }
    }
}
