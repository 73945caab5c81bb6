import BERTTraining
import Foundation
import XCTest

/// ALBERT's n-gram masking (`MaskedLMMasker.maxNgram`, `bert pretraining-data --max-ngram 3`).
final class NgramMaskingTests: XCTestCase {
    /// Over many sequences: the prediction count is BERT's formula, masked positions form spans of 1...3 whole
    /// words, shorter spans are likelier (p ∝ 1/n before shortening), and no special token is ever chosen.
    func testSpansOfUpToThreeWordsShorterLikelier() throws {
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        var configuration = PretrainingDataConfiguration(maskedLMProb: 0.2, maxPredictionsPerSeq: 40, wholeWordMask: false)
        configuration.maxNgram = 3
        let masker = MaskedLMMasker(vocabulary: vocabulary, configuration: configuration)
        XCTAssertEqual(masker.maxNgram, 3)
        var spanCounts = [Int: Int]()
        for seed in 0..<300 {
            var rng = PretrainingRandomGenerator(seed: UInt64(seed), stream: [])
            let body = (0..<100).map { 2000 + ($0 * 37 + seed) % 5000 }
            let tokens = [vocabulary.clsID] + body + [vocabulary.sepID]
            let masked = masker.mask(tokens, using: &rng)
            let positions = masked.labels.indices.filter { masked.labels[$0] != -100 }
            XCTAssertEqual(positions.count, masker.predictionCount(tokenCount: tokens.count))
            XCTAssertFalse(positions.contains(0) || positions.contains(tokens.count - 1), "a special token was masked")
            for p in positions { XCTAssertEqual(masked.labels[p], tokens[p]) }
            // Runs of consecutive masked positions (adjacent spans merge, so count only runs of ≤ 3 exactly).
            var run = 1
            for (a, b) in zip(positions, positions.dropFirst()) {
                if b == a + 1 { run += 1 } else { spanCounts[min(run, 4), default: 0] += 1; run = 1 }
            }
            spanCounts[min(run, 4), default: 0] += 1
        }
        print("n-gram masking runs by length (4 = merged ≥ 4): \(spanCounts.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(spanCounts[2, default: 0], 0)
        XCTAssertGreaterThan(spanCounts[3, default: 0], 0)
        XCTAssertGreaterThan(spanCounts[1, default: 0], spanCounts[3, default: 0])
    }

    func testMaxNgramRoundTripsThroughTheHeaderAndIsValidated() throws {
        var configuration = PretrainingDataConfiguration(objective: .sentenceOrderPrediction)
        configuration.maxNgram = 3
        let back = try JSONDecoder().decode(PretrainingDataConfiguration.self, from: JSONEncoder().encode(configuration))
        XCTAssertEqual(back, configuration)
        let plain = String(decoding: try JSONEncoder().encode(PretrainingDataConfiguration()), as: UTF8.self)
        XCTAssertFalse(plain.contains("max_ngram"), "BERT headers keep their bytes")
        configuration.maxNgram = 0
        XCTAssertThrowsError(try configuration.validate())
    }
}
