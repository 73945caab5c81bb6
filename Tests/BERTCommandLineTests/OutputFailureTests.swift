import BERT
import Foundation
import XCTest

/// Issue 19: a failed write to stdout is exit 1 with one line naming stdout — never a crash (exit 132 from a
/// `try!`) and never exit 0 with nothing written.
final class OutputFailureTests: XCTestCase {
    /// Every command that prints results, with arguments that make it print.
    func commands() throws -> [(String, [String])] {
        let minilm = try CLIModels.minilm().path
        let corpus = try CLIModels.file("corpus.txt", "a cat sat\na dog ran\n")
        let data = try CLIModels.file("eval.csv", "text,label\nnice film,positive\nbad film,negative\n")
        return [
            ("embed", ["embed", "--model", minilm, "hello"]),
            ("similarity", ["similarity", "--model", minilm, "a", "b"]),
            ("search", ["search", "--model", minilm, "--corpus", corpus, "cat"]),
            ("tokenize", ["tokenize", "--model", minilm, "hello"]),
            ("fill-mask", ["fill-mask", "--model", try CLIModels.task("mlm").path, "hello [MASK]"]),
            ("classify", ["classify", "--model", try CLIModels.task("classification").path, "hello"]),
            ("ner", ["ner", "--model", try CLIModels.task("ner").path, "hello Paris"]),
            ("qa", ["qa", "--model", try CLIModels.task("qa").path, "--question", "who?", "--context", "Marie did."]),
            ("rerank", ["rerank", "--model", try CLIModels.task("classification").path, "--query", "q", "a", "b"]),
            ("evaluate", ["evaluate", "--task", "classification", "--model", try CLIModels.task("classification").path, "--data", data]),
        ]
    }

    func testEveryCommandReportsAFullDisk() throws {
        for (name, arguments) in try commands() {
            let ok = try CLI.run(arguments)
            XCTAssertEqual(ok.status, 0, "\(name) itself fails: \(ok.stderr)")
            XCTAssertFalse(ok.stdout.isEmpty, "\(name) printed nothing")
            let full = try CLI.run(arguments, stdoutPath: "/dev/full")
            assertFails(full, status: 1, mentions: ["stdout", "No space left on device"], name)
        }
    }

    func testAClosedPipeIsAnErrorNotASuccess() throws {
        for (name, arguments) in try commands().prefix(5) {
            let closed = try CLI.run(arguments, closedStdout: true)
            assertFails(closed, status: 1, mentions: ["stdout", "Broken pipe"], name)
        }
    }

    /// A model whose weights hold NaN: the output cannot be JSON; a clear error instead of a JSON-writer message.
    func testNonFiniteOutputIsAClearError() throws {
        let source = try CLIModels.minilm()
        let folder = CLIModels.root.appendingPathComponent("nan-minilm-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: folder)
        let weights = folder.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(url: weights)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for name in file.tensorNames.sorted() {
            var values = try file.floats(name)
            if name.hasSuffix("encoder.layer.0.output.dense.bias") { values[0] = .nan }
            try writer.add(name, floats: values, shape: try file.info(name).shape)
        }
        try FileManager.default.removeItem(at: weights)
        try writer.write(to: weights)
        let result = try CLI.run(["embed", "--model", folder.path, "hello"])
        assertFails(result, status: 1, mentions: ["text 1", "non-finite", "NaN"], "embed with a NaN weight")
        let npy = CLIModels.root.appendingPathComponent("nan.npy").path
        let toFile = try CLI.run(["embed", "--model", folder.path, "--output", npy, "hello"])
        assertFails(toFile, status: 1, mentions: ["not finite", "was not written"], "embed --output with a NaN weight")
        XCTAssertFalse(FileManager.default.fileExists(atPath: npy))
    }

    /// `embed --input` writes each finished chunk at once: a run killed midway leaves complete lines behind.
    func testEmbedStreamsSoAKilledRunKeepsItsLines() throws {
        let texts = (0..<4000).map { "sentence number \($0) about streaming output" }.joined(separator: "\n")
        let input = try CLIModels.file("many.txt", texts)
        let process = Process()
        process.executableURL = CLI.bert
        process.arguments = ["embed", "--model", try CLIModels.minilm().path, "--input", input]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var received = Data()
        // Wait for the first chunk (256 texts), then kill the run.
        while received.filter({ $0 == 0x0A }).count < 256 {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received += chunk
        }
        kill(process.processIdentifier, SIGKILL)
        received += out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let complete = lines.filter { (try? JSONValue.parse(String($0))) != nil }
        XCTAssertGreaterThanOrEqual(complete.count, 256, "the first chunk's lines were written before the kill")
        XCTAssertLessThan(complete.count, 4000, "the run was killed before the end")
        XCTAssertEqual(complete.first.flatMap { try? JSONValue.parse(String($0)) }?["text"]?.stringValue, "sentence number 0 about streaming output")
    }

    /// `embed --output` writes a matrix numpy and safetensors read, equal to the JSON lines' vectors.
    func testEmbedWritesMatrixFiles() throws {
        let minilm = try CLIModels.minilm().path
        let lines = try CLI.run(["embed", "--model", minilm, "first text", "second text"]).jsonLines()
        let expected = lines.flatMap { $0["embedding"]!.arrayValue!.map { Float($0.doubleValue!) } }
        let st = CLIModels.root.appendingPathComponent("e.safetensors").path
        XCTAssertEqual(try CLI.run(["embed", "--model", minilm, "--output", st, "first text", "second text"]).status, 0)
        let file = try SafeTensorsFile(url: URL(fileURLWithPath: st))
        XCTAssertEqual(try file.info("embeddings").shape, [2, 384])
        XCTAssertEqual(try file.floats("embeddings"), expected)
        let npy = CLIModels.root.appendingPathComponent("e.npy").path
        XCTAssertEqual(try CLI.run(["embed", "--model", minilm, "--output", npy, "first text", "second text"]).status, 0)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: npy)))
        XCTAssertEqual(Array(bytes[0..<8]), [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "data aligned to 64 bytes")
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (2, 384)"), header)
        let data = bytes[(10 + headerLength)...]
        let floats = stride(from: data.startIndex, to: data.endIndex, by: 4).map {
            Float(bitPattern: UInt32(data[$0]) | UInt32(data[$0 + 1]) << 8 | UInt32(data[$0 + 2]) << 16 | UInt32(data[$0 + 3]) << 24)
        }
        XCTAssertEqual(floats, expected)
    }
}
