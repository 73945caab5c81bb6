import BERT
import Foundation
import TestSupport
import XCTest

/// `bert distill` end to end on a tiny generated teacher: a run killed with SIGKILL continues from its newest
/// checkpoint when re-run, progress lines carry the step count, rate and ETA, and bad input fails with one
/// `error:` line before any file is written.
final class DistillCommandTests: XCTestCase {
    func teacher() throws -> URL {
        let dir = CLIModels.root.appendingPathComponent("distill-teacher")
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) { return dir }
        var config = CLIModels.tinyConfig()
        config.numHiddenLayers = 4
        config.architectures = ["BertModel"]
        let model = try BertModel(config: config, addPoolingLayer: false, seed: 9)
        try FineTunedModelFolder.save(model, config: config, sourceDirectory: CLIModels.minilm(), to: dir)
        return dir
    }

    func data() throws -> String {
        try CLIModels.file("distill-train.txt", (0..<64).map { "line \($0): the \(["quick", "lazy", "brown"][$0 % 3]) fox jumps \($0 % 5) times" }.joined(separator: "\n"))
    }

    func testKilledRunResumesFromItsCheckpoint() throws {
        let output = CLIModels.root.appendingPathComponent("distill-kill")
        let args = ["distill", "--mode", "embedding", "--teacher", try teacher().path, "--data", try data(), "--output", output.path,
                    "--steps", "400", "--batch-size", "4", "--save-every", "5", "--log-every", "5", "--threads", "1",
                    "--max-seq-length", "16"]
        let process = Process()
        process.executableURL = CLI.bert
        process.arguments = args
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, !FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoint-10").path) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoint-10").path), "a checkpoint before the kill")
        let resumed = try CLI.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed from"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("/400] step"), "progress lines count steps: \(resumed.stderr)")
        XCTAssertTrue(resumed.stderr.contains("tok/s") && resumed.stderr.contains("ETA"), resumed.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("last/model.safetensors").path))
    }

    func testBadLayerMapFailsBeforeWriting() throws {
        let output = CLIModels.root.appendingPathComponent("distill-bad-layers")
        let result = try CLI.run(["distill", "--mode", "embedding", "--teacher", try teacher().path, "--data", try data(),
                                  "--output", output.path, "--layers", "0,9"])
        assertFails(result, status: 1, mentions: ["layer 9 is outside the teacher", "4 layers"], "layer map outside the teacher")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
    }
}
