import BERTModels
import BERTTasks
import SafeTensors
import BERTTensor
import BERTTokenizers
import BERTTraining
import Foundation
import TestSupport
import XCTest

/// Each task trains end to end on the tiny fixture datasets with a tiny random BERT (the MiniLM vocabulary):
/// the loss falls, `best/` and `last/` are complete folders that load strictly, and metrics are in range.
final class FineTuningEndToEndTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("finetune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// A random 2-layer, 32-wide BERT folder with the MiniLM tokenizer (and, optionally, a Sentence-Transformers layout).
    func tinyModel(sentenceTransformer: Bool = false) throws -> URL {
        let dir = root.appendingPathComponent(sentenceTransformer ? "tiny-st" : "tiny-base")
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) { return dir }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var c = BertConfig()
        c.vocabSize = 30522; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 64
        c.maxPositionEmbeddings = 128; c.architectures = ["BertModel"]
        try c.write(to: dir.appendingPathComponent("config.json"))
        try BertModel(config: c, seed: 1).saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
        let minilm = try modelURL("all-MiniLM-L6-v2")
        var files = FineTunedModelFolder.tokenizerFiles
        if sentenceTransformer { files += ["modules.json", "sentence_bert_config.json", "1_Pooling"] }
        for f in files where FileManager.default.fileExists(atPath: minilm.appendingPathComponent(f).path) {
            try FileManager.default.copyItem(at: minilm.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        return dir
    }

    func options(epochs: Int = 4, lr: Float = 1e-3) -> TrainingArguments {
        var o = TrainingArguments()
        o.epochs = epochs; o.batchSize = 8; o.learningRate = lr; o.maxSeqLength = 64; o.docStride = 32; o.logEvery = 1
        return o
    }

    /// Training losses of the log: the mean of the first and of the last epoch's steps.
    func firstAndLastEpochLoss(_ out: URL) throws -> (Double, Double) {
        let train = try JSONLinesLog.read(out.appendingPathComponent("log.jsonl")).filter { $0.evalLoss == nil }
        let first = train.filter { $0.epoch == train.first!.epoch }.map(\.loss), lastEpoch = train.last!.epoch
        let last = train.filter { $0.epoch == lastEpoch }.map(\.loss)
        return (first.reduce(0, +) / Double(first.count), last.reduce(0, +) / Double(last.count))
    }

    func assertFolders(_ out: URL, file: StaticString = #filePath, line: UInt = #line) {
        for name in ["best/config.json", "best/model.safetensors", "best/tokenizer.json", "last/model.safetensors", "log.jsonl", "loss.svg", "summary.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "missing \(name)", file: file, line: line)
        }
    }

    func testTokenClassification() throws {
        let out = root.appendingPathComponent("ner")
        let summary = try TokenClassificationFineTuning.train(modelDirectory: tinyModel(), train: fixtureURL("datasets/ner_train.conll"),
                                                              validation: fixtureURL("datasets/ner_dev.conll"), options: options(epochs: 5), output: out)
        assertFolders(out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first * 0.8, "loss should fall: \(first) → \(last)")
        let f1 = try XCTUnwrap(summary.epochs.last?.evaluation?.metrics["f1"])
        XCTAssertTrue((0...1).contains(f1))
        let (model, config) = try TokenClassificationFineTuning.load(out.appendingPathComponent("best"))
        XCTAssertEqual(config.architectures, ["BertForTokenClassification"])
        XCTAssertEqual(config.id2label.count, config.label2id.count)
        XCTAssertNotNil(config.label2id["O"])
        XCTAssertEqual(model.classifier.weight.shape[0], config.id2label.count)
        let keys = try SafeTensorsFile(url: out.appendingPathComponent("best/model.safetensors")).tensorNames
        XCTAssertTrue(keys.contains("bert.encoder.layer.0.attention.self.query.weight") && keys.contains("classifier.weight"))
    }

    func testQuestionAnswering() throws {
        let out = root.appendingPathComponent("qa")
        let summary = try QuestionAnsweringFineTuning.train(modelDirectory: tinyModel(), train: fixtureURL("datasets/qa_train.json"),
                                                            validation: fixtureURL("datasets/qa_train.json"), options: options(epochs: 5), output: out)
        assertFolders(out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first * 0.8, "loss should fall: \(first) → \(last)")
        let m = try XCTUnwrap(summary.epochs.last?.evaluation?.metrics)
        XCTAssertTrue((0...100).contains(m["f1"]!) && (0...100).contains(m["exact_match"]!), "\(m)")
        let (_, config) = try QuestionAnsweringFineTuning.load(out.appendingPathComponent("best"))
        XCTAssertEqual(config.architectures, ["BertForQuestionAnswering"])
    }

    func testSentenceEmbeddingsWithMultipleNegativesRanking() throws {
        let out = root.appendingPathComponent("mnrl")
        _ = try SentenceEmbeddingFineTuning.train(modelDirectory: tinyModel(sentenceTransformer: true), train: fixtureURL("datasets/embedding_pairs.jsonl"),
                                                  validation: fixtureURL("datasets/embedding_pairs.jsonl"), options: options(epochs: 4), output: out)
        assertFolders(out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first, "loss should fall: \(first) → \(last)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("best/modules.json").path))
        _ = try SentenceTransformer(directory: out.appendingPathComponent("best"))
    }

    func testSentenceEmbeddingsWithCosineSimilarity() throws {
        let out = root.appendingPathComponent("cosine")
        let summary = try SentenceEmbeddingFineTuning.train(modelDirectory: tinyModel(sentenceTransformer: true), train: fixtureURL("datasets/embedding_scored.jsonl"),
                                                            validation: fixtureURL("datasets/embedding_scored.jsonl"), options: options(epochs: 4), output: out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first, "loss should fall: \(first) → \(last)")
        let rho = try XCTUnwrap(summary.epochs.last?.evaluation?.metrics["spearman"])
        XCTAssertTrue((-1...1).contains(rho))
    }

    func testTextClassificationPairsAndUnknownLabelAtEvaluation() throws {
        let train = root.appendingPathComponent("train.csv"), dev = root.appendingPathComponent("dev.csv")
        var rows = "text,text_pair,label\n"
        for i in 0..<24 { rows += i % 2 == 0 ? "good film \(i),great,yes\n" : "bad film \(i),awful,no\n" }
        try rows.write(to: train, atomically: true, encoding: .utf8)
        try "text,text_pair,label\ngood,fine,yes\nbad,poor,maybe\n".write(to: dev, atomically: true, encoding: .utf8)
        let model = try tinyModel()
        XCTAssertThrowsError(try TextClassificationFineTuning.train(modelDirectory: model, train: train, validation: dev, task: .singleLabel,
                                                                    options: options(epochs: 1), output: root.appendingPathComponent("bad"))) { error in
            XCTAssertEqual(error as? DatasetError, .unknownLabel(file: dev.path, line: 3, label: "maybe", known: ["no", "yes"]))
        }
        try "text,text_pair,label\ngood,fine,yes\nbad,poor,no\n".write(to: dev, atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("cls")
        let summary = try TextClassificationFineTuning.train(modelDirectory: model, train: train, validation: dev, task: .singleLabel,
                                                             options: options(epochs: 4), output: out)
        assertFolders(out)
        let (first, last) = try firstAndLastEpochLoss(out)
        XCTAssertLessThan(last, first, "loss should fall: \(first) → \(last)")
        XCTAssertNotNil(summary.epochs.last?.evaluation?.metrics["accuracy"])
        let (loaded, config) = try TextClassificationFineTuning.load(out.appendingPathComponent("best"))
        XCTAssertEqual(config.id2label, [0: "no", 1: "yes"])
        XCTAssertEqual(config.problemType, "single_label_classification")
        XCTAssertEqual(loaded.numLabels, 2)
    }

    func testMalformedRowAndMismatchedAnswerNameTheirPlace() throws {
        let bad = root.appendingPathComponent("bad.csv")
        try "text,label\n\"fine\",yes\nno quote \"here,yes,extra\n".write(to: bad, atomically: true, encoding: .utf8)
        let model = try tinyModel()
        XCTAssertThrowsError(try TextClassificationFineTuning.train(modelDirectory: model, train: bad, validation: nil, task: .singleLabel,
                                                                    options: options(epochs: 1), output: root.appendingPathComponent("x"))) { error in
            XCTAssertTrue("\(error)".contains("bad.csv:3"), "\(error)")
        }
        let squad = root.appendingPathComponent("squad.json")
        try #"{"data":[{"paragraphs":[{"context":"Paris is big.","qas":[{"id":"q1","question":"Where?","answers":[{"text":"Rome","answer_start":0}]}]}]}]}"#
            .write(to: squad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try QuestionAnsweringFineTuning.train(modelDirectory: model, train: squad, validation: nil,
                                                                   options: options(epochs: 1), output: root.appendingPathComponent("y"))) { error in
            guard case .answerMismatch(let file, let id, _, _, _)? = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, squad.path); XCTAssertEqual(id, "q1")
        }
    }
}
