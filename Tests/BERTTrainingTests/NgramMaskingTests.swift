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

    /// ALBERT draws the n-gram length from numpy's global generator (never seeded by its --random_seed), so its
    /// own runs cannot be reproduced draw for draw; what must match is the distribution. The reference counts come
    /// from ALBERT's unmodified create_masked_lm_predictions with its own generators (albert_ngram_statistics.json,
    /// scripts/make_albert_pretraining_goldens.py) over the same 271 corpus sequences × 10 seeds; ours use
    /// PretrainingRandomGenerator. Compared: masked runs by length (1/n-weighted lengths, merged neighbours and
    /// shortening included), the masked fraction, the 80/10/10 split, and under whole-word masking no word
    /// partly masked. Each proportion must lie within 4 standard errors of ALBERT's.
    func testNgramStatisticsMatchALBERTsInDistribution() throws {
        let url = PretrainingFixtures.root.appendingPathComponent("Tests/Fixtures/pretraining/albert_ngram_statistics.json")
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let (tokenizer, vocabulary) = try PretrainingFixtures.vocabulary()
        let corpus = try String(contentsOf: url.deletingLastPathComponent().appendingPathComponent("corpus.tokens.txt"), encoding: .utf8)
        let lines = corpus.split(separator: "\n").map { $0.split(separator: " ").map { tokenizer.id(of: String($0))! } }
        let sequences = zip(lines, lines.dropFirst()).map { [vocabulary.clsID] + Array(($0 + $1).prefix(62)) + [vocabulary.sepID] }
        for (mode, wholeWord) in [("token", false), ("whole_word", true)] {
            var configuration = PretrainingDataConfiguration(maskedLMProb: 0.15, maxPredictionsPerSeq: 20, wholeWordMask: wholeWord)
            configuration.maxNgram = 3
            let masker = MaskedLMMasker(vocabulary: vocabulary, configuration: configuration)
            var runs = [Int](repeating: 0, count: 7)
            var (tokens, masked, asMask, kept, partialWords) = (0, 0, 0, 0, 0)
            for seed in 0..<10 {
                var rng = PretrainingRandomGenerator(seed: UInt64(seed), stream: [])
                for sequence in sequences {
                    let out = masker.mask(sequence, using: &rng)
                    let chosen = sequence.indices.filter { out.labels[$0] != -100 }
                    tokens += sequence.count
                    masked += chosen.count
                    asMask += chosen.filter { out.inputIDs[$0] == vocabulary.maskID }.count
                    kept += chosen.filter { out.inputIDs[$0] == sequence[$0] }.count
                    var run = 0
                    for i in 0...sequence.count {
                        if i < sequence.count, out.labels[i] != -100 { run += 1 } else if run > 0 { runs[min(run, 6)] += 1; run = 0 }
                    }
                    var i = 1
                    while i < sequence.count - 1 {
                        var j = i + 1
                        while j < sequence.count - 1, vocabulary.isContinuation(sequence[j]) { j += 1 }
                        let inside = (i..<j).filter { out.labels[$0] != -100 }.count
                        if inside > 0, inside < j - i { partialWords += 1 }
                        i = j
                    }
                }
            }
            let reference = golden[mode] as! [String: Any]
            let theirRuns = reference["runs"] as! [Int]
            let what = "\(mode) n-gram masking"
            print("\(what): runs by length ours \(runs.dropFirst()) ALBERT \(theirRuns.dropFirst()); masked \(masked)/\(tokens) vs \(reference["masked"]!)/\(reference["tokens"]!)")
            for k in 1...6 {
                assertSameProportion(runs[k], runs.reduce(0, +), theirRuns[k], theirRuns.reduce(0, +), "\(what): runs of length \(k)")
            }
            let theirTokens = reference["tokens"] as! Int, theirMasked = reference["masked"] as! Int
            assertSameProportion(masked, tokens, theirMasked, theirTokens, "\(what): masked fraction")
            assertSameProportion(asMask, masked, reference["as_mask"] as! Int, theirMasked, "\(what): [MASK] share")
            assertSameProportion(kept, masked, reference["kept"] as! Int, theirMasked, "\(what): kept share")
            if wholeWord { XCTAssertEqual(partialWords, 0, "\(what): a word was partly masked") }
            XCTAssertEqual(partialWords == 0, (reference["partial_words"] as! Int) == 0, "\(what): partly masked words")
        }
    }

    /// |p₁ − p₂| within 4 standard errors of the pooled proportion (two independent binomial samples).
    func assertSameProportion(_ a: Int, _ n: Int, _ b: Int, _ m: Int, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let p1 = Double(a) / Double(n), p2 = Double(b) / Double(m), pooled = Double(a + b) / Double(n + m)
        let standardError = (pooled * (1 - pooled) * (1 / Double(n) + 1 / Double(m))).squareRoot()
        XCTAssertLessThanOrEqual(abs(p1 - p2), 4 * max(standardError, 1e-9), "\(what): ours \(p1), ALBERT \(p2)", file: file, line: line)
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
