import Foundation
import XCTest
import BERTTokenizers

/// `UnigramTrainer` against `tokenizers`' UnigramTrainer on HF's own words (unigram.json, made by
/// scripts/make_tokenizer_training_goldens.py): the issue asks ≥ 95% shared pieces and a held-out token count
/// within 1%.
final class UnigramTrainerTests: XCTestCase {
    static func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: TrainerGoldenTests.folder.appendingPathComponent("unigram.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func counts(_ pairs: [[Any]]) -> WordCounts {
        var counts = WordCounts()
        for pair in pairs { counts.add(pair[0] as! String, count: pair[1] as! Int) }
        return counts
    }

    /// Tokens of the held-out words under `vocabulary`, each word weighted by its count.
    static func tokenCount(_ vocabulary: [(piece: String, score: Double)], unkId: Int?, words: [[Any]]) throws -> Int {
        let model = try UnigramModel(vocabulary: vocabulary, unkId: unkId, byteFallback: false)
        var total = 0
        var tokens: [ModelToken] = []
        for pair in words {
            let scalars = (pair[0] as! String).unicodeScalars.map(\.value)
            tokens.removeAll()
            try model.tokenize(scalars, word: 0..<scalars.count, into: &tokens)
            total += tokens.count * (pair[1] as! Int)
        }
        return total
    }

    func testPiecesAndHeldOutTokensMatchTokenizers() throws {
        let golden = try Self.golden()
        let words = Self.counts(golden["words"] as! [[Any]])
        let heldout = golden["heldout_words"] as! [[Any]]
        for spec in golden["cases"] as! [[String: Any]] {
            let name = spec["name"] as! String
            let settings = spec["settings"] as! [String: Any]
            let trainer = UnigramTrainer(vocabSize: settings["vocab_size"] as! Int,
                                         subIterations: settings["n_sub_iterations"] as? Int ?? 2,
                                         shrinkingFactor: settings["shrinking_factor"] as? Double ?? 0.75,
                                         specialTokens: ["<s>", "<pad>", "</s>", "<unk>", "<mask>"], unkToken: "<unk>",
                                         maxPieceLength: settings["max_piece_length"] as? Int ?? 16)
            let result = try trainer.train(words)
            let reference = (spec["vocab"] as! [[Any]]).map { (piece: $0[0] as! String, score: ($0[1] as! NSNumber).doubleValue) }
            XCTAssertEqual(result.vocabulary.count, reference.count, name)
            XCTAssertEqual(result.unkId, spec["unk_id"] as? Int, name)
            XCTAssertEqual(result.vocabulary.prefix(5).map(\.piece), ["<s>", "<pad>", "</s>", "<unk>", "<mask>"], name)
            let ours = Set(result.vocabulary.map { Array($0.piece.utf8) })
            let shared = reference.filter { ours.contains(Array($0.piece.utf8)) }.count
            let share = Double(shared) / Double(reference.count)
            let tokens = try Self.tokenCount(result.vocabulary, unkId: result.unkId, words: heldout)
            let referenceTokens = spec["heldout_tokens"] as! Int
            let drift = abs(Double(tokens - referenceTokens)) / Double(referenceTokens)
            print("\(name): \(shared)/\(reference.count) pieces shared (\(String(format: "%.2f", share * 100))%), "
                  + "held-out tokens \(tokens) vs HF \(referenceTokens) (\(String(format: "%.3f", drift * 100))%)")
            XCTAssertGreaterThanOrEqual(share, 0.95, name)
            XCTAssertLessThanOrEqual(drift, 0.01, name)
            // HF's vocabulary through our encoder gives HF's count, so the comparison measures the trainer only.
            XCTAssertEqual(try Self.tokenCount(reference, unkId: spec["unk_id"] as? Int, words: heldout), referenceTokens, name)
        }
    }

    func testSeedsMatchTheCratesUnitTest() {
        // The crate's test_unigram_chars: "This is a" and "こんにちは友達", each once.
        let words = ["This is a", "こんにちは友達"].map { $0.unicodeScalars.map(\.value) }
        let seeds = UnigramSeeds.make(words: words, counts: [1, 1], maxPieceLength: 16, seedSize: 1_000_000)
        let strings = seeds.map { String(String.UnicodeScalarView($0.piece.compactMap(Unicode.Scalar.init))) }
        XCTAssertEqual(strings, ["s", "i", " ", "達", "友", "ん", "は", "に", "ち", "こ", "h", "a", "T", "is ", "s "])
        XCTAssertEqual(seeds.map(\.score), [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6, 4])
    }

    func testDigammaMatchesKnownValues() {
        XCTAssertEqual(UnigramEM.digamma(1), -0.5772156649015329, accuracy: 1e-9)
        XCTAssertEqual(UnigramEM.digamma(10), 2.251752589066721, accuracy: 1e-9)
    }
}
