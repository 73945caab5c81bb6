import BERT
import Foundation
import XCTest

/// The training flags pretrain, finetune and distill share (one option group, each command's own defaults): max
/// steps wins over epochs in finetune, and a flag a command cannot honour is a usage error, not silently ignored.
final class TrainingFlagsTests: XCTestCase {
    func folder() -> URL { CLIModels.root.appendingPathComponent("flags-\(UUID().uuidString)") }

    func testFlagsACommandCannotHonourAreUsageErrors() throws {
        let cases: [(String, [String], String)] = [
            ("pretrain --epochs", ["pretrain", "--data", "x.bin", "--output", folder().path, "--tokenizer", "t", "--epochs", "2"], "--epochs"),
            ("distill --epochs", ["distill", "--mode", "mlm", "--teacher", "t", "--data", "x.bin", "--output", folder().path, "--epochs", "1"], "--epochs"),
            ("finetune --save-every", ["finetune", "--task", "ner", "--model", "m", "--train", "t", "--output", folder().path, "--save-every", "5"], "--save-every"),
            ("finetune --eval-every", ["finetune", "--task", "ner", "--model", "m", "--train", "t", "--output", folder().path, "--eval-every", "5"], "--eval-every"),
        ]
        for (name, arguments, flag) in cases {
            assertFails(try CLI.run(arguments), status: 2, mentions: [flag], name)
        }
    }

    /// 4 examples in batches of 2 make 2 steps an epoch: `--epochs 3 --max-steps 3` trains 3 steps (evaluating after
    /// epoch 1 and at the end), with finetune's newly shared `--warmup-steps` shaping the learning rate.
    func testFineTuningMaxStepsWinsOverEpochsAndWarmupStepsApply() throws {
        let train = try CLIModels.file("steps-two-class.csv", "text,label\ngood film,positive\nbad film,negative\nnice,positive\nawful,negative\n")
        let run = folder()
        let result = try CLI.run(["finetune", "--task", "classification", "--model", try CLIModels.minilm().path, "--train", train,
                                  "--validation", train, "--output", run.path, "--epochs", "3", "--max-steps", "3", "--batch-size", "2",
                                  "--warmup-steps", "2", "--max-seq-length", "16", "--log-every", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONValue.parse(String($0)) }
        let steps = lines.filter { $0["eval_loss"] == nil }
        XCTAssertEqual(steps.compactMap { $0["step"]?.intValue }, [1, 2, 3])
        // get_linear_schedule_with_warmup(peak 5e-5, warm-up 2, total 3) before updates 0, 1, 2: 0, 2.5e-5, 5e-5.
        let rates = steps.compactMap { $0["learning_rate"]?.doubleValue }
        XCTAssertEqual(rates.count, 3)
        for (rate, expected) in zip(rates, [0, 2.5e-5, 5e-5]) { XCTAssertEqual(rate, expected, accuracy: 1e-11) }
        let summary = try JSONValue.parse(Data(contentsOf: run.appendingPathComponent("summary.json")))
        XCTAssertEqual(summary["epochs"]?.arrayValue?.compactMap { $0["step"]?.intValue }, [2, 3])
        XCTAssertEqual(summary["epochs"]?.arrayValue?.compactMap { $0["epoch"]?.intValue }, [1, 2])
    }
}
