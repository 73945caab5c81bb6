import BERTModels
import BERTTasks
import BERTTensor
import BERTTokenizers
import BERTTraining
import Foundation
import TestSupport
import XCTest

/// The README's library example, run as written (so the front page never lies).
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExample() throws {
        let dir = try modelURL("all-MiniLM-L6-v2")
        let model = try SentenceTransformer(directory: dir)
        let vectors = try model.encode(["A man is eating food.", "Someone is eating a sandwich."])
        XCTAssertEqual(cosineSimilarity(vectors[0], vectors[1]), 0.581, accuracy: 0.001)

        let bert = try BertModel.fromPretrained(dir)
        var tokenizer = try Tokenizer(directory: dir)
        tokenizer.padding = nil
        let encoding = try tokenizer.encode("Hello, world!")
        let output = try bert(EncoderInput(rows: [encoding.ids]), outputHiddenStates: true)
        XCTAssertEqual(output.lastHiddenState.shape, [1, 6, 384])
        XCTAssertEqual(output.hiddenStates?.count, 7)

        // The fine-tuning part, on a small file of the same shape as the README's reviews.csv.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let rows = ["\"a gripping, beautifully acted film\",pos", "dull and far too long,neg", "a warm and funny story,pos",
                    "a mess of a script,neg", "moving and wise,pos", "tedious from start to finish,neg"]
        try ("text,label\n" + rows.joined(separator: "\n") + "\n").write(to: work.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        var arguments = TrainingArguments()
        arguments.epochs = 1
        arguments.batchSize = 3
        arguments.maxSeqLength = 32
        let run = try TextClassificationFineTuning(task: .singleLabel).fineTune(
            modelDirectory: dir, train: work.appendingPathComponent("reviews.csv"),
            validation: nil, arguments: arguments, output: work.appendingPathComponent("runs/reviews"))
        let classifier = try TextClassificationPipeline(directory: URL(fileURLWithPath: run.last))
        let answer = try classifier(["A gripping, beautifully acted film."])
        XCTAssertEqual(answer.count, 1)
        XCTAssertTrue(["pos", "neg"].contains(answer[0].first?.label ?? ""), "\(answer)")
        XCTAssertEqual(run.epochs.count, 1)
    }
}
