import Foundation
import XCTest
import BERTTokenizers

/// The trainers against `tokenizers` 0.23.3's on the same corpus and settings
/// (Tests/Fixtures/tokenizers/training, made by scripts/make_tokenizer_training_goldens.py).
final class TrainerGoldenTests: XCTestCase {
    static let folder = Fixtures.goldens.appendingPathComponent("training")

    static func corpus(_ name: String = "corpus.txt") throws -> [String] {
        // Split the bytes, not Characters: a line starting with a combining mark joins "\n" in one grapheme.
        let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
        return bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    static func cases() throws -> [[String: Any]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("cases.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return root["cases"] as! [[String: Any]]
    }

    /// The case's pipeline: BERT's normaliser and pre-tokenizer, or RoBERTa's ByteLevel without a normaliser.
    static func wordCounts(_ spec: [String: Any], lines: [String]) -> WordCounts {
        if spec["pre_tokenizer"] as? String == "byte_level" {
            return WordCounts(texts: lines, normalizer: nil, preTokenizer: ByteLevel(addPrefixSpace: false))
        }
        let lowercase = spec["lowercase"] as! Bool
        return WordCounts(texts: lines, normalizer: BertNormalizer(lowercase: lowercase), preTokenizer: BertPreTokenizer())
    }

    static func bpeTrainer(_ settings: [String: Any]) -> BpeTrainer {
        let alphabet = settings["byte_alphabet"] as? Bool == true ? ByteLevel.alphabet.flatMap(\.unicodeScalars) : []
        return BpeTrainer(vocabSize: settings["vocab_size"] as! Int, minFrequency: settings["min_frequency"] as? Int ?? 0,
                   specialTokens: settings["special_tokens"] as? [String] ?? [],
                   limitAlphabet: settings["limit_alphabet"] as? Int, initialAlphabet: alphabet,
                   continuingSubwordPrefix: settings["continuing_subword_prefix"] as? String,
                   endOfWordSuffix: settings["end_of_word_suffix"] as? String,
                   maxTokenLength: settings["max_token_length"] as? Int)
    }

    /// Our vocabulary equals HF's: id for id where HF's ids are reproducible, else as a set (the tokens HF's own
    /// runs disagree on may go either way, but the size is the same); merges equal where HF's are reproducible.
    func checkAgainstReference(_ spec: [String: Any], vocab: [String], merges: [(String, String)]?) {
        let name = spec["name"] as! String
        let expected = spec["vocab"] as! [String]
        let varying = spec["varying"] as! [String]
        XCTAssertEqual(vocab.count, expected.count, "\(name): vocabulary size")
        if spec["stable_ids"] as! Bool {
            let firstDifference = zip(vocab, expected).enumerated().first { !$0.element.0.utf8.elementsEqual($0.element.1.utf8) }
            XCTAssertNil(firstDifference, "\(name): vocabulary differs first at id \(firstDifference?.offset ?? -1)")
        } else {
            // Sets of bytes: Swift's String equality is canonical equivalence, HF's is byte equality.
            let ours = Set(vocab.map { Array($0.utf8) }), theirs = Set(expected.map { Array($0.utf8) })
            let varying = Set(varying.map { Array($0.utf8) })
            let extra = ours.subtracting(varying).subtracting(theirs).map { String(decoding: $0, as: UTF8.self) }
            let missing = theirs.subtracting(varying).subtracting(ours).map { String(decoding: $0, as: UTF8.self) }
            XCTAssertEqual(extra, [], "\(name): tokens HF does not have")
            XCTAssertEqual(missing, [], "\(name): HF's tokens we lack")
            // Specials and the alphabet come first in a fixed order, so their ids must match.
            let specials = ((spec["settings"] as! [String: Any])["special_tokens"] as? [String] ?? []).count
            let fixed = specials + expected.dropFirst(specials).prefix { $0.unicodeScalars.count == 1 }.count
            XCTAssertGreaterThan(fixed, specials + 10, name)
            XCTAssertTrue(vocab.prefix(fixed).map { Array($0.utf8) } == expected.prefix(fixed).map { Array($0.utf8) },
                          "\(name): special tokens and alphabet ids")
        }
        if let merges, let reference = spec["merges"] as? [[String]], spec["stable_merges"] as! Bool {
            XCTAssertEqual(merges.count, reference.count, "\(name): merge count")
            let firstDifference = zip(merges, reference).enumerated().first {
                !$0.element.0.0.utf8.elementsEqual($0.element.1[0].utf8) || !$0.element.0.1.utf8.elementsEqual($0.element.1[1].utf8)
            }?.offset
            XCTAssertNil(firstDifference, "\(name): merges differ first at rank \(firstDifference ?? -1)")
        }
    }

    func testBpeAndWordPieceTrainersMatchTokenizers() throws {
        let lines = try Self.corpus()
        var checked = 0
        for spec in try Self.cases() {
            let counts = Self.wordCounts(spec, lines: lines)
            let settings = spec["settings"] as! [String: Any]
            if spec["model"] as! String == "bpe" {
                let result = try Self.bpeTrainer(settings).train(counts)
                checkAgainstReference(spec, vocab: result.vocabulary, merges: result.merges)
            } else {
                let trainer = WordPieceTrainer(vocabSize: settings["vocab_size"] as! Int,
                                               minFrequency: settings["min_frequency"] as? Int ?? 0,
                                               specialTokens: settings["special_tokens"] as? [String] ?? [],
                                               limitAlphabet: settings["limit_alphabet"] as? Int)
                checkAgainstReference(spec, vocab: try trainer.train(counts), merges: nil)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 8)
    }
}
