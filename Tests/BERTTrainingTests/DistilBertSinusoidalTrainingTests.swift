import BERTModels
import BERTNN
import BERTTensor
import BERTTraining
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// DistilBERT with `sinusoidal_pos_embds`: the position table is fixed (transformers 4.x's
/// `create_sinusoidal_embeddings` sets `requires_grad = False`), so training never moves it and every checkpoint
/// holds transformers' table (Tests/Fixtures/family/distilbert_sinusoidal/table.safetensors, 16 × 32) unchanged.
final class DistilBertSinusoidalTrainingTests: XCTestCase {
    static let positionKey = "distilbert.embeddings.position_embeddings.weight"
    static let wordKey = "distilbert.embeddings.word_embeddings.weight"

    func config(sinusoidal: Bool) -> BertConfig {
        var c = BertConfig(modelType: .distilbert)
        c.vocabSize = 50; c.hiddenSize = 32; c.numHiddenLayers = 2; c.numAttentionHeads = 4; c.intermediateSize = 64
        c.maxPositionEmbeddings = 16
        c.sinusoidalPositionEmbeddings = sinusoidal
        return c
    }

    /// Four AdamW steps of MLM over the tiny batches (checkpoints at 2 and 4); the model and its output folder.
    func train(sinusoidal: Bool) throws -> (BertForMaskedLM, URL) {
        let folder = TrainingTestFixtures.temporaryFolder("distilbert-sinusoidal")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let model = try BertForMaskedLM(config: config(sinusoidal: sinusoidal), seed: 3)
        var options = TrainingArguments(maxSteps: 4)
        options.learningRate = 1e-2; options.warmupSteps = 0; options.saveEvery = 2; options.logEvery = 1
        let trainer = Trainer<ArrayBatchSource>(model: model, options: options, outputDirectory: folder) { batch, context in
            StepOutput(loss: try model.loss(batch.input, labels: batch.labels, context: context).loss, tokens: 40)
        }
        try trainer.train(source: TrainingTestFixtures.source())
        return (model, folder)
    }

    func parameter(_ model: Module, _ key: String) throws -> Tensor {
        try XCTUnwrap(model.namedParameters().first { $0.key == key }?.tensor, "no parameter \(key)")
    }

    func testTrainingLeavesTheSinusoidalTableAsTransformersBuildsIt() throws {
        let table = try SafeTensorsFile(url: fixtureURL("family/distilbert_sinusoidal/table.safetensors")).floats("table")
        let fresh = try BertForMaskedLM(config: config(sinusoidal: true), seed: 3)
        let words = try parameter(fresh, Self.wordKey).scalars
        XCTAssertEqual(try parameter(fresh, Self.positionKey).scalars.count, table.count)
        assertClose(try parameter(fresh, Self.positionKey).scalars, table, atol: 1e-6, rtol: 0, "initial table")
        let initial = try parameter(fresh, Self.positionKey).scalars

        let (model, folder) = try train(sinusoidal: true)
        let positions = try parameter(model, Self.positionKey)
        XCTAssertFalse(positions.requiresGrad)
        XCTAssertNil(positions.grad, "a gradient reached the fixed table")
        XCTAssertEqual(positions.scalars, initial, "training moved the sinusoidal table")
        XCTAssertGreaterThan(maxAbsDifference(try parameter(model, Self.wordKey).scalars, words), 1e-3, "the run did not train")
        for step in [2, 4] {
            let saved = try SafeTensorsFile(url: folder.appendingPathComponent("checkpoint-\(step)/model.safetensors"))
            XCTAssertEqual(try saved.floats(Self.positionKey), initial, "checkpoint-\(step) changed the table")
        }

        // Loaded back (resume's road), the table is still fixed: a further step leaves it.
        let reloaded = try BertForMaskedLM(config: config(sinusoidal: true), seed: 99, randomInit: false)
        let saved = try SafeTensorsFile(url: folder.appendingPathComponent("checkpoint-4/model.safetensors"))
        _ = try reloaded.load(from: saved, prefixes: [""], ignoring: FamilyMember.tiedDecoderKeys)
        XCTAssertFalse(try parameter(reloaded, Self.positionKey).requiresGrad)
        XCTAssertEqual(try parameter(reloaded, Self.positionKey).scalars, initial)
    }

    /// The control: learned positions (`sinusoidal_pos_embds` false) do train on the same run.
    func testLearnedPositionsDoTrain() throws {
        let fresh = try BertForMaskedLM(config: config(sinusoidal: false), seed: 3)
        let initial = try parameter(fresh, Self.positionKey).scalars
        let (model, _) = try train(sinusoidal: false)
        XCTAssertGreaterThan(maxAbsDifference(try parameter(model, Self.positionKey).scalars, initial), 1e-3)
    }
}
