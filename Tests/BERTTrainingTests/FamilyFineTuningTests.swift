import BERTModels
import BERTTasks
import BERTTokenizers
import BERTTraining
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// Fine-tuning and evaluation per family member with its own tokenizer (RoBERTa: byte-level BPE vocab.json +
/// merges.txt; XLM-R and ALBERT: SentencePiece `.model` files; DistilBERT: WordPiece): classification on pairs, NER
/// and QA train, evaluate, and write folders whose config names the member's class, whose keys carry its prefix,
/// and which hold the tokenizer files, so the pipelines load them and tokenize as the source folder did.
/// (That transformers loads such folders with equal logits: scripts/family_finetune_check.py.)
final class FamilyFineTuningTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("family-finetune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    struct Member {
        let type: BertConfig.ModelType
        let className: String
        let tokenizer: URL
    }

    func members() throws -> [Member] {
        [Member(type: .roberta, className: "Roberta", tokenizer: fixtureURL("tokenizers/bpe/roberta_lstrip")),
         Member(type: .xlmRoberta, className: "XLMRoberta", tokenizer: fixtureURL("tokenizers/sentencepiece/xlmr")),
         Member(type: .albert, className: "Albert", tokenizer: fixtureURL("tokenizers/sentencepiece/albert")),
         Member(type: .distilbert, className: "DistilBert", tokenizer: try modelURL("all-MiniLM-L6-v2"))]
    }

    /// A random 2-layer, 32-wide base model of `member` with the member's tokenizer files (and nothing else).
    func baseFolder(_ member: Member) throws -> URL {
        let dir = root.appendingPathComponent("base-\(member.className)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: member.tokenizer.path)
        where ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt",
               "spiece.model", "sentencepiece.bpe.model"].contains(name) {
            try FileManager.default.copyItem(at: member.tokenizer.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let tokenizer = try Tokenizer(directory: dir)
        var c = BertConfig(modelType: member.type)
        c.vocabSize = tokenizer.vocabularySize
        c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 64
        c.padTokenId = tokenizer.tokenToId("<pad>") ?? tokenizer.tokenToId("[PAD]") ?? 0
        c.maxPositionEmbeddings = 130
        if member.type == .albert { c.embeddingSize = 16 }
        c.architectures = ["\(member.className)Model"]
        try c.write(to: dir.appendingPathComponent("config.json"))
        try BertModel(config: c, seed: 1).saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    func options(epochs: Int) -> TrainingArguments {
        var o = TrainingArguments()
        o.epochs = epochs; o.batchSize = 8; o.learningRate = 1e-3; o.maxSeqLength = 64; o.docStride = 16; o.logEvery = 1
        return o
    }

    /// The saved folder: the member's architecture and key prefix, and a tokenizer that encodes as the source's.
    func checkFolder(_ folder: URL, _ member: Member, architecture: String, source: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let config = try BertConfig(contentsOf: folder.appendingPathComponent("config.json"))
        XCTAssertEqual(config.modelType, member.type, file: file, line: line)
        XCTAssertEqual(config.architectures, [member.className + architecture], file: file, line: line)
        let keys = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors")).tensorNames
        XCTAssertTrue(keys.contains { $0.hasPrefix(config.family.baseKey + ".embeddings.") }, "\(member.className): keys \(keys.prefix(3))", file: file, line: line)
        let text = "Naïve café owners in Zürich, 2024!"
        XCTAssertEqual(try Tokenizer(directory: folder).encode(text, pair: "the second text").ids,
                       try Tokenizer(directory: source).encode(text, pair: "the second text").ids,
                       "\(member.className): the fine-tuned folder's tokenizer differs from the source's", file: file, line: line)
    }

    func testClassificationOnPairsPerMember() throws {
        let train = root.appendingPathComponent("train.csv"), dev = root.appendingPathComponent("dev.csv")
        var rows = "text,text_pair,label\n"
        for i in 0..<24 { rows += i % 2 == 0 ? "good film \(i),great,yes\n" : "bad film \(i),awful,no\n" }
        try rows.write(to: train, atomically: true, encoding: .utf8)
        try "text,text_pair,label\ngood,fine,yes\nbad,poor,no\n".write(to: dev, atomically: true, encoding: .utf8)
        for member in try members() {
            let base = try baseFolder(member), out = root.appendingPathComponent("cls-\(member.className)")
            let summary = try TextClassificationFineTuning.train(modelDirectory: base, train: train, validation: dev, task: .singleLabel,
                                                                 options: options(epochs: 4), output: out)
            let accuracy = try XCTUnwrap(summary.epochs.last?.evaluation?.metrics["accuracy"], member.className)
            XCTAssertTrue((0...1).contains(accuracy))
            let best = out.appendingPathComponent("best")
            try checkFolder(best, member, architecture: "ForSequenceClassification", source: base)
            let pipe = try TextClassificationPipeline(directory: best)
            let label = try pipe([TextClassificationInput(text: "good film", textPair: "great")])[0][0].label
            XCTAssertTrue(["yes", "no"].contains(label), "\(member.className): \(label)")
        }
    }

    func testTokenClassificationAndQuestionAnsweringPerMember() throws {
        for member in try members() {
            let base = try baseFolder(member)
            let ner = root.appendingPathComponent("ner-\(member.className)")
            let nerSummary = try TokenClassificationFineTuning.train(
                modelDirectory: base, train: fixtureURL("datasets/ner_train.conll"), validation: fixtureURL("datasets/ner_dev.conll"),
                options: options(epochs: 2), output: ner)
            XCTAssertTrue((0...1).contains(try XCTUnwrap(nerSummary.epochs.last?.evaluation?.metrics["f1"], member.className)))
            try checkFolder(ner.appendingPathComponent("best"), member, architecture: "ForTokenClassification", source: base)
            XCTAssertEqual(try TokenClassificationPipeline(directory: ner.appendingPathComponent("best"))(["Angela Merkel visited Paris."], aggregationStrategy: .simple).count, 1)

            let qa = root.appendingPathComponent("qa-\(member.className)")
            let qaSummary = try QuestionAnsweringFineTuning.train(
                modelDirectory: base, train: fixtureURL("datasets/qa_train.json"), validation: fixtureURL("datasets/qa_train.json"),
                options: options(epochs: 1), output: qa)
            let metrics = try XCTUnwrap(qaSummary.epochs.last?.evaluation?.metrics, member.className)
            XCTAssertTrue((0...100).contains(metrics["f1"]!) && (0...100).contains(metrics["exact_match"]!), "\(member.className) \(metrics)")
            try checkFolder(qa.appendingPathComponent("best"), member, architecture: "ForQuestionAnswering", source: base)
        }
    }
}
