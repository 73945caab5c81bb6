import BERTJSON
import BERTModels
import BERTNN
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// The family end to end with their own tokenizers: RoBERTa (byte-level BPE), XLM-R (SentencePiece BPE model),
/// ALBERT (SentencePiece Unigram) and DistilBERT (WordPiece) folders — config.json as transformers saved it, the
/// tokenizer fixture files, generated weights — loaded by each pipeline's `init(directory:)` and compared with
/// transformers' pipelines and sentence-transformers' CrossEncoder (`Tests/Fixtures/family/end_to_end*.json`,
/// scripts/make_family_e2e_goldens.py): token ids, labels, tokens, words and spans identical, scores within 1e-4.
final class FamilyEndToEndTests: XCTestCase {
    static let members = ["roberta", "xlm-roberta", "albert", "distilbert"]
    static let golden = Result { try JSONValue.parse(Data(contentsOf: fixtureURL("family/end_to_end.json"))) }
    static let qaGolden = Result { try JSONValue.parse(Data(contentsOf: fixtureURL("family/end_to_end_qa.json"))) }

    /// The tokenizer files each member's folder gets (DistilBERT's are bert-base-uncased's, i.e. MiniLM's).
    func tokenizerFolder(_ member: String) throws -> URL {
        switch member {
        case "roberta": return fixtureURL("tokenizers/bpe/roberta")
        case "xlm-roberta": return fixtureURL("tokenizers/sentencepiece/xlmr")
        case "albert": return fixtureURL("tokenizers/sentencepiece/albert")
        default: return try modelURL("all-MiniLM-L6-v2")
        }
    }

    /// A Hugging Face folder: the golden's config.json, the member's tokenizer files, and `model`'s generated weights
    /// (head keys ×20, as the script scales them) saved as model.safetensors.
    func folder(_ member: String, _ entry: JSONValue, _ makeModel: (BertConfig) throws -> Module) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("family-e2e-\(member)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let source = try tokenizerFolder(member)
        let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                              "vocab.json", "merges.txt", "spiece.model", "sentencepiece.bpe.model"]
        for name in tokenizerFiles where FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try entry["config"]!.serializedData().write(to: dir.appendingPathComponent("config.json"))
        let config = try BertConfig(contentsOf: dir.appendingPathComponent("config.json"))
        let model = try makeModel(config)
        let keys = Set((entry["parameter_keys"]?.arrayValue ?? []).compactMap(\.stringValue))
        XCTAssertEqual(Set(model.uniqueNamedParameters().map(\.key)), keys, "\(member): saved keys differ from transformers'")
        try model.load(from: FamilyHeadScaledSource(base: SyntheticCheckpoint(shapesOf: model)), prefixes: [""])
        try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    func testFillMaskMatchesTransformersWithEachMembersTokenizer() throws {
        let golden = try Self.golden.get()
        let diff = MaxDiff()
        for member in Self.members {
            let entry = golden[member]!["fill_mask"]!
            let pipe = try FillMaskPipeline(directory: folder(member, entry) { try BertForMaskedLM(config: $0, randomInit: false) })
            for c in entry["cases"]!.arrayValue! {
                let text = c["inputs"]!.stringValue!
                XCTAssertEqual(try pipe.tokenizer.encode(text).ids, c["ids"]!.arrayValue!.compactMap(\.intValue), "\(member) ids: \(text)")
                let out = try pipe([text], topK: 5)[0]
                // One mask: transformers returns the list itself; several: a list per mask.
                let output = c["output"]!.arrayValue!
                let perMask = output.first?.arrayValue != nil ? output.map { $0.arrayValue! } : [output]
                XCTAssertEqual(out.count, perMask.count, "\(member) \(text): masks")
                for (a, e) in zip(out, perMask) {
                    XCTAssertEqual(a.map(\.token), e.map { $0["token"]!.intValue! }, "\(member) \(text)")
                    XCTAssertEqual(a.map(\.tokenStr), e.map { $0["token_str"]!.stringValue! }, "\(member) \(text)")
                    XCTAssertEqual(a.map(\.sequence), e.map { $0["sequence"]!.stringValue! }, "\(member) \(text)")
                    for (x, y) in zip(a, e) { check(x.score, y["score"], "\(member) \(text)", diff) }
                }
            }
        }
        print("family end to end, fill-mask: max |score diff| vs transformers = \(diff.value)")
    }

