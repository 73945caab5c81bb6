import BERTHub
import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Fine-tuning runs: the folder lock, start-over and overwrite, epoch history across resumes, and progress
/// reported through events rather than printed.
final class FineTuningRunFolderTests: XCTestCase {
    typealias Example = TrainingTestFixtures.Example
    var root: URL!
    override func setUp() { root = TrainingTestFixtures.temporaryFolder("ft-folder") }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// FineTuningResumeTests' tiny classifier (5 steps per epoch, 3 epochs), with an evaluation when asked.
    func makeRun(stopAfter: Int? = nil, evaluated: Bool = false, control: FineTuningControl = .init()) throws -> FineTuningRun<Example> {
        let (model, features, options) = try TrainingTestFixtures.tinyClassifier()
        var evaluations = 0
        var run = FineTuningRun<Example>(model: model, features: features, options: options, output: root,
            forward: { batch, context in
                let out = try model.loss(try EncoderInput(rows: batch.map(\.ids)), labels: .classes(batch.map(\.label)), context: context)
                return StepOutput(loss: out.loss, tokens: batch.count * 8)
            },
            evaluate: evaluated ? { evaluations += 1; return FineTuningEvaluation(loss: 1, metricName: "accuracy", metrics: ["accuracy": 0.5]) } : nil,
            saveModel: { dir in
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try model.saveSafeTensors(to: dir.appendingPathComponent("model.safetensors"))
            }, control: control)
        run.stopAfterSteps = stopAfter
        return run
    }

    func testSummaryKeepsEveryEpochAcrossAResume() throws {
        _ = try makeRun(stopAfter: 7).run()   // epoch 1 done, stopped in epoch 2
        let resumed = try makeRun().run()
        XCTAssertEqual(resumed.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertEqual(resumed.epochs.map(\.step), [5, 10, 15])
        let onDisk = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("summary.json"))) as! [String: Any]
        XCTAssertEqual((onDisk["epochs"] as! [[String: Any]]).map { $0["epoch"] as! Int }, [1, 2, 3])
    }

    func testSummaryOfAFinishedRunReRunKeepsItsEpochs() throws {
        _ = try makeRun(evaluated: true).run()
        let again = try makeRun(evaluated: true).run()
        XCTAssertEqual(again.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertEqual(again.epochs.compactMap(\.evaluation?.metrics["accuracy"]), [0.5, 0.5, 0.5])
    }

    func testRunFailsWhileAnotherRunHoldsTheFolder() throws {
        let other = try OutputFolderLock(folder: root)
        XCTAssertThrowsError(try makeRun().run()) { error in
            guard case .held(root.path, let holder)? = error as? OutputFolderLockError else { return XCTFail("\(error)") }
            XCTAssertTrue(holder.hasPrefix("process \(getpid())"), holder)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("log.jsonl").path))
        other.release()
        XCTAssertNoThrow(try makeRun(stopAfter: 1).run())
    }

    func testStartOverRefusesAnEarlierRunAndOverwriteReplacesIt() throws {
        _ = try makeRun().run()
        XCTAssertThrowsError(try makeRun(control: .init(start: .startOver)).run()) { error in
            guard case let .earlierRunPresent(folder, items)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(folder, root.path)
            XCTAssertEqual(items, ["best", "checkpoint-15", "last", "log.jsonl", "loss.svg", "summary.json"])
        }
        var events: [String] = []
        let summary = try makeRun(control: .init(start: .overwrite, onEvent: { events.append("\($0)") })).run()
        XCTAssertEqual(summary.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertFalse(events.contains { $0.hasPrefix("resumed") }, "overwrite starts over: \(events)")
        XCTAssertEqual(try JSONLinesLog.read(root.appendingPathComponent("log.jsonl")).filter { $0.evalLoss == nil }.map(\.step), Array(1...15))
    }

    /// The library reports progress through `onEvent` (the lines the CLI printed before) and writes nothing to
    /// standard error itself.
    func testProgressGoesToEventsNotStandardError() throws {
        var events: [FineTuningEvent] = []
        let captured = try capturingStandardError {
            _ = try makeRun(stopAfter: 5, evaluated: true, control: .init(onEvent: { events.append($0) })).run()
            _ = try makeRun(evaluated: true, control: .init(onEvent: { events.append($0) })).run()
        }
        XCTAssertEqual(captured, "", "the library printed")
        let lines = events.map(\.description)
        XCTAssertTrue(lines.contains { $0.hasPrefix("step 1  loss ") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("epoch 1 (") && $0.hasSuffix(" s): accuracy 0.5000") }, "\(lines)")
        XCTAssertTrue(lines.contains("resumed from \(root.appendingPathComponent("checkpoint-5").path) at step 5"), "\(lines)")
    }

    /// Runs `body` with file descriptor 2 sent to a temporary file; returns what was written there.
    func capturingStandardError(_ body: () throws -> Void) throws -> String {
        let file = root.deletingLastPathComponent().appendingPathComponent("stderr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let saved = dup(2), fd = open(file.path, O_WRONLY)
        dup2(fd, 2)
        close(fd)
        defer { dup2(saved, 2); close(saved) }
        try body()
        return try String(contentsOf: file, encoding: .utf8)
    }
}
