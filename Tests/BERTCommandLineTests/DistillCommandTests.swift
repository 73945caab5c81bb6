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
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("loss.svg").path))
        let log = try String(contentsOf: output.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
        let steps = try log.map { line -> Int in
            switch try JSONValue.parse(String(line))["step"] {
            case let .integer(n)?: return Int(n)
            case let .number(n)?: return Int(n)
            default: throw CocoaError(.fileReadCorruptFile)
            }
        }
        XCTAssertEqual(steps.last, 400)
        XCTAssertEqual(steps, steps.sorted().reduce(into: [Int]()) { if $0.last != $1 { $0.append($1) } },
                       "every logged step once, in order: the killed run's lines past its checkpoint are dropped")

        // The killed-and-resumed run ends with the weights of an uninterrupted one.
        let straight = CLIModels.root.appendingPathComponent("distill-straight")
        let whole = try CLI.run(args.map { $0 == output.path ? straight.path : $0 })
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let (a, b) = (try SafeTensorsFile(url: output.appendingPathComponent("last/model.safetensors")),
                      try SafeTensorsFile(url: straight.appendingPathComponent("last/model.safetensors")))
        XCTAssertEqual(Set(a.tensorNames), Set(b.tensorNames))
        for name in a.tensorNames {
            let (x, y) = (try a.floats(name), try b.floats(name))
            XCTAssertEqual(x.count, y.count, name)
            XCTAssertLessThanOrEqual(zip(x, y).map { abs($0 - $1) }.max() ?? 0, 1e-6, name)
        }
    }

    /// A tiny encoder with MiniLM's tokenizer, `edit` applied to its config (the student of `--student`).
    func encoder(_ name: String, _ edit: (inout BertConfig) -> Void) throws -> URL {
        let dir = CLIModels.root.appendingPathComponent(name)
        var config = CLIModels.tinyConfig()
        config.numHiddenLayers = 2
        config.architectures = ["BertModel"]
        edit(&config)
        let model = try BertModel(config: config, addPoolingLayer: false, seed: 4)
        try FineTunedModelFolder.save(model, config: config, sourceDirectory: CLIModels.minilm(), to: dir)
        return dir
    }

    func testBadInputFailsWithAnErrorBeforeWriting() throws {
        let (t, d) = (try teacher().path, try data())
        let classifier = try CLIModels.task("classification").path
        let smallVocab = try encoder("distill-vocab") { $0.vocabSize = 1000 }.path
        let narrow = try encoder("distill-narrow") { $0.hiddenSize = 16 }.path
        let cases: [(String, [String], [String])] = [
            ("student vocabulary", ["--mode", "embedding", "--teacher", t, "--data", d, "--student", smallVocab], ["different vocabularies", "vocab_size 30522 vs 1000"]),
            ("student width", ["--mode", "embedding", "--teacher", t, "--data", d, "--student", narrow], ["16 wide", "teacher's is 32", "--projection"]),
            ("missing data", ["--mode", "embedding", "--teacher", t, "--data", "/nonexistent/distill.txt"], ["/nonexistent/distill.txt"]),
            ("missing teacher", ["--mode", "embedding", "--teacher", "/nonexistent/teacher", "--data", d], ["/nonexistent/teacher"]),
            ("zero steps", ["--mode", "embedding", "--teacher", t, "--data", d, "--steps", "0"], ["steps", "at least 1"]),
            ("zero batch", ["--mode", "embedding", "--teacher", t, "--data", d, "--batch-size", "0"], ["--batch-size 0"]),
            ("absurd batch", ["--mode", "embedding", "--teacher", t, "--data", d, "--batch-size", "100000000"], ["--batch-size 100000000", "at most 8192"]),
            ("absurd length", ["--mode", "embedding", "--teacher", t, "--data", d, "--max-seq-length", "99999999"], ["--max-seq-length 99999999"]),
            ("NaN learning rate", ["--mode", "embedding", "--teacher", t, "--data", d, "--learning-rate", "nan"], ["learning rate"]),
            ("zero temperature", ["--mode", "logits", "--teacher", classifier, "--data", d, "--temperature", "0"], ["temperature"]),
            ("negative alpha", ["--mode", "mlm", "--teacher", try CLIModels.task("mlm").path, "--data", d, "--alpha-ce=-1"], ["alpha"]),
            ("no MLM head", ["--mode", "mlm", "--teacher", t, "--data", d], ["no masked-LM head"]),
            ("no classifier", ["--mode", "logits", "--teacher", t, "--data", d], [t]),
        ]
        for (what, arguments, fragments) in cases {
            let output = CLIModels.root.appendingPathComponent("distill-bad-\(what.replacingOccurrences(of: " ", with: "-"))")
            let result = try CLI.run(["distill", "--output", output.path, "--threads", "1"] + arguments)
            assertFails(result, status: 1, mentions: fragments, what, oneLine: false)
            XCTAssertFalse(result.stderr.contains("] step"), "\(what): no training step ran: \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "\(what): nothing written")
        }
    }

    func testBadLayerMapFailsBeforeWriting() throws {
        let output = CLIModels.root.appendingPathComponent("distill-bad-layers")
        let result = try CLI.run(["distill", "--mode", "embedding", "--teacher", try teacher().path, "--data", try data(),
                                  "--output", output.path, "--layers", "0,9"])
        assertFails(result, status: 1, mentions: ["layer 9 is outside the teacher", "4 layers"], "layer map outside the teacher")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
    }

    /// A 4-layer task checkpoint with MiniLM's tokenizer: "mlm" (BertForMaskedLM) or "classification" (2 labels).
    func taskTeacher(_ kind: String) throws -> URL {
        let dir = CLIModels.root.appendingPathComponent("distill-\(kind)-teacher")
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) { return dir }
        var config = CLIModels.tinyConfig(labels: kind == "mlm" ? [] : ["negative", "positive"])
        config.numHiddenLayers = 4
        let model: Module
        if kind == "mlm" {
            config.architectures = ["BertForMaskedLM"]
            model = try BertForMaskedLM(config: config, seed: 11)
        } else {
            config.architectures = ["BertForSequenceClassification"]
            model = try BertForSequenceClassification(config: config, seed: 12)
        }
        try FineTunedModelFolder.save(model, config: config, sourceDirectory: CLIModels.minilm(), to: dir)
        return dir
    }

    func testMaskedLMAndLogitModesWriteStudentsThePipelinesLoad() throws {
        for layout in ["teacher", "distilbert"] {
            let output = CLIModels.root.appendingPathComponent("distill-mlm-\(layout)")
            let run = try CLI.run(["distill", "--mode", "mlm", "--teacher", try taskTeacher("mlm").path, "--data", TrainingFolderTests.instances,
                                   "--validation", TrainingFolderTests.instances, "--output", output.path, "--student-layout", layout,
                                   "--steps", "4", "--batch-size", "4", "--save-every", "2", "--eval-every", "2", "--log-every", "1", "--threads", "1"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stderr.contains("teacher held-out MLM accuracy"), run.stderr)
            let student = output.appendingPathComponent("last")
            let config = try Pretrained.config(in: student)
            XCTAssertEqual(config.numHiddenLayers, 2, "layers 0 and 2 of 4")
            XCTAssertEqual(config.modelType, layout == "teacher" ? .bert : .distilbert)
            let log = try String(contentsOf: output.appendingPathComponent("log.jsonl"), encoding: .utf8)
            XCTAssertTrue(log.contains("mlm_loss") && log.contains("eval_mlm_accuracy"), log)
            XCTAssertTrue(log.contains("\"distill_ce\"") && log.contains("\"distill_cos\""), "loss parts in log.jsonl: \(log)")
            XCTAssertTrue(run.stderr.contains("distill_ce "), "and in the progress lines: \(run.stderr)")
            let fill = try CLI.run(["fill-mask", "--model", student.path, "the cat [MASK] on the mat"])
            XCTAssertEqual(fill.status, 0, fill.stderr)
        }
        // Dynamic masking: the same file, masks redrawn per epoch (24 batches of 8 read the small file more than once).
        let dynamic = CLIModels.root.appendingPathComponent("distill-mlm-dynamic")
        let remasked = try CLI.run(["distill", "--mode", "mlm", "--teacher", try taskTeacher("mlm").path, "--data", TrainingFolderTests.instances,
                                    "--output", dynamic.path, "--dynamic-masking", "--steps", "24", "--batch-size", "8", "--save-every", "24",
                                    "--log-every", "1", "--threads", "1"])
        XCTAssertEqual(remasked.status, 0, remasked.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dynamic.appendingPathComponent("last/model.safetensors").path))
        let labelled = try CLIModels.file("distill-held.csv", "text,label\n" + (0..<12).map { "review \($0) was \($0 % 2 == 0 ? "great" : "awful"),\($0 % 2 == 0 ? "positive" : "negative")" }.joined(separator: "\n") + "\n")
        let output = CLIModels.root.appendingPathComponent("distill-logits")
        let cache = CLIModels.root.appendingPathComponent("distill-logits.cache")
        let text = try data()
        let args = ["distill", "--mode", "logits", "--teacher", try taskTeacher("classification").path, "--data", text,
                    "--validation", labelled, "--output", output.path, "--match", "kl", "--cache-teacher", cache.path,
                    "--steps", "4", "--batch-size", "4", "--save-every", "2", "--eval-every", "2", "--log-every", "1", "--threads", "1"]
        let run = try CLI.run(args)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("teacher held-out accuracy"), run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.path), "teacher logits cached")
        let logitsLog = try String(contentsOf: output.appendingPathComponent("log.jsonl"), encoding: .utf8)
        XCTAssertTrue(logitsLog.contains("\"distill_loss\""), logitsLog)
        XCTAssertEqual(try Pretrained.config(in: output.appendingPathComponent("last")).numHiddenLayers, 2)
        let classify = try CLI.run(["classify", "--model", output.appendingPathComponent("last").path, "a great film"])
        XCTAssertEqual(classify.status, 0, classify.stderr)
        XCTAssertTrue(classify.stdout.contains("positive") || classify.stdout.contains("negative"), classify.stdout)
        // The cache is reused by a second run, and refused for other data.
        let again = try CLI.run(args.map { $0 == output.path ? output.path + "-2" : $0 })
        XCTAssertEqual(again.status, 0, again.stderr)
        let other = try CLIModels.file("distill-other.txt", "entirely different text\nwith two lines\n")
        let stale = try CLI.run(args.map { $0 == output.path ? output.path + "-3" : $0 == text ? other : $0 })
        assertFails(stale, status: 1, mentions: [cache.path, "another teacher, other data"], "stale teacher cache", oneLine: false)
    }
}
