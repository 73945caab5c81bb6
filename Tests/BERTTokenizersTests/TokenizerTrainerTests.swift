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

    /// HF's byte-level BPE is reproducible, so the whole file must be byte for byte what `Tokenizer.save` writes.
    func testBpePresetIsByteIdenticalToTokenizers() throws {
        let trained = try TokenizerTrainer(kind: .bpe, vocabSize: 1200).train(texts: try TrainerGoldenTests.corpus())
        let reference = try Data(contentsOf: TrainerGoldenTests.folder.appendingPathComponent("preset_bpe.json"))
        XCTAssertEqual(trained.files.map(\.name), ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json",
                                                   "special_tokens_map.json"])
        XCTAssertTrue(Data(trained.tokenizerJSON) == reference, "tokenizer.json differs from tokenizers' save")
        let merges = String(decoding: trained.files[2].contents, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(merges.first, "#version: 0.2")
        let model = try XCTUnwrap(try Self.reference("bpe")["model"])
        XCTAssertEqual(merges.count - 1, model["merges"]?.arrayValue?.count)
        XCTAssertEqual(try JSONValue.parse(Data(trained.files[1].contents)), model["vocab"])
        let encoding = try trained.tokenizer().encode("Hello world")
        XCTAssertEqual(encoding.tokens.first, "<s>")
        XCTAssertEqual(encoding.tokens.last, "</s>")
    }

    /// Unigram: the layout equal but for the pieces, ≥ 95% of HF's pieces, a held-out count within 1%.
    func testUnigramPresetMatchesTokenizers() throws {
        let trained = try TokenizerTrainer(kind: .unigram, vocabSize: 800).train(texts: try TrainerGoldenTests.corpus())
        let ours = try JSONValue.parse(Data(trained.tokenizerJSON)), theirs = try Self.reference("unigram")
        guard case .object(let o) = ours, case .object(let t) = theirs else { return XCTFail("not objects") }
        XCTAssertEqual(o.members.map(\.key), t.members.map(\.key))
        for member in t.members where member.key != "model" { XCTAssertEqual(o[member.key], member.value, member.key) }
        XCTAssertEqual(ours["model"]?["unk_id"], theirs["model"]?["unk_id"])
        XCTAssertEqual(ours["model"]?["byte_fallback"], theirs["model"]?["byte_fallback"])
        let pieces = { (v: JSONValue) in Set((v["model"]?["vocab"]?.arrayValue ?? []).compactMap { $0[0]?.stringValue.map { Array($0.utf8) } }) }
        let shared = Double(pieces(ours).intersection(pieces(theirs)).count) / Double(pieces(theirs).count)
        XCTAssertGreaterThanOrEqual(shared, 0.95)
        let reference = try Tokenizer(tokenizerJSON: TrainerGoldenTests.folder.appendingPathComponent("preset_unigram.json"))
        let mine = try trained.tokenizer()
        let heldout = try TrainerGoldenTests.corpus("heldout.txt")
        let count = { (t: Tokenizer) in try heldout.reduce(0) { $0 + (try t.encode($1, addSpecialTokens: false).ids.count) } }
        let (a, b) = (try count(mine), try count(reference))
        XCTAssertLessThanOrEqual(abs(Double(a - b)) / Double(b), 0.01, "held-out tokens \(a) vs HF's vocabulary \(b)")
        print(String(format: "unigram preset: %.2f%% of HF's pieces, held-out tokens %d vs %d", shared * 100, a, b))
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
