import BERT
import Foundation
import TestSupport
import XCTest

/// `bert train-tokenizer` as a user runs it: a folder transformers' layout, and each bad input its own error.
final class TrainTokenizerCommandTests: XCTestCase {
    static let corpus = repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizers/training/corpus.txt").path

    func output(_ name: String) -> String {
        CLIModels.root.appendingPathComponent("train-tokenizer-\(UUID().uuidString)-\(name)").path
    }

    func testWordPieceFolderReloadsAndEncodesAsTrained() throws {
        let folder = output("wordpiece")
        let result = try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "800", "--output", folder, Self.corpus])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try result.jsonLines()
        XCTAssertEqual(summary.first?["vocab_size"]?.intValue, 800)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(names, ["special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"])
        // The folder loads both ways (tokenizer.json, and vocab.txt + tokenizer_config.json) with equal encodings.
        let fromJSON = try Tokenizer(tokenizerJSON: URL(fileURLWithPath: folder).appendingPathComponent("tokenizer.json"))
        let fromVocab = try Tokenizer(vocabFile: URL(fileURLWithPath: folder).appendingPathComponent("vocab.txt"))
        for text in ["Hello, World! Tokenizers are trained here.", "Zürich café 中文 😀", "unbelievably"] {
            XCTAssertEqual(try fromJSON.encode(text).ids, try fromVocab.encode(text).ids, text)
            XCTAssertEqual(try fromJSON.encode(text).ids.first, fromJSON.tokenToId("[CLS]"))
        }
        // A second run refuses the folder unless --overwrite, which then replaces it.
        let again = try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "700", "--output", folder, Self.corpus])
        assertFails(again, status: 1, mentions: [folder, "--overwrite"], "existing folder")
        let overwrite = try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "700", "--overwrite",
                                     "--output", folder, Self.corpus])
        XCTAssertEqual(overwrite.status, 0, overwrite.stderr)
        XCTAssertEqual(try Tokenizer(directory: URL(fileURLWithPath: folder)).vocabularySize, 700)
        // Below the alphabet with its `##` forms (656 here) is an error, where HF silently returns more tokens.
        assertFails(try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "600", "--output", output("600"),
                                 Self.corpus]), status: 1, mentions: ["vocab size 600", "656"], "vocab below the ## alphabet")
    }

    func testBadInputsGetTheirOwnErrors() throws {
        let badUTF8 = try CLIModels.file("bad.txt", Array("good line\nbad \u{E9}".utf8.dropLast(1)) + [0xFF, 0x0A])
        assertFails(try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "100", "--output", output("utf8"), badUTF8]),
                    status: 1, mentions: [badUTF8 + ":2", "UTF-8", "byte"], "invalid UTF-8")
        let empty = try CLIModels.file("empty.txt", "\n\n")
        assertFails(try CLI.run(["train-tokenizer", "--model", "bpe", "--vocab-size", "300", "--output", output("empty"), empty]),
                    status: 1, mentions: ["no words"], "empty corpus")
        assertFails(try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "20", "--output", output("small"), Self.corpus]),
                    status: 1, mentions: ["vocab size 20", "--vocab-size"], "vocab smaller than the alphabet")
        let notFolder = try CLIModels.file("a-file", "x")
        assertFails(try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "800", "--output", notFolder, Self.corpus]),
                    status: 1, mentions: [notFolder, "not a folder"], "output is a file")
        let occupied = output("occupied")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: occupied).appendingPathComponent("notes.txt"))
        assertFails(try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "800", "--overwrite", "--output", occupied,
                                 Self.corpus]), status: 1, mentions: ["notes.txt"], "overwrite of a non-tokenizer folder")
        XCTAssertTrue(FileManager.default.fileExists(atPath: occupied + "/notes.txt"))
        let unwritable = "/proc/train-tokenizer-here"
        assertFails(try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "800", "--output", unwritable, Self.corpus]),
                    status: 1, mentions: [unwritable], "unwritable output")
        assertFails(try CLI.run(["train-tokenizer", "--model", "unigram", "--vocab-size", "800", "--min-frequency", "2",
                                 "--output", output("unigram"), Self.corpus]), status: 1, mentions: ["min_frequency"], "unigram option")
        let usage = try CLI.run(["train-tokenizer", "--model", "sentencepiece", "--vocab-size", "800", "--output", output("x"), Self.corpus])
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("wordpiece"), usage.stderr)
    }

    func testStandardInputAndSpecialTokens() throws {
        let folder = output("stdin")
        let text = try Data(contentsOf: repositoryRoot.appendingPathComponent("examples/bench_sentences.txt"))
        let result = try CLI.run(["train-tokenizer", "--model", "wordpiece", "--vocab-size", "700", "--cased",
                                  "--special-tokens", "[UNK],<extra>", "--output", folder, "-"], stdin: text)
        XCTAssertEqual(result.status, 0, result.stderr)
        let tokenizer = try Tokenizer(directory: URL(fileURLWithPath: folder))
        // The given tokens keep their order after the role tokens they lack ([PAD] [CLS] [SEP] [MASK]).
        XCTAssertEqual((0..<6).map { tokenizer.idToToken($0) }, ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]", "<extra>"])
        XCTAssertEqual(try tokenizer.encode("<extra>", addSpecialTokens: false).ids, [5])
        XCTAssertNotEqual(try tokenizer.encode("Hello").tokens, try tokenizer.encode("hello").tokens, "--cased keeps case")
    }
}
