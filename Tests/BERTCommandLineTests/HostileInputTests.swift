import BERT
import Foundation
import XCTest

/// Issue 19's defects reproduced through the built binary: each is now a clear one-line error (exit 1) or the
/// right result, and nothing is lost.
final class HostileInputTests: XCTestCase {
    /// A copy of all-MiniLM-L6-v2 (weights hard-linked, so the copy is cheap and stays inside its folder) with
    /// `edit` applied to the text of one file.
    func minilmCopy(editing file: String, _ edit: (String) -> String) throws -> String {
        let source = try CLIModels.minilm()
        let folder = CLIModels.root.appendingPathComponent("edited-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            if name == "model.safetensors" {
                try fm.linkItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
            } else {
                try fm.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
            }
        }
        let url = folder.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = edit(text)
        XCTAssertNotEqual(edited, text, "the edit of \(file) changed nothing")
        try edited.write(to: url, atomically: false, encoding: .utf8)
        return folder.path
    }

    func testAbsurdConfigValuesAreRefusedBeforeAllocating() throws {
        for (key, original, absurd) in [("vocab_size", "30522", "1000000000000"), ("hidden_size", "384", "1000000000000"),
                                        ("intermediate_size", "1536", "1000000000000"),
                                        ("max_position_embeddings", "512", "1000000000000"),
                                        ("type_vocab_size", "2", "1000000000000"), ("num_hidden_layers", "6", "1000000")] {
            let folder = try minilmCopy(editing: "config.json") {
                $0.replacingOccurrences(of: "\"\(key)\": \(original)", with: "\"\(key)\": \(absurd)")
            }
            let result = try CLI.run(["embed", "--model", folder, "hello"])
            assertFails(result, status: 1, mentions: [key, absurd], "config \(key) = \(absurd)")
        }
        // Within bounds but not what the weights hold: named with both values.
        let folder = try minilmCopy(editing: "config.json") { $0.replacingOccurrences(of: "\"vocab_size\": 30522", with: "\"vocab_size\": 30000") }
        assertFails(try CLI.run(["embed", "--model", folder, "hello"]), status: 1, mentions: ["vocab_size", "30000", "30522"], "config vs weights")
    }

    func testTokenizerIdsOutsideTheVocabularyAreNamed() throws {
        for id in ["1000000000000", "-5"] {
            let folder = try minilmCopy(editing: "tokenizer.json") { $0.replacingOccurrences(of: "\"hello\":7592", with: "\"hello\":\(id)") }
            assertFails(try CLI.run(["tokenize", "--model", folder, "hello"]), status: 1, mentions: ["tokenizer.json", id], "vocab id \(id)")
        }
    }

    func testDuplicateSafetensorsKeysAreRefused() throws {
        let folder = CLIModels.root.appendingPathComponent("dup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) } + Array(header.utf8)
        bytes += [UInt8](repeating: 0, count: 8)
        let file = folder.appendingPathComponent("model.safetensors")
        try Data(bytes).write(to: file)
        try CLIModels.tinyConfig().write(to: folder.appendingPathComponent("config.json"))
        let result = try CLI.run(["tokenize", "--model", try CLIModels.minilm().path, "x"])  // the binary runs at all
        XCTAssertEqual(result.status, 0)
        let forward = try CLI.run(["embed", "--model", folder.path, "hello"])
        assertFails(forward, status: 1, mentions: ["model.safetensors", "`a` twice"], "duplicate key")
    }

    func testPoolingWithEveryModeOffIsAnError() throws {
        let folder = try minilmCopy(editing: "1_Pooling/config.json") {
            $0.replacingOccurrences(of: "\"pooling_mode_mean_tokens\": true", with: "\"pooling_mode_mean_tokens\": false")
        }
        assertFails(try CLI.run(["embed", "--model", folder, "hello"]), status: 1, mentions: ["1_Pooling", "pooling"], "no pooling mode")
    }

    /// A file this user may not read is reported as such, not as missing (run as `nobody` through setpriv).
    func testPermissionDeniedIsNotReportedAsMissing() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv to run the binary as another user")
        }
        let secret = try CLIModels.file("secret.txt", "hello\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: CLIModels.root.path)
        let result = try CLI.run(["--reuid=65534", "--regid=65534", "--clear-groups", CLI.bert.path, "tokenize", "--model",
                                  try CLIModels.minilm().path, "--input", secret], executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
        assertFails(result, status: 1, mentions: [secret, "permission denied"], "unreadable input")
    }

    func testModulePathsOutsideTheModelAreRefused() throws {
        let folder = try minilmCopy(editing: "modules.json") { $0.replacingOccurrences(of: "\"1_Pooling\"", with: "\"../../x\"") }
        assertFails(try CLI.run(["embed", "--model", folder, "hello"]), status: 1, mentions: ["../../x"], "modules.json escape")
    }
}

