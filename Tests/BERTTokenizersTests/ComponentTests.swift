import Foundation
import XCTest
import BERTTokenizers

/// Small hand-checked cases for each component (values cross-checked against HF in the goldens).
final class ComponentTests: XCTestCase {
    func testBertNormalizerSteps() {
        XCTAssertEqual(BertNormalizer().normalize("Héllo\tWÖRLD\u{0}\u{200B}"), "hello world")
        XCTAssertEqual(BertNormalizer(lowercase: false).normalize("Héllo"), "Héllo")
        XCTAssertEqual(BertNormalizer(stripAccents: true, lowercase: false).normalize("Héllo"), "Hello")
        XCTAssertEqual(BertNormalizer(stripAccents: false).normalize("İ"), "i\u{307}")
        XCTAssertEqual(BertNormalizer().normalize("İ"), "i")
        XCTAssertEqual(BertNormalizer().normalize("中文"), " 中  文 ")
        XCTAssertEqual(BertNormalizer(handleChineseChars: false).normalize("中文"), "中文")
        XCTAssertEqual(BertNormalizer().normalize("한"), "\u{1112}\u{1161}\u{11AB}")
    }

    func testBertPreTokenizerSplitsWhitespaceAndPunctuation() {
        let text = "hi, there!  ok"
        let cps = text.unicodeScalars.map(\.value)
        var normalized = NormalizedString(cps, range: 0..<cps.count)
        normalized.scalars = cps
        var words: [Range<Int>] = []
        BertPreTokenizer().preTokenize(normalized, range: 0..<cps.count, into: &words)
        XCTAssertEqual(words, [0..<2, 2..<3, 4..<9, 9..<10, 12..<14])
    }

    func testWordPieceGreedyLongestMatchAndLimits() throws {
        let vocab = ["[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "unaff": 4, "a": 5, "##a": 6]
        let model = try WordPieceTokenizer(vocab: vocab, maxInputCharsPerWord: 5)
        func pieces(_ word: String) -> [Int] {
            let cps = word.unicodeScalars.map(\.value)
            var out: [ModelToken] = []
            model.tokenize(NormalizedString(cps, range: 0..<cps.count), word: 0..<cps.count, into: &out)
            return out.map(\.id)
        }
        XCTAssertEqual(pieces("unaff"), [4])
        XCTAssertEqual(pieces("aaaaa"), [5, 6, 6, 6, 6])
        XCTAssertEqual(pieces("aaaaaa"), [0])  // longer than maxInputCharsPerWord
        XCTAssertEqual(pieces("unx"), [0])  // no full segmentation
        XCTAssertThrowsError(try WordPieceTokenizer(vocab: ["a": 0]))
    }

    func testSpecialTokensInsideTextStayWhole() throws {
        let tokenizer = try Fixtures.plainTokenizer()
        let e = try tokenizer.encode("The [MASK] sat.")
        XCTAssertEqual(e.tokens, ["[CLS]", "the", "[MASK]", "sat", ".", "[SEP]"])
        XCTAssertEqual(e.offsets, [0..<0, 0..<3, 4..<10, 11..<14, 14..<15, 0..<0])
        XCTAssertEqual(e.specialTokensMask, [1, 0, 0, 0, 0, 1])
        XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: true), "the sat.")
    }

    func testOffsetsAreCodePointsNotUTF16() throws {
        let tokenizer = try Fixtures.plainTokenizer()
        // 😀 is one code point (two UTF-16 units): "x" starts at code point 2.
        let e = try tokenizer.encode("😀 x", addSpecialTokens: false)
        XCTAssertEqual(e.offsets.last, 2..<3)
    }

    func testVocabTxtLineEndings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-vocab-crlf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhello\r\nworld".write(
            to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let tokenizer = try Tokenizer(directory: dir)
        XCTAssertEqual(try tokenizer.encode("Hello WORLD!").ids, [2, 5, 6, 1, 3])
    }
}
