import BERT
import Foundation
import TestSupport
import XCTest

/// The `bert` commands on every family member with its own tokenizer: RoBERTa (byte-level BPE), XLM-R and ALBERT
/// (SentencePiece) and DistilBERT (WordPiece) folders as `FamilyEndToEndTests` writes them, run through the built
/// binary — `fill-mask`, `classify` (texts and pairs), `ner` (every aggregation), `qa` (long contexts, strides),
/// `rerank`, `embed`, `similarity`, `search --corpus` and `bert-dev forward` — print transformers' / sentence-transformers' answers
/// (`Tests/Fixtures/family/end_to_end*.json`, scripts/make_family_e2e_goldens.py): strings and integers identical,
/// numbers within 1e-4.
final class FamilyCommandTests: XCTestCase {
    static let members = ["roberta", "xlm-roberta", "albert", "distilbert"]
    var root: URL!

    override func setUpWithError() throws {
        root = CLIModels.root.appendingPathComponent("family-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
    }

    func golden(_ name: String) throws -> JSONValue { try JSONValue.parse(Data(contentsOf: fixtureURL("family/\(name)"))) }

    /// A Hugging Face folder for `member`: the golden's config.json, the member's own tokenizer files, and the
    /// key-seeded weights with the head keys ×20, as the golden script writes them.
    func folder(_ member: String, _ task: String, _ entry: JSONValue, _ makeModel: (BertConfig) throws -> Module) throws -> String {
        let dir = root.appendingPathComponent("\(member)-\(task)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source: URL = switch member {
        case "roberta": fixtureURL("tokenizers/bpe/roberta")
        case "xlm-roberta": fixtureURL("tokenizers/sentencepiece/xlmr")
        case "albert": fixtureURL("tokenizers/sentencepiece/albert")
        default: try CLIModels.minilm()
        }
        for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt",
                     "spiece.model", "sentencepiece.bpe.model"]
        where FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try entry["config"]!.serializedData().write(to: dir.appendingPathComponent("config.json"))
        let model = try makeModel(try BertConfig(contentsOf: dir.appendingPathComponent("config.json")))
        try model.load(from: HeadScaledCheckpoint(base: SyntheticCheckpoint(shapesOf: model)), prefixes: [""])
        try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        return dir.path
    }

    /// Writes `records` as JSON Lines and returns the path.
    func jsonl(_ records: [JSONValue]) throws -> String {
        let url = root.appendingPathComponent("input-\(UUID().uuidString).jsonl")
        try Data(records.map { String(decoding: try $0.serialized(), as: UTF8.self) + "\n" }.joined().utf8).write(to: url)
        return url.path
    }

    /// The command's JSON lines (it must succeed).
    func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [JSONValue] {
        let result = try CLI.run(arguments)
        XCTAssertEqual(result.status, 0, "bert \(arguments.prefix(3).joined(separator: " ")) …: \(result.stderr)", file: file, line: line)
        return try result.jsonLines()
    }

