import BERTModels
import BERTTasks
import BERTTensor
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// The README's library example, run as written (so the front page never lies).
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExample() throws {
        let dir = try modelURL("all-MiniLM-L6-v2")
        let model = try SentenceTransformer(directory: dir)
        let vectors = try model.encode(["A man is eating food.", "Someone is eating a sandwich."])
        XCTAssertEqual(cosineSimilarity(vectors[0], vectors[1]), 0.581, accuracy: 0.001)

        let bert = try BertModel.fromPretrained(dir)
        var tokenizer = try Tokenizer(directory: dir)
        tokenizer.padding = nil
        let encoding = try tokenizer.encode("Hello, world!")
        let output = try bert(EncoderInput(rows: [encoding.ids]), outputHiddenStates: true)
        XCTAssertEqual(output.lastHiddenState.shape, [1, 6, 384])
        XCTAssertEqual(output.hiddenStates?.count, 7)

        var small = BertConfig()
        small.hiddenSize = 32; small.numHiddenLayers = 1; small.numAttentionHeads = 2; small.intermediateSize = 64
        let mlm = try BertForPreTraining(config: small)
        let input = try EncoderInput(rows: [[101, 7592, 103, 2088, 102]])
        let tape = GradientTape()
        let loss = try tape.record { try mlm.loss(input, labels: [-100, -100, 1010, -100, -100], nextSentenceLabels: [0]).total }
        try tape.backward(loss)
        XCTAssertEqual(mlm.namedParameters().first!.key, "bert.embeddings.word_embeddings.weight")
        XCTAssertTrue(mlm.parameters.allSatisfy { $0.grad != nil }, "every parameter gets a gradient")
    }
}
