import BERTTraining
import Foundation
import XCTest

/// Fine-tuning refuses classification data it cannot learn from (one class, empty labels) before building a model.
final class FineTuningLabelCheckTests: XCTestCase {
    var root: URL!
    override func setUp() {
        root = TrainingTestFixtures.temporaryFolder("label-checks")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func write(_ name: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func train(_ data: URL, task: TextClassificationTask = .singleLabel) throws {
        _ = try TextClassificationFineTuning.train(modelDirectory: root.appendingPathComponent("no-model"), train: data, validation: nil,
                                                   task: task, options: TrainingArguments(), output: root.appendingPathComponent("out"))
    }

    func testSingleClassDataIsRefused() throws {
        let data = try write("one.csv", "text,label\ngood film,pos\nfine film,pos\n")
        XCTAssertThrowsError(try train(data)) { error in
            XCTAssertEqual(error as? FineTuningError, .tooFewClasses(file: data.path, found: ["pos"], needed: 2))
        }
    }

    func testEmptyLabelIsRefused() throws {
        let data = try write("empty.csv", "text,label\ngood film,pos\nbad film,\nfine film,neg\n")
        XCTAssertThrowsError(try train(data)) { error in
            XCTAssertEqual(error as? FineTuningError, .emptyLabel(file: data.path, line: 3))
        }
    }

    func testMultiLabelDataWithNoLabelsIsRefusedButRegressionIsNot() throws {
        let data = try write("none.jsonl", "{\"text\": \"a\", \"label\": []}\n{\"text\": \"b\", \"label\": []}\n")
        XCTAssertThrowsError(try train(data, task: .multiLabel)) { error in
            XCTAssertEqual(error as? FineTuningError, .tooFewClasses(file: data.path, found: [], needed: 1))
        }
        let scores = try write("scores.csv", "text,label\na,1.0\nb,1.0\n")
        XCTAssertNoThrow(try TextClassificationFineTuning.checkTrainingLabels(TextClassificationDataset.read(from: scores, task: .regression),
                                                                             file: scores.path))
    }

    func testSingleTagNERDataIsRefused() throws {
        let data = try write("o.conll", "EU O\nrejects O\n\nPeter O\n")
        XCTAssertThrowsError(try TokenClassificationFineTuning.train(modelDirectory: root, train: data, validation: nil,
                                                                    options: TrainingArguments(), output: root.appendingPathComponent("out"))) { error in
            XCTAssertEqual(error as? FineTuningError, .tooFewClasses(file: data.path, found: ["O"], needed: 2))
        }
    }
}