    func testTextClassificationMatchesTransformersOnTextsAndPairs() throws {
        let golden = try Self.golden.get()
        let diff = MaxDiff()
        for member in Self.members {
            let entry = golden[member]!["text_classification"]!
            let pipe = try TextClassificationPipeline(directory: folder(member, entry) { try BertForSequenceClassification(config: $0, randomInit: false) })
            for c in entry["cases"]!.arrayValue! {
                let input = c["inputs"]!.stringValue.map { TextClassificationInput(text: $0) }
                    ?? TextClassificationInput(text: c["inputs"]!["text"]!.stringValue!, textPair: c["inputs"]!["text_pair"]!.stringValue)
                let out = try pipe([input], topK: nil)[0]
                let expected = c["output"]!.arrayValue!
                XCTAssertEqual(out.map(\.label), expected.map { $0["label"]!.stringValue! }, "\(member) \(input)")
                for (a, e) in zip(out, expected) { check(a.score, e["score"], "\(member) \(input)", diff) }
            }
        }
        print("family end to end, text-classification: max |score diff| vs transformers = \(diff.value)")
    }

    func testTokenClassificationMatchesTransformersForEveryAggregation() throws {
        let golden = try Self.golden.get()
        let diff = MaxDiff()
        var entities = 0
        for member in Self.members {
            let entry = golden[member]!["ner"]!
            let pipe = try TokenClassificationPipeline(directory: folder(member, entry) { try BertForTokenClassification(config: $0, randomInit: false) })
            for c in entry["cases"]!.arrayValue! {
                let strategy = try XCTUnwrap(AggregationStrategy(rawValue: c["strategy"]!.stringValue!))
                let out = try pipe([c["inputs"]!.stringValue!], aggregationStrategy: strategy)[0]
                let expected = c["output"]!.arrayValue!
                let what = "\(member) NER \(strategy)"
                XCTAssertEqual(out.count, expected.count, "\(what): entity count")
                for (k, (x, y)) in zip(out, expected).enumerated() {
                    XCTAssertEqual(x.entity, y["entity"]?.stringValue, "\(what) #\(k)")
                    XCTAssertEqual(x.entityGroup, y["entity_group"]?.stringValue, "\(what) #\(k)")
                    XCTAssertEqual(x.word, y["word"]!.stringValue!, "\(what) #\(k)")
                    XCTAssertEqual([x.start, x.end], [y["start"]!.intValue!, y["end"]!.intValue!], "\(what) #\(k)")
                    XCTAssertEqual(x.index, y["index"]?.intValue, "\(what) #\(k)")
                    check(x.score, y["score"], "\(what) #\(k)", diff)
                }
                entities += expected.count
            }
        }
        print("family end to end, token-classification: \(entities) entities, max |score diff| vs transformers = \(diff.value)")
    }

    /// transformers 4.57's question-answering pipeline (5.x has none), with short and long contexts and strides.
    func testQuestionAnsweringMatchesTransformers4WithStride() throws {
        let golden = try Self.qaGolden.get()
        let diff = MaxDiff()
        for member in Self.members {
            let entry = golden[member]!
            let pipe = try QuestionAnsweringPipeline(directory: folder(member, entry) { try BertForQuestionAnswering(config: $0, randomInit: false) })
            for (i, c) in entry["cases"]!.arrayValue!.enumerated() {
                let kw = c["kwargs"]!
                var options = QuestionAnsweringOptions()
                options.topK = kw["top_k"]?.intValue ?? 1
                options.maxSeqLen = kw["max_seq_len"]?.intValue
                options.docStride = kw["doc_stride"]?.intValue
                options.maxAnswerLen = kw["max_answer_len"]?.intValue ?? 15
                options.handleImpossibleAnswer = kw["handle_impossible_answer"]?.boolValue ?? false
                let input = QuestionAnsweringInput(question: c["inputs"]!["question"]!.stringValue!, context: c["inputs"]!["context"]!.stringValue!)
                let what = "\(member) QA case \(i)"
                XCTAssertEqual(try pipe.windows(input, options: options).count, c["windows"]!.intValue!, "\(what): windows")
                let out = try pipe([input], options: options)[0]
                let expected = c["output"]!.arrayValue ?? [c["output"]!]
                XCTAssertEqual(out.map(\.answer), expected.map { $0["answer"]!.stringValue! }, what)
                XCTAssertEqual(out.map(\.start), expected.map { $0["start"]!.intValue! }, what)
                XCTAssertEqual(out.map(\.end), expected.map { $0["end"]!.intValue! }, what)
                for (x, y) in zip(out, expected) { check(x.score, y["score"], what, diff) }
            }
        }
        print("family end to end, question-answering: max |score diff| vs transformers 4.57 = \(diff.value)")
    }