    func testPipelineCommandsGiveTransformersAnswersOnEveryMember() throws {
        let e2e = try golden("end_to_end.json"), qaGolden = try golden("end_to_end_qa.json")
        let diff = MaxDiff()
        for member in Self.members {
            let entry = e2e[member]!

            let fill = entry["fill_mask"]!, fillCases = fill["cases"]!.arrayValue!
            let mlm = try folder(member, "mlm", fill) { try BertForMaskedLM(config: $0, randomInit: false) }
            let filled = try run(["fill-mask", "--model", mlm, "--input", jsonl(fillCases.map { ["text": $0["inputs"]!] })])
            assertSame(.array(filled), .array(fillCases.map { $0["output"]! }), "\(member) fill-mask", diff)

            let cls = entry["text_classification"]!, clsCases = cls["cases"]!.arrayValue!
            let classifier = try folder(member, "cls", cls) { try BertForSequenceClassification(config: $0, randomInit: false) }
            let records: [JSONValue] = clsCases.map { $0["inputs"]!.stringValue.map { ["text": .string($0)] } ?? $0["inputs"]! }
            let classified = try run(["classify", "--model", classifier, "--top-k", "all", "--input", jsonl(records)])
            assertSame(.array(classified), .array(clsCases.map { $0["output"]! }), "\(member) classify", diff)

            let ner = entry["ner"]!
            let tagger = try folder(member, "ner", ner) { try BertForTokenClassification(config: $0, randomInit: false) }
            for c in ner["cases"]!.arrayValue! {
                let strategy = c["strategy"]!.stringValue!
                let tagged = try run(["ner", "--model", tagger, "--aggregation-strategy", strategy, c["inputs"]!.stringValue!])
                assertSame(.array(tagged), .array([c["output"]!]), "\(member) ner \(strategy)", diff)
            }

            let qaEntry = qaGolden[member]!
            let reader = try folder(member, "qa", qaEntry) { try BertForQuestionAnswering(config: $0, randomInit: false) }
            for (i, c) in qaEntry["cases"]!.arrayValue!.enumerated() {
                let kw = c["kwargs"]!
                var arguments = ["qa", "--model", reader, "--question", c["inputs"]!["question"]!.stringValue!,
                                 "--context", c["inputs"]!["context"]!.stringValue!]
                for (key, option) in [("top_k", "--top-k"), ("max_seq_len", "--max-seq-len"), ("doc_stride", "--doc-stride"),
                                      ("max_answer_len", "--max-answer-len")] {
                    if let value = kw[key]?.intValue { arguments += [option, String(value)] }
                }
                if kw["handle_impossible_answer"]?.boolValue == true { arguments.append("--handle-impossible-answer") }
                let answered = try run(arguments)
                assertSame(.array(answered), .array([c["output"]!]), "\(member) qa case \(i)", diff)
            }

            let rerank = entry["rerank"]!
            let crossEncoder = try folder(member, "rerank", rerank) { try BertForSequenceClassification(config: $0, randomInit: false) }
            let documents = rerank["documents"]!.arrayValue!.compactMap(\.stringValue)
            let ranked = try run(["rerank", "--model", crossEncoder, "--query", rerank["query"]!.stringValue!] + documents)
            assertSame(.array(ranked), .array([rerank["rank"]!]), "\(member) rerank", diff)
            let raw = try run(["rerank", "--model", crossEncoder, "--raw-scores", "--query", rerank["query"]!.stringValue!] + documents)
            for document in raw.first?.arrayValue ?? [] {
                let index = document["index"]!.intValue!
                check(document["score"]!.doubleValue!, rerank["raw"]![index]!.doubleValue!, "\(member) raw rerank \(index)", diff)
            }
            XCTAssertEqual(raw.first?.arrayValue?.count, documents.count, "\(member) raw rerank")

            let st = entry["sentence_transformer"]!
            let encoder = try folder(member, "st", st) { try BertModel(config: $0, randomInit: false) }
            for file in st["files"]!.objectValue! {
                let url = URL(fileURLWithPath: encoder).appendingPathComponent(file.key)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.value.serializedData().write(to: url)
            }
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: encoder).appendingPathComponent("2_Normalize"),
                                                    withIntermediateDirectories: true)
            let texts = st["texts"]!.arrayValue!.compactMap(\.stringValue)
            let expected = st["embeddings"]!.arrayValue!.map { $0.arrayValue!.map { $0.doubleValue! } }
            let embedded = try run(["embed", "--model", encoder] + texts)
            assertSame(.array(embedded.map { $0["embedding"]! }), .array(expected.map { .array($0.map { .number($0) }) }),
                       "\(member) embed", diff)
            // `bert-dev forward` on the same folder: its last hidden state, mean-pooled over the mask and normalised,
            // is sentence-transformers' embedding.
            var tokenizer = try Tokenizer(directory: URL(fileURLWithPath: encoder))
            tokenizer.padding = nil  // all-MiniLM-L6-v2's tokenizer.json pads; forward pads the rows itself
            let forwardInput = try jsonl(texts.map { ["input_ids": .array(try tokenizer.encode($0).ids.map { .integer(Int64($0)) })] })
            let forwardOutput = root.appendingPathComponent("\(member)-forward.safetensors")
            let forward = try CLI.run(["forward", "--model", encoder, "--input", forwardInput, "--output", forwardOutput.path],
                                      executable: CLI.bertDev)
            XCTAssertEqual(forward.status, 0, "\(member) bert-dev forward: \(forward.stderr)")
            let states = try SafeTensorsFile(url: forwardOutput)
            let hidden = try states.floats("last_hidden_state"), mask = try states.int64s("attention_mask")
            let length = mask.count / texts.count, width = hidden.count / mask.count
            for (row, vector) in expected.enumerated() {
                var pooled = [Double](repeating: 0, count: width)
                let real = (0..<length).filter { mask[row * length + $0] == 1 }
                for t in real { for d in 0..<width { pooled[d] += Double(hidden[(row * length + t) * width + d]) / Double(real.count) } }
                let norm = pooled.map { $0 * $0 }.reduce(0, +).squareRoot()
                assertSame(.array(pooled.map { .number($0 / norm) }), .array(vector.map { .number($0) }), "\(member) forward row \(row)", diff)
            }
            // Normalised embeddings: similarity and search scores are the golden vectors' dot products.
            func dot(_ a: Int, _ b: Int) -> Double { zip(expected[a], expected[b]).map(*).reduce(0, +) }
            let similarity = try run(["similarity", "--model", encoder] + texts).first?["similarity"]?.arrayValue ?? []
            XCTAssertEqual(similarity.count, texts.count, "\(member) similarity")
            for (a, row) in similarity.enumerated() {
                for (b, value) in (row.arrayValue ?? []).enumerated() { check(value.doubleValue!, dot(a, b), "\(member) similarity \(a),\(b)", diff) }
            }
            let corpus = root.appendingPathComponent("\(member)-corpus.txt")
            try texts.dropFirst().joined(separator: "\n").write(to: corpus, atomically: true, encoding: .utf8)
            let found = try run(["search", "--model", encoder, "--corpus", corpus.path, "--top-k", "3", texts[0]])
            let results = found.first?["results"]?.arrayValue ?? []
            let order = (1..<texts.count).sorted { dot(0, $0) > dot(0, $1) }.prefix(3)
            XCTAssertEqual(results.compactMap { $0["corpus_id"]?.intValue.map { $0 + 1 } }, Array(order), "\(member) search order")
            for r in results {
                let id = r["corpus_id"]!.intValue! + 1
                check(r["score"]!.doubleValue!, dot(0, id), "\(member) search score \(id)", diff)
            }
        }
        print("family commands: max |diff| vs transformers / sentence-transformers = \(diff.value)")
    }

    /// `actual` has `expected`'s shape: the same keys, arrays of the same length, equal strings, integers and
    /// booleans, numbers within 1e-4.
    func assertSame(_ actual: JSONValue, _ expected: JSONValue, _ what: String, _ diff: MaxDiff,
                    file: StaticString = #filePath, line: UInt = #line) {
        switch (actual, expected) {
        case let (.object(a), .object(e)):
            XCTAssertEqual(Set(a.keys), Set(e.keys), "\(what): keys", file: file, line: line)
            for key in e.keys { if let x = a[key], let y = e[key] { assertSame(x, y, "\(what).\(key)", diff, file: file, line: line) } }
        case let (.array(a), .array(e)):
            XCTAssertEqual(a.count, e.count, "\(what): count", file: file, line: line)
            for (i, (x, y)) in zip(a, e).enumerated() { assertSame(x, y, "\(what)[\(i)]", diff, file: file, line: line) }
        case let (.string(a), .string(e)):
            XCTAssertEqual(a, e, what, file: file, line: line)
        case (.integer, .integer), (.bool, .bool), (.null, .null):
            XCTAssertEqual(actual, expected, what, file: file, line: line)
        default:
            guard let a = actual.doubleValue, let e = expected.doubleValue else {
                return XCTFail("\(what): \(actual.kind) where the reference has \(expected.kind)", file: file, line: line)
            }
            check(a, e, what, diff, file: file, line: line)
        }
    }

    func check(_ actual: Double, _ expected: Double, _ what: String, _ diff: MaxDiff, file: StaticString = #filePath, line: UInt = #line) {
        diff.value = max(diff.value, abs(actual - expected))
        XCTAssertLessThanOrEqual(abs(actual - expected), 1e-4, "\(what): \(actual), reference \(expected)", file: file, line: line)
    }
}

/// The key-seeded generator's weights with the family's head keys ×20, as scripts/make_family_e2e_goldens.py
/// writes them (the same rule as `FamilyHeadScaledSource` in BERTTasksTests).
private struct HeadScaledCheckpoint: TensorSource {
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

/// The largest difference seen, for the printed figure.
final class MaxDiff {
    var value = 0.0
}
