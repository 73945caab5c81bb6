import BERTHub
import BERTModels
import BERTTraining
import Foundation
import TestSupport
import XCTest

/// Pre-training set-up checks that run before any model is built: model shapes and sizes, and the tokenizer folder.
final class PretrainingSetupCheckTests: XCTestCase {
    var root: URL!
    override func setUp() {
        root = TrainingTestFixtures.temporaryFolder("pretrain-checks")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func pretrainConfig(_ change: (inout BertConfig) -> Void) -> BertConfig {
        var c = BertConfig()
        c.vocabSize = 30522; c.hiddenSize = 256; c.numHiddenLayers = 4; c.numAttentionHeads = 4; c.intermediateSize = 1024
        change(&c)
        return c
    }

    func testZeroLayersIsRejectedBeforeTraining() {
        XCTAssertThrowsError(try PretrainingModelLimits.check(pretrainConfig { $0.numHiddenLayers = 0 }, sequenceLength: 128,
                                                              dataVocabularySize: 30522)) { error in
            XCTAssertEqual(error as? TrainingError, .invalidModelShape(field: "num_hidden_layers", value: 0, requirement: "at least 1"))
        }
        XCTAssertThrowsError(try PretrainingModelLimits.check(pretrainConfig { $0.numAttentionHeads = 3 }, sequenceLength: 128,
                                                              dataVocabularySize: 30522))
        XCTAssertThrowsError(try PretrainingModelLimits.check(pretrainConfig { $0.maxPositionEmbeddings = 64 }, sequenceLength: 128,
                                                              dataVocabularySize: 30522)) { error in
            guard case .invalidModelShape("max_position_embeddings", 64, _)? = error as? TrainingError else { return XCTFail("\(error)") }
        }
    }

    func testAbsurdHiddenSizeIsRejectedBeforeAllocating() throws {
        let gib: UInt64 = 1 << 30
        XCTAssertEqual(try PretrainingModelLimits.check(pretrainConfig { _ in }, sequenceLength: 128, dataVocabularySize: 30522,
                                                        memoryBytes: 16 * gib), PretrainingModelLimits.parameterCount(pretrainConfig { _ in }))
        // Beyond any model: the same bound a config.json gets.
        XCTAssertThrowsError(try PretrainingModelLimits.check(pretrainConfig { $0.hiddenSize = 100_000 }, sequenceLength: 128,
                                                              dataVocabularySize: 30522, memoryBytes: 16 * gib)) { error in
            guard case .valueTooLarge(_, "hidden_size", 100_000, _)? = error as? BERTHubError else { return XCTFail("\(error)") }
        }
        // Within every bound but not within memory: weights, gradients and two moments of 1,529,710,396 parameters.
        XCTAssertThrowsError(try PretrainingModelLimits.check(pretrainConfig { $0.hiddenSize = 8192 }, sequenceLength: 128,
                                                              dataVocabularySize: 30522, memoryBytes: 16 * gib)) { error in
            guard case let .modelTooLarge(_, parameters, needed, available)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(parameters, "1.5e+09")
            XCTAssertEqual(needed, "24.5 GB")
            XCTAssertEqual(available, "17.2 GB")
        }
        // Sizes whose product overflows Int saturate instead of trapping.
        XCTAssertThrowsError(try PretrainingModelLimits.check(pretrainConfig { $0.hiddenSize = 1 << 40; $0.numAttentionHeads = 1 },
                                                              sequenceLength: 128, dataVocabularySize: 30522))
    }

    func testBertBaseParameterCountMatchesTransformers() {
        // BertForPreTraining(BertConfig()).num_parameters() in transformers: 110,106,428.
        XCTAssertEqual(PretrainingModelLimits.parameterCount(BertConfig()), 110_106_428)
    }

    func testTokenizerFolderWithoutATokenizerIsRefused() {
        XCTAssertThrowsError(try CheckpointTokenizerFiles(directory: root, vocabularySize: 30522)) { error in
            XCTAssertEqual(error as? TrainingError, .noTokenizer(directory: root.path))
        }
    }

    func testTokenizerOfAnotherVocabularyIsRefused() throws {
        XCTAssertThrowsError(try CheckpointTokenizerFiles(directory: modelURL("all-MiniLM-L6-v2"), vocabularySize: 100)) { error in
            XCTAssertEqual(error as? TrainingError, .vocabularyMismatch(directory: try! modelURL("all-MiniLM-L6-v2").path, tokenizer: 30522,
                                                                        expected: 100, expectedBy: "the training data"))
        }
    }

    func testCheckpointGetsVocabTxtWhenTheTokenizerFolderHasOnlyTokenizerJSON() throws {
        let model = try modelURL("all-MiniLM-L6-v2")
        let tokenizerOnly = root.appendingPathComponent("tok"), checkpoint = root.appendingPathComponent("checkpoint-1")
        for dir in [tokenizerOnly, checkpoint] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(at: model.appendingPathComponent("tokenizer.json"), to: tokenizerOnly.appendingPathComponent("tokenizer.json"))
        try CheckpointTokenizerFiles(directory: tokenizerOnly, vocabularySize: 30522).write(into: checkpoint)
        XCTAssertEqual(try String(contentsOf: checkpoint.appendingPathComponent("vocab.txt"), encoding: .utf8),
                       try String(contentsOf: model.appendingPathComponent("vocab.txt"), encoding: .utf8))
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("tokenizer.json").path))
    }
}
