import BERTModels
import BERTNN
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// The pipelines on DistilBERT and ALBERT checkpoints, and a BERT with a cased 1,013-token vocabulary, against
/// transformers' pipelines (`Tests/Fixtures/family/pipelines.json`, scripts/make_family_pipeline_goldens.py).
final class FamilyPipelineTests: XCTestCase {
    lazy var golden: [String: Any] = try! JSONSerialization.jsonObject(
        with: Data(contentsOf: fixtureURL("family/pipelines.json"))) as! [String: Any]

    /// The golden script's small configs.
    func config(_ type: BertConfig.ModelType, labels: [String] = []) -> BertConfig {
        var c = BertConfig(modelType: type)
        (c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize) = (30522, 64, 2, 4, 128)
        c.maxPositionEmbeddings = 512
        if type == .albert { (c.embeddingSize, c.numHiddenGroups) = (32, 1) }
        c.id2label = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0, $1) })
        c.label2id = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return c
    }

    /// Generated weights, head keys ×20 as the script scales them; the keys must be those transformers saves.
    func fill(_ model: Module, _ entry: [String: Any]) throws {
        XCTAssertEqual(Set(model.uniqueNamedParameters().map(\.key)), Set(entry["parameter_keys"] as! [String]))
        let base = SyntheticCheckpoint(shapesOf: model)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for name in base.tensorNames {
            let scale: Float = name.hasPrefix("classifier.") || name == "vocab_layer_norm.weight" || name == "predictions.LayerNorm.weight" ? 20 : 1
            tensors[name] = (try base.shape(of: name), try base.floats(name).map { $0 * scale })
        }
        try model.load(from: DictionaryTensorSource(tensors, description: "scaled synthetic"), prefixes: [""])
    }

    func compareFill(_ pipe: FillMaskPipeline, _ entry: [String: Any], _ what: String) throws {
        let diff = MaxDiff()
        for c in entry["cases"] as! [[String: Any]] {
            let text = c["inputs"] as! String
            let out = try pipe([text], topK: 5)[0]
            let lists: [[[String: Any]]] = (c["output"] as? [[String: Any]]).map { [$0] } ?? (c["output"] as! [[[String: Any]]])
            XCTAssertEqual(out.count, lists.count, "\(what) \(text): masks")
            for (a, e) in zip(out, lists) {
                XCTAssertEqual(a.map(\.token), e.map { $0["token"] as! Int }, "\(what) \(text)")
                XCTAssertEqual(a.map(\.tokenStr), e.map { $0["token_str"] as! String }, "\(what) \(text)")
                XCTAssertEqual(a.map(\.sequence), e.map { $0["sequence"] as! String }, "\(what) \(text)")
                for (x, y) in zip(a, e) { assertScore(x.score, y["score"], "\(what) \(text)"); diff.see(x.score, y["score"]) }
            }
        }
        print("\(what) fill-mask: max |score diff| vs transformers = \(diff.value)")
    }

    func testFillMaskClassificationAndNERMatchTransformersOnDistilBertAndAlbert() throws {
        let tokenizer = try PipelineGolden.tokenizer()
        for type in [BertConfig.ModelType.distilbert, .albert] {
            let member = golden[type.rawValue] as! [String: Any]
            let fillEntry = member["fill_mask"] as! [String: Any]
            let mlm = try BertForMaskedLM(config: config(type), randomInit: false)
            try fill(mlm, fillEntry)
            try compareFill(FillMaskPipeline(model: mlm, tokenizer: tokenizer, config: config(type)), fillEntry, type.rawValue)

            // NLI pairs: DistilBERT's tokenizer hands the model no token types, so the pipeline must not either.
            let nli = member["text_classification"] as! [String: Any]
            let nliConfig = config(type, labels: ["entailment", "neutral", "contradiction"])
            let classifier = try BertForSequenceClassification(config: nliConfig, randomInit: false)
            try fill(classifier, nli)
            let classify = TextClassificationPipeline(model: classifier, tokenizer: tokenizer, config: nliConfig)
            for c in nli["cases"] as! [[String: Any]] {
                let pair = c["inputs"] as! [String: String]
                let out = try classify([TextClassificationInput(text: pair["text"]!, textPair: pair["text_pair"])], topK: nil)[0]
                let expected = c["output"] as! [[String: Any]]
                XCTAssertEqual(out.map(\.label), expected.map { $0["label"] as! String }, "\(type) NLI")
                for (a, e) in zip(out, expected) { assertScore(a.score, e["score"], "\(type) NLI") }
            }

            let ner = member["ner"] as! [String: Any]
            let nerConfig = config(type, labels: ner["id2label"] as! [String])
            let tagger = try BertForTokenClassification(config: nerConfig, randomInit: false)
            try fill(tagger, ner)
            let tag = TokenClassificationPipeline(model: tagger, tokenizer: tokenizer, config: nerConfig)
            for c in ner["cases"] as! [[String: Any]] {
                let strategy = AggregationStrategy(rawValue: c["strategy"] as! String)!
                let out = try tag([c["inputs"] as! String], aggregationStrategy: strategy)[0]
                let expected = c["output"] as! [[String: Any]]
                let what = "\(type) NER \(strategy)"
                XCTAssertEqual(out.count, expected.count, "\(what): entity count")
                for (x, y) in zip(out, expected) {
                    XCTAssertEqual(x.entity, y["entity"] as? String, what)
                    XCTAssertEqual(x.entityGroup, y["entity_group"] as? String, what)
                    XCTAssertEqual(x.word, y["word"] as? String, what)
                    XCTAssertEqual([x.start, x.end], [y["start"] as? Int, y["end"] as? Int], what)
                    assertScore(x.score, y["score"], what)
                }
            }
        }
    }

    /// BioBERT/SciBERT-like: a cased vocabulary of an unusual size loads from vocab.txt + tokenizer_config.json and a
    /// model folder, keeps case (`Aspirin` and `aspirin` are different ids) and fills masks as transformers does.
    func testCasedVocabularyOfUnusualSizeRunsEndToEnd() throws {
        let entry = golden["cased"] as! [String: Any]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cased-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixtureURL("family/cased_vocab"), to: dir)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let config = try BertConfig(contentsOf: dir.appendingPathComponent("config.json"))
        XCTAssertEqual(config.vocabSize, 1013)
        let model = try BertForMaskedLM(config: config, randomInit: false)
        try fill(model, entry)
        try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        let pipe = try FillMaskPipeline(directory: dir)
        for (text, ids) in entry["ids"] as! [String: [Int]] {
            XCTAssertEqual(try pipe.tokenizer.encode(text).ids, ids, text)
        }
        XCTAssertNotEqual(pipe.tokenizer.tokenToId("Aspirin"), pipe.tokenizer.tokenToId("aspirin"))
        try compareFill(pipe, entry, "cased vocabulary")
    }

    /// A sentence-transformers folder on DistilBERT (`embed`'s road): its embeddings equal sentence-transformers'.
    func testDistilBertSentenceTransformerMatchesSentenceTransformers() throws {
        let entry = golden["sentence_transformer"] as! [String: Any]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-distilbert-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixtureURL("family/st_distilbert"), to: dir)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("2_Normalize"), withIntermediateDirectories: true)
        for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: modelURL("all-MiniLM-L6-v2").appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let config = try BertConfig(contentsOf: dir.appendingPathComponent("config.json"))
        XCTAssertEqual(config.modelType, .distilbert)
        let base = try BertModel(config: config, randomInit: false)
        try fill(base, entry)
        try base.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        let model = try SentenceTransformer(directory: dir)
        let got = try model.encode(entry["texts"] as! [String])
        let expected = (entry["embeddings"] as! [[Double]]).map { $0.map(Float.init) }
        XCTAssertEqual(got.count, expected.count)
        for (a, e) in zip(got, expected) { assertClose(a, e, atol: 1e-5, rtol: 0, "DistilBERT sentence embedding") }
        print("DistilBERT sentence-transformers: max |diff| = \(zip(got, expected).map { maxAbsDifference($0, $1) }.max() ?? 0)")
    }
}
