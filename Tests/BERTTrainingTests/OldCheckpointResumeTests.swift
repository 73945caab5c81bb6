import BERTJSON
import BERTModels
import BERTNN
import BERTTraining
import Foundation
import XCTest

/// Checkpoints written before `TrainingArguments` (trainer_state.json holding the `TrainingOptions` shape, as
/// pre-training, distillation and fine-tuning wrote it) still resume, exactly.
final class OldCheckpointResumeTests: XCTestCase {
    func makeTrainer(_ dir: URL) throws -> (Trainer<ArrayBatchSource>, BertForPreTraining) {
        let model = try BertForPreTraining(config: TrainingTestFixtures.tinyConfig(), seed: 11)
        var options = TrainingArguments(maxSteps: 7)
        options.learningRate = 5e-3; options.warmupSteps = 2; options.saveEvery = 3; options.logEvery = 1
        options.gradientAccumulation = 2
        let trainer = Trainer<ArrayBatchSource>(model: model, options: options, outputDirectory: dir) { batch, context in
            let out = try model.loss(batch.input, labels: batch.labels, nextSentenceLabels: batch.nsp, context: context)
            return StepOutput(loss: out.total, tokens: 40)
        }
        return (trainer, model)
    }

    /// The `options` member of a checkpoint written by the trainer before the change (copied from a real
    /// distillation checkpoint's shape, with this run's values).
    static let oldOptions: JSONValue = [
        "adamEpsilon": 1e-08, "evalEvery": 0, "gradientAccumulation": 2, "keepCheckpoints": 2, "learningRate": 0.005,
        "logEvery": 1, "maxGradNorm": 1, "saveEvery": 3, "seed": 42, "totalSteps": 7, "warmupSteps": 2, "weightDecay": 0.01,
    ]

    func testACheckpointWithTheOldOptionsShapeResumesToTheSameWeights() throws {
        let root = TrainingTestFixtures.temporaryFolder("old-state")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try TrainingTestFixtures.batches()
        let (full, fullModel) = try makeTrainer(root.appendingPathComponent("full"))
        try full.train(source: ArrayBatchSource(batches: data))

        let dir = root.appendingPathComponent("interrupted")
        do {
            let (short, _) = try makeTrainer(dir)
            try short.train(source: ArrayBatchSource(batches: data), stopAfter: 3)
        }
        // Rewrite checkpoint-3's state as the old trainer wrote it.
        let stateURL = dir.appendingPathComponent("checkpoint-3/trainer_state.json")
        guard case var .object(state) = try JSONValue.parse(Data(contentsOf: stateURL)) else { return XCTFail("not an object") }
        XCTAssertNotNil(state["options"].flatMap { if case let .object(o) = $0 { return o["maxSteps"] }; return nil }, "new checkpoints say maxSteps")
        state["options"] = Self.oldOptions
        try JSONValue.object(state).serializedData(options: [.prettyPrinted, .sortedKeys]).write(to: stateURL)
        XCTAssertTrue(try String(contentsOf: stateURL, encoding: .utf8).contains("\"totalSteps\""))

        let (resumed, resumedModel) = try makeTrainer(dir)
        let source = ArrayBatchSource(batches: data)
        try resumed.resume(from: XCTUnwrap(resumed.latestCheckpoint), source: source)
        XCTAssertEqual(resumed.step, 3)
        try resumed.train(source: source)
        for ((k, a), (_, b)) in zip(fullModel.namedParameters(), resumedModel.namedParameters()) {
            XCTAssertEqual(a.scalars, b.scalars, "\(k) differs after resuming an old-shape checkpoint")
        }
    }

    func testOldOptionShapesDecodeIntoTrainingArguments() throws {
        // TrainingOptions (steps-based): totalSteps is maxSteps; absent keys take pre-training's defaults.
        let steps = try JSONCoding.decode(TrainingArguments.self, from: Self.oldOptions)
        XCTAssertEqual(steps.maxSteps, 7)
        XCTAssertEqual(steps.learningRate, 0.005)
        XCTAssertEqual(steps.gradientAccumulation, 2)
        XCTAssertEqual(steps.saveEvery, 3)
        XCTAssertEqual(steps.resolvedWarmupSteps(totalSteps: 7), 2)
        XCTAssertEqual(steps.warmupRatio, 0, "the old steps-based options had no warm-up ratio")
        // FineTuningOptions (epochs-based).
        let old: JSONValue = ["epochs": 4, "batchSize": 8, "learningRate": 0.001, "warmupRatio": 0.2, "weightDecay": 0,
                              "maxSeqLength": 64, "docStride": 32, "seed": 7, "logEvery": 3, "maxGradNorm": 0.5]
        let epochs = try JSONCoding.decode(TrainingArguments.self, from: old)
        XCTAssertNil(epochs.maxSteps)
        XCTAssertEqual([epochs.epochs, epochs.batchSize, epochs.maxSeqLength, epochs.docStride, epochs.logEvery], [4, 8, 64, 32, 3])
        XCTAssertEqual(epochs.seed, 7)
        XCTAssertEqual(epochs.resolvedWarmupSteps(totalSteps: 10), 2)
        XCTAssertEqual(epochs.totalSteps(stepsPerEpoch: 5), 20)
        // The new shape round-trips; max steps wins over epochs.
        var arguments = TrainingArguments()
        arguments.maxSteps = 9; arguments.warmupRatio = 0.5; arguments.adamEpsilon = 1e-6
        XCTAssertEqual(try JSONCoding.decode(TrainingArguments.self, from: JSONCoding.encode(arguments)), arguments)
        XCTAssertEqual(arguments.totalSteps(stepsPerEpoch: 100), 9)
        XCTAssertEqual(arguments.resolvedWarmupSteps(totalSteps: 9), 5)
        // Not an object at all: a clear decoding error, not a crash.
        XCTAssertThrowsError(try JSONCoding.decode(TrainingArguments.self, from: .string("x")))
    }
}
