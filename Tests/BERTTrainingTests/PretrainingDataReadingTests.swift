// Corpus reading: Google's layout, plain text with the sentence splitter, invalid UTF-8 offsets.
import BERTTraining
import Foundation
import XCTest
@_spi(Fuzzing) import BERTTraining

final class PretrainingDataReadingTests: XCTestCase {
    func testSentencePerLineDocuments() {
        let text = "First sentence.\n  Second one.  \n\n\n\nOther doc.\r\nStill other.\n\n"
        XCTAssertEqual(PretrainingCorpus.sentences(in: text, format: .sentencePerLine),
                       [["First sentence.", "Second one."], ["Other doc.", "Still other."]])
    }

    func testPlainTextParagraphsAreDocuments() {
        let text = """
        Mr. Darcy arrived at 5 p.m. yesterday. "Is he here?" she asked! It was
        e.g. a quiet day. J. R. R. Tolkien wrote it. The U.S. Army came. Really?! Yes.

        Second paragraph (one sentence). \u{201C}Quoted.\u{201D} Then more... and more. Fin.
        """
        XCTAssertEqual(PretrainingCorpus.sentences(in: text, format: .plainText), [
            ["Mr. Darcy arrived at 5 p.m. yesterday.", "\"Is he here?\" she asked!",
             "It was e.g. a quiet day.", "J. R. R. Tolkien wrote it.", "The U.S. Army came.", "Really?!", "Yes."],
            ["Second paragraph (one sentence).", "\u{201C}Quoted.\u{201D}", "Then more... and more.", "Fin."],
        ])
    }

    func testSplitterKeepsLowercaseContinuationsAndDecimals() {
        let splitter = SentenceSplitter()
        XCTAssertEqual(splitter.split("Pi is 3.14 roughly. see below. Next one"),
                       ["Pi is 3.14 roughly. see below.", "Next one"])
        XCTAssertEqual(splitter.split("Dr. Watson met Prof. Moriarty. They talked."),
                       ["Dr. Watson met Prof. Moriarty.", "They talked."])
    }

    func testPlainTextFilesTokenizeParagraphsIntoDocuments() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (tokenizer, vocabulary) = try PretrainingFixtures.vocabulary()
        let first = dir.appendingPathComponent("a.txt"), second = dir.appendingPathComponent("b.txt")
        try Data("\u{FEFF}The cat sat. It was\nhappy.\n\n\nA dog ran!".utf8).write(to: first)
        try Data("Birds fly. Fish swim.".utf8).write(to: second)
        let corpus = try PretrainingCorpus(files: [first, second], format: .plainText, tokenizer: tokenizer,
                                           vocabulary: vocabulary)
        let ids = { (text: String) in vocabulary.ids(for: text, tokenizer: tokenizer) }
        XCTAssertEqual(corpus.documents, [
            [ids("The cat sat."), ids("It was happy.")], [ids("A dog ran!")], [ids("Birds fly."), ids("Fish swim.")],
        ])
        XCTAssertEqual(corpus.tokenCount, corpus.documents.joined().joined().count)
    }

    func testInvalidUTF8NamesFileAndOffset() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.txt")
        try Data([0x48, 0x69, 0x20, 0xC3, 0xA9, 0x0A, 0x41, 0xE2, 0x82, 0x41]).write(to: url)  // "Hi é\nA" + bad €
        let (tokenizer, vocabulary) = try PretrainingFixtures.vocabulary()
        XCTAssertThrowsError(try PretrainingCorpus(files: [url], format: .sentencePerLine, tokenizer: tokenizer,
                                                   vocabulary: vocabulary)) { error in
            XCTAssertEqual(error as? PretrainingDataError, .invalidUTF8(path: url.path, byteOffset: 7))
            XCTAssertTrue("\(error)".contains("bad.txt: invalid UTF-8 at byte offset 7"))
        }
        XCTAssertNil(PretrainingCorpus.firstInvalidUTF8Offset(Array("héllo €𝄞".utf8)))
        XCTAssertEqual(PretrainingCorpus.firstInvalidUTF8Offset([0x61, 0xC0, 0xAF]), 1)  // overlong "/"
        XCTAssertEqual(PretrainingCorpus.firstInvalidUTF8Offset([0xED, 0xA0, 0x80]), 0)  // surrogate
        XCTAssertEqual(PretrainingCorpus.firstInvalidUTF8Offset([0x61, 0x62, 0xF0, 0x9F, 0x98]), 2)  // cut short
    }

    func testEmptyCorpusAndMissingFileAreTypedErrors() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (tokenizer, vocabulary) = try PretrainingFixtures.vocabulary()
        let empty = dir.appendingPathComponent("empty.txt")
        try Data("\n\n  \n".utf8).write(to: empty)
        XCTAssertThrowsError(try PretrainingCorpus(files: [empty], format: .plainText, tokenizer: tokenizer,
                                                   vocabulary: vocabulary)) { error in
            XCTAssertEqual(error as? PretrainingDataError, .emptyCorpus(paths: [empty.path]))
        }
        let missing = dir.appendingPathComponent("missing.txt")
        XCTAssertThrowsError(try PretrainingCorpus(files: [missing], format: .plainText, tokenizer: tokenizer,
                                                   vocabulary: vocabulary)) { error in
            guard case let PretrainingDataError.unreadableFile(path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missing.path)
        }
    }

    func testTokenizedCorpusAndMissingSpecialToken() throws {
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (tokenizer, vocabulary) = try PretrainingFixtures.vocabulary()
        let url = dir.appendingPathComponent("doc.txt")
        try Data("The tokenizer works.\nUnaffable words split.\n\nNext document.\n".utf8).write(to: url)
        let corpus = try PretrainingCorpus(files: [url], format: .sentencePerLine, tokenizer: tokenizer,
                                           vocabulary: vocabulary)
        XCTAssertEqual(corpus.documents.count, 2)
        let pieces = tokenizer.tokenize("Unaffable words split.")  // greedy longest match, as bert-base-uncased
        XCTAssertEqual(pieces, ["una", "##ffa", "##ble", "words", "split", "."])
        XCTAssertEqual(corpus.documents[0][1], pieces.map { tokenizer.id(of: $0)! })
        XCTAssertTrue(vocabulary.isContinuation(tokenizer.id(of: "##ffa")!))
        XCTAssertThrowsError(try PretrainingVocabulary(
            tokenizer: tokenizer, specialTokens: PretrainingSpecialTokens(mask: "<mask>"))) { error in
            XCTAssertEqual(error as? PretrainingDataError, .missingSpecialToken("<mask>"))
        }
    }
}
