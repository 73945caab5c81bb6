import BERTHub
import BERTTraining
import Foundation
import XCTest

/// Starting over in a folder that holds an earlier run refuses unless told to overwrite, which deletes only
/// what a run writes; the folder is locked for the run.
final class TrainingOutputFolderTests: XCTestCase {
    var root: URL!
    override func setUp() { root = TrainingTestFixtures.temporaryFolder("run-folder") }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func earlierRun(steps: Int) throws {
        try TrainingTestFixtures.trainer(root, steps: steps).train(source: TrainingTestFixtures.source())
    }

    func testStartingOverRefusesAFolderWithAnEarlierRun() throws {
        try earlierRun(steps: 6)
        XCTAssertThrowsError(try TrainingOutputFolder.open(root, start: .startOver)) { error in
            XCTAssertEqual(error as? TrainingError,
                           .earlierRunPresent(folder: root.path, items: ["checkpoint-4", "checkpoint-6", "log.jsonl", "loss.svg"]))
            XCTAssertTrue("\(error)".contains("--overwrite"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("checkpoint-6").path), "nothing deleted")
    }

    /// The reported defect: `--no-resume --steps 2` after a 6-step run left checkpoint-6, which the next run resumed.
    func testOverwriteClearsTheEarlierRunSoTheNextRunDoesNotResumeIt() throws {
        try earlierRun(steps: 6)
        let lock = try TrainingOutputFolder.open(root, start: .overwrite)
        let trainer = try TrainingTestFixtures.trainer(root, steps: 2)
        XCTAssertNil(trainer.latestCheckpoint)
        try trainer.train(source: TrainingTestFixtures.source())
        lock.release()
        let items = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        XCTAssertEqual(items, [OutputFolderLock.fileName, "checkpoint-2", "log.jsonl", "loss.svg"])
        XCTAssertEqual(try JSONLinesLog.read(root.appendingPathComponent("log.jsonl")).map(\.step), [1, 2])
        XCTAssertEqual(try TrainingTestFixtures.trainer(root, steps: 2).latestCheckpoint?.lastPathComponent, "checkpoint-2")
    }

    func testOverwriteRefusesUnknownContentAndDeletesNothing() throws {
        try earlierRun(steps: 2)
        try Data("mine".utf8).write(to: root.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try TrainingOutputFolder.open(root, start: .overwrite)) { error in
            XCTAssertEqual(error as? TrainingError, .unknownContent(folder: root.path, item: "notes.txt"))
        }
        let items = Set(try FileManager.default.contentsOfDirectory(atPath: root.path))
        XCTAssertTrue(items.isSuperset(of: ["checkpoint-2", "log.jsonl", "notes.txt"]), "\(items)")
    }

    func testRunItemsAreOnlyWhatARunWrites() {
        for name in ["checkpoint-12", ".checkpoint-3.partial", "best", ".last.partial", "summary.json", "metric.svg"] {
            XCTAssertTrue(TrainingOutputFolder.isRunItem(name), name)
        }
        for name in ["checkpoint-", "checkpoint-x", "checkpoint-+1", ".log.jsonl.partial", "model.safetensors", "best.txt", OutputFolderLock.fileName] {
            XCTAssertFalse(TrainingOutputFolder.isRunItem(name), name)
        }
    }

    func testResumeAndStartOverKeepTheFolderLocked() throws {
        let lock = try TrainingOutputFolder.open(root, start: .resume)
        XCTAssertThrowsError(try TrainingOutputFolder.open(root, start: .startOver)) { error in
            guard case .held(root.path, _)? = error as? OutputFolderLockError else { return XCTFail("\(error)") }
        }
        lock.release()
        XCTAssertNoThrow(try TrainingOutputFolder.open(root, start: .startOver).release())
    }
}