/// Issue 19's training defects through the binary: folders are locked, an earlier run is never mixed with a new
/// one, divergence stops with the last good checkpoint, and bad shapes or options fail before training.
final class TrainingFolderTests: XCTestCase {
    /// A small instance file made by `bert pretraining-data` (30 documents of 6 sentences).
    static let instances: String = {
        let words = "the cat sat on a mat dog ran far away bird sings loud song every morning".split(separator: " ")
        var docs: [String] = []
        for d in 0..<30 {
            var sentences: [String] = []
            for s in 0..<6 { sentences.append((0..<8).map { words[($0 * 7 + s * 3 + d * 5) % words.count] }.joined(separator: " ") + ".") }
            docs.append(sentences.joined(separator: "\n"))
        }
        let text = try! CLIModels.file("corpus.txt", docs.joined(separator: "\n\n") + "\n")
        let output = CLIModels.root.appendingPathComponent("train.bin").path
        let result = try! CLI.run(["pretraining-data", "--tokenizer", try! CLIModels.minilm().path, "--output", output,
                                   "--dupe-factor", "1", "--max-seq-length", "32", text])
        precondition(result.status == 0, result.stderr)
        return output
    }()

    func pretrain(_ output: URL, _ extra: [String]) throws -> CLIResult {
        try CLI.run(["pretrain", "--data", Self.instances, "--output", output.path, "--tokenizer", try CLIModels.minilm().path,
                     "--hidden-size", "32", "--layers", "1", "--heads", "2", "--intermediate-size", "64", "--batch-size", "4",
                     "--save-every", "2", "--log-every", "1"] + extra)
    }

    func folder() -> URL { CLIModels.root.appendingPathComponent("run-\(UUID().uuidString)") }

    func testNoResumeIntoAnEarlierRunRefusesAndOverwriteStartsClean() throws {
        let run = folder()
        XCTAssertEqual(try pretrain(run, ["--steps", "6"]).status, 0)
        let refused = try pretrain(run, ["--steps", "2", "--no-resume"])
        assertFails(refused, status: 1, mentions: ["earlier run", "--overwrite"], "--no-resume over a run", oneLine: false)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint-6").path), "nothing deleted")
        let fresh = try pretrain(run, ["--steps", "2", "--overwrite"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let items = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasPrefix("checkpoint-") }
        XCTAssertEqual(items, ["checkpoint-2"], "the old run's checkpoints are gone, so the next run cannot resume them")
    }

    func testASecondRunIntoALockedFolderFailsNamingTheFirst() throws {
        let run = folder()
        let first = Process()
        first.executableURL = CLI.bert
        first.arguments = ["pretrain", "--data", Self.instances, "--output", run.path, "--tokenizer", try CLIModels.minilm().path,
                           "--hidden-size", "32", "--layers", "1", "--heads", "2", "--intermediate-size", "64", "--batch-size", "4",
                           "--steps", "1000000", "--save-every", "1000000"]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        // Wait until the first run holds the lock.
        let lock = run.appendingPathComponent(".bert.lock")
        for _ in 0..<200 where !((try? String(contentsOf: lock, encoding: .utf8))?.contains("\(first.processIdentifier)") ?? false) {
            usleep(50_000)
        }
        let second = try pretrain(run, ["--steps", "2"])
        assertFails(second, status: 1, mentions: ["\(first.processIdentifier)"], "second run into a locked folder", oneLine: false)
        // Killed with -9, the first run leaves no stale lock: a resumed run goes on.
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(try pretrain(run, ["--steps", "2", "--overwrite"]).status, 0)
    }

    func testDivergenceStopsWithTheLastGoodCheckpoint() throws {
        let run = folder()
        let result = try pretrain(run, ["--steps", "20", "--learning-rate", "1e30"])
        XCTAssertEqual(result.status, 1, result.stderr)
        let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("error: training diverged at step"), last)
        XCTAssertTrue(last.contains(run.appendingPathComponent("checkpoint-2").path), last)
        XCTAssertFalse(result.stderr.contains("EncodingError"), result.stderr)
    }

