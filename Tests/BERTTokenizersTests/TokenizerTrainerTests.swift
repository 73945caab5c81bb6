import BERTJSON
import Foundation
import XCTest
import BERTTokenizers

/// `TokenizerTrainer`'s presets: the tokenizer.json layout `tokenizers` writes (preset_*.json from
/// scripts/make_tokenizer_training_goldens.py), the reload, and a typed error for each bad input.
final class TokenizerTrainerTests: XCTestCase {
    static func reference(_ kind: String) throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: TrainerGoldenTests.folder.appendingPathComponent("preset_\(kind).json")))
    }

    /// Every member but the model's vocabulary equal, and the vocabulary's tokens (as bytes) equal: HF's ids for
    /// `##x` tokens follow its random hash order, so the ids may differ.
    func testWordPiecePresetWritesTokenizersLayout() throws {
        let trained = try TokenizerTrainer(kind: .wordpiece, vocabSize: 1000).train(texts: try TrainerGoldenTests.corpus())
        let ours = try JSONValue.parse(Data(trained.tokenizerJSON))
        let theirs = try Self.reference("wordpiece")
        guard case .object(let o) = ours, case .object(let t) = theirs else { return XCTFail("not objects") }
        XCTAssertEqual(o.members.map(\.key), t.members.map(\.key))
        for member in t.members where member.key != "model" {
            XCTAssertEqual(o[member.key], member.value, member.key)
        }
        guard case .object(let om)? = o["model"], case .object(let tm)? = t["model"] else { return XCTFail("no model") }
        XCTAssertEqual(om.members.map(\.key), tm.members.map(\.key))
        for member in tm.members where member.key != "vocab" { XCTAssertEqual(om[member.key], member.value, member.key) }
        guard case .object(let ov)? = om["vocab"], case .object(let tv)? = tm["vocab"] else { return XCTFail("no vocab") }
        XCTAssertEqual(Set(ov.members.map { Array($0.key.utf8) }), Set(tv.members.map { Array($0.key.utf8) }))
        XCTAssertEqual(ov.members.map(\.value), (0..<ov.count).map { .integer(Int64($0)) }, "ids in order")
        // vocab.txt is the vocabulary by id, and the reloaded tokenizer encodes with it.
        let vocabTxt = trained.files.first { $0.name == "vocab.txt" }!.contents
        XCTAssertEqual(String(decoding: vocabTxt, as: UTF8.self), trained.vocabulary.map { $0 + "\n" }.joined())
        let tokenizer = try trained.tokenizer()
        let encoding = try tokenizer.encode("Hello, tokenizer training!")
        XCTAssertEqual(encoding.tokens.first, "[CLS]")
        XCTAssertEqual(encoding.ids, encoding.tokens.map { trained.vocabulary.firstIndex(of: $0)! })
    }

    func testBadInputsThrowTypedErrors() throws {
        let lines = try TrainerGoldenTests.corpus()
        XCTAssertThrowsError(try TokenizerTrainer(kind: .wordpiece, vocabSize: 100).train(texts: [])) {
            XCTAssertEqual($0 as? TokenizerTrainingError, .emptyCorpus)
        }
        XCTAssertThrowsError(try TokenizerTrainer(kind: .wordpiece, vocabSize: 100).train(texts: ["  ", "\u{0}\u{200B}"])) {
            XCTAssertEqual($0 as? TokenizerTrainingError, .emptyCorpus)
        }
        XCTAssertThrowsError(try TokenizerTrainer(kind: .wordpiece, vocabSize: 50).train(texts: lines)) { error in
            guard case let .vocabularyTooSmall(size, needed, specials, alphabet)? = error as? TokenizerTrainingError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(size, 50)
            XCTAssertEqual(specials, 5)
            XCTAssertEqual(needed, specials + alphabet)
            XCTAssertGreaterThan(alphabet, 300)
        }
        XCTAssertThrowsError(try TokenizerTrainer(kind: .wordpiece, vocabSize: 0).train(texts: lines)) {
            guard case .invalidSetting(name: "vocab_size", _, _)? = $0 as? TokenizerTrainingError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try TokenizerTrainer(kind: .unigram, vocabSize: 500, limitAlphabet: 10).train(texts: lines)) {
            guard case .invalidSetting(name: "limit_alphabet", _, _)? = $0 as? TokenizerTrainingError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try BpeTrainer(vocabSize: 100, limitAlphabet: -1).train(WordCounts(["a"]))) {
            guard case .invalidSetting(name: "limit_alphabet", _, _)? = $0 as? TokenizerTrainingError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try UnigramTrainer(vocabSize: 3).train(WordCounts(["abcd"]))) {
            guard case .vocabularyTooSmall(vocabSize: 3, _, _, alphabet: 4)? = $0 as? TokenizerTrainingError else { return XCTFail("\($0)") }
        }
    }

    func testWordCountsAreByteExactAndThreadIndependent() throws {
        var counts = WordCounts(["é", "e\u{301}", "é"])
        XCTAssertEqual(counts.words.count, 2, "canonically equivalent words stay apart, as in Rust")
        XCTAssertEqual(counts["é"], 2)
        counts.merge(WordCounts(["e\u{301}", "x"]))
        XCTAssertEqual(counts.counts, [2, 2, 1])
        let lines = try TrainerGoldenTests.corpus()
        let one = WordCounts(texts: lines, normalizer: BertNormalizer(), preTokenizer: BertPreTokenizer(), threads: 1)
        let two = WordCounts(texts: lines, normalizer: BertNormalizer(), preTokenizer: BertPreTokenizer(), threads: 2)
        XCTAssertEqual(one, two)
        var stages: [String] = []
        _ = try TokenizerTrainer(kind: .wordpiece, vocabSize: 800).train(texts: lines) { report in
            if stages.last != report.stage { stages.append(report.stage) }
            XCTAssertLessThanOrEqual(report.done, report.total)
        }
        XCTAssertEqual(stages, ["Count words", "Tokenize words", "Count pairs", "Compute merges"])
    }
}