    /// A one-label classifier used as a cross-encoder: `RerankPipeline`'s scores and order are
    /// sentence-transformers' `CrossEncoder.predict` (sigmoid) and `rank`; raw scores are the logits.
    func testRerankMatchesSentenceTransformersCrossEncoder() throws {
        let golden = try Self.golden.get()
        let diff = MaxDiff()
        for member in Self.members {
            let entry = golden[member]!["rerank"]!
            let rerank = try RerankPipeline(directory: folder(member, entry) { try BertForSequenceClassification(config: $0, randomInit: false) })
            let query = entry["query"]!.stringValue!, documents = entry["documents"]!.arrayValue!.compactMap(\.stringValue)
            let ranked = try rerank(query: query, documents: documents)
            let expected = entry["rank"]!.arrayValue!
            XCTAssertEqual(ranked.map(\.index), expected.map { $0["index"]!.intValue! }, "\(member) rank order")
            for (a, e) in zip(ranked, expected) { check(a.score, e["score"], "\(member) rank", diff) }
            let predicted = entry["predict"]!.arrayValue!, raw = entry["raw"]!.arrayValue!
            for document in try rerank(query: query, documents: documents, rawScores: true) {
                check(document.score, raw[document.index], "\(member) raw score \(document.index)", diff)
                check(1 / (1 + exp(-document.score)), predicted[document.index], "\(member) predict \(document.index)", diff)
            }
        }
        print("family end to end, rerank: max |score diff| vs CrossEncoder = \(diff.value)")
    }

    /// A sentence-transformers folder on each member's base model (mean pooling, Normalize — all-distilroberta-v1 and
    /// paraphrase-albert-small-v2's layout): `SentenceTransformer.encode` equals sentence-transformers' within 1e-5.
    func testSentenceTransformerFoldersMatchSentenceTransformers() throws {
        let golden = try Self.golden.get()
        var worst: Float = 0
        for member in Self.members {
            let entry = golden[member]!["sentence_transformer"]!
            let dir = try folder(member, entry) { try BertModel(config: $0, randomInit: false) }
            for file in entry["files"]!.objectValue! {
                let url = dir.appendingPathComponent(file.key)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.value.serializedData().write(to: url)
            }
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("2_Normalize"), withIntermediateDirectories: true)
            let got = try SentenceTransformer(directory: dir).encode(entry["texts"]!.arrayValue!.compactMap(\.stringValue))
            let expected = entry["embeddings"]!.arrayValue!.map { $0.arrayValue!.map { Float($0.doubleValue!) } }
            XCTAssertEqual(got.count, expected.count, member)
            for (a, e) in zip(got, expected) {
                assertClose(a, e, atol: 1e-5, rtol: 0, "\(member) sentence embedding")
                worst = max(worst, maxAbsDifference(a, e))
            }
        }
        print("family end to end, sentence-transformers folders: max |diff| = \(worst)")
    }

    /// |ours − reference| ≤ 1e-4, recorded in `diff`.
    func check(_ actual: Double, _ expected: JSONValue?, _ what: @autoclosure () -> String, _ diff: MaxDiff,
               file: StaticString = #filePath, line: UInt = #line) {
        let e = expected?.doubleValue ?? .nan
        diff.value = max(diff.value, abs(actual - e))
        XCTAssertLessThanOrEqual(abs(actual - e), 1e-4, "\(what()): score \(actual), reference \(e)", file: file, line: line)
    }
}

/// The key-seeded generator's weights with the family's head keys ×20 in float32, as
/// scripts/make_family_e2e_goldens.py writes them.
struct FamilyHeadScaledSource: TensorSource {
    static let scaledKeys: Set<String> = ["lm_head.layer_norm.weight", "vocab_layer_norm.weight", "predictions.LayerNorm.weight"]
    let base: SyntheticCheckpoint
    var tensorNames: [String] { base.tensorNames }
    var sourceDescription: String { "family head-scaled synthetic checkpoint" }
    func shape(of name: String) throws -> [Int] { try base.shape(of: name) }
    func floats(_ name: String) throws -> [Float] {
        let scaled = name.hasPrefix("classifier.") || name.hasPrefix("qa_outputs.") || Self.scaledKeys.contains(name)
        return try scaled ? base.floats(name).map { $0 * 20 } : base.floats(name)
    }
}