    func testBadShapesAndOptionsFailBeforeTraining() throws {
        let cases: [([String], String)] = [
            (["--steps", "2", "--layers", "0"], "num_hidden_layers"),
            (["--steps", "2", "--gradient-accumulation", "0"], "gradient"),
            (["--steps", "2", "--hidden-size", "100000"], "hidden_size"),
        ]
        for (extra, fragment) in cases {
            let run = folder()
            assertFails(try pretrain(run, extra), status: 1, mentions: [fragment], extra.joined(separator: " "), oneLine: false)
            XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint-2").path))
        }
        let empty = CLIModels.root.appendingPathComponent("no-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let noTokenizer = try CLI.run(["pretrain", "--data", Self.instances, "--output", folder().path, "--tokenizer", empty.path, "--steps", "2"])
        assertFails(noTokenizer, status: 1, mentions: [empty.path], "tokenizer folder without a tokenizer", oneLine: false)
    }

    /// A tokenizer folder with only tokenizer.json still gives checkpoints a vocab.txt (BertTokenizer needs one).
    func testCheckpointsCarryVocabTxtFromATokenizerJSONOnlyFolder() throws {
        let tokenizer = CLIModels.root.appendingPathComponent("json-only-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tokenizer, withIntermediateDirectories: true)
        let minilm = try CLIModels.minilm()
        try FileManager.default.copyItem(at: minilm.appendingPathComponent("tokenizer.json"), to: tokenizer.appendingPathComponent("tokenizer.json"))
        let run = folder()
        let result = try CLI.run(["pretrain", "--data", Self.instances, "--output", run.path, "--tokenizer", tokenizer.path,
                                  "--hidden-size", "32", "--layers", "1", "--heads", "2", "--intermediate-size", "64",
                                  "--batch-size", "4", "--steps", "2", "--save-every", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let vocab = try String(contentsOf: run.appendingPathComponent("checkpoint-2/vocab.txt"), encoding: .utf8)
        XCTAssertEqual(vocab, try String(contentsOf: minilm.appendingPathComponent("vocab.txt"), encoding: .utf8))
    }

    func testMissingTrainerStateNamesTheFile() throws {
        let run = folder()
        XCTAssertEqual(try pretrain(run, ["--steps", "4"]).status, 0)
        let state = run.appendingPathComponent("checkpoint-4/trainer_state.json")
        try FileManager.default.removeItem(at: state)
        assertFails(try pretrain(run, ["--steps", "6"]), status: 1, mentions: [state.path], "missing trainer_state.json", oneLine: false)
    }

    /// A fine-tuning run re-run after it finished, or continued to more epochs, keeps every epoch in summary.json
    /// (it used to keep none, or only the new ones).
    func testFineTuningSummaryKeepsItsEpochHistory() throws {
        let train = try CLIModels.file("two-class.csv", "text,label\ngood film,positive\nbad film,negative\nnice,positive\nawful,negative\n")
        let run = folder()
        func finetune(epochs: Int) throws -> [Int] {
            let result = try CLI.run(["finetune", "--task", "classification", "--model", try CLIModels.minilm().path, "--train", train,
                                      "--validation", train, "--output", run.path, "--epochs", "\(epochs)", "--batch-size", "2",
                                      "--max-seq-length", "16"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let summary = try JSONValue.parse(Data(contentsOf: run.appendingPathComponent("summary.json")))
            return summary["epochs"]?.arrayValue?.compactMap { $0["epoch"]?.intValue } ?? []
        }
        XCTAssertEqual(try finetune(epochs: 1), [1])
        XCTAssertEqual(try finetune(epochs: 1), [1], "re-running a finished run keeps its history")
        XCTAssertEqual(try finetune(epochs: 2), [1, 2], "continuing to a second epoch adds to it")
    }

    func testSingleClassTrainingDataIsRefused() throws {
        let train = try CLIModels.file("one-class.csv", "text,label\ngood film,positive\nnice film,positive\n")
        let result = try CLI.run(["finetune", "--task", "classification", "--model", try CLIModels.minilm().path, "--train", train,
                                  "--output", folder().path, "--epochs", "1"])
        assertFails(result, status: 1, mentions: [train, "positive"], "single-class data", oneLine: false)
    }
}
