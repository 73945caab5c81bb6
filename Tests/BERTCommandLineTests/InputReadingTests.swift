import BERT
import Foundation
import XCTest

/// Issue 19: `\n`, `\r\n` and `\r` line ends and a byte-order mark read alike in every input format; invalid
/// UTF-8 and bad JSON are reported with the file, line and byte.
final class InputReadingTests: XCTestCase {
    func texts(_ result: CLIResult) throws -> [String] {
        XCTAssertEqual(result.status, 0, result.stderr)
        return try result.jsonLines().map { $0["text"]?.stringValue ?? "?" }
    }

    func testCRLFTextFilesAreLines() throws {
        let minilm = try CLIModels.minilm().path
        let crlf = try CLIModels.file("c.txt", "hello world\r\nsecond line\r\n")
        XCTAssertEqual(try texts(CLI.run(["embed", "--model", minilm, "--input", crlf])), ["hello world", "second line"])
        let bomCR = try CLIModels.file("b.txt", [0xEF, 0xBB, 0xBF] + Array("one\rtwo\r\rthree".utf8))
        XCTAssertEqual(try texts(CLI.run(["embed", "--model", minilm, "--input", bomCR])), ["one", "two", "three"])
        // The same vectors whatever the line ends.
        let lf = try CLIModels.file("l.txt", "hello world\nsecond line\n")
        XCTAssertEqual(try CLI.run(["embed", "--model", minilm, "--input", lf]).stdout,
                       try CLI.run(["embed", "--model", minilm, "--input", crlf]).stdout)
    }

    func testSearchCorpusWithCRLFHasOneDocumentPerLine() throws {
        let corpus = try CLIModels.file("corpus.txt", "A cat sits on the mat.\r\nStocks fell sharply.\r\nA kitten naps.\r\n")
        let result = try CLI.run(["search", "--model", try CLIModels.minilm().path, "--corpus", corpus, "--top-k", "5", "a small cat"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let hits = try result.jsonLines()[0]["results"]!.arrayValue!
        XCTAssertEqual(hits.count, 3, "three documents, not one")
        XCTAssertFalse(hits.contains { $0["text"]!.stringValue!.contains("\r") })
    }

    func testCRLFJSONLinesParse() throws {
        let jsonl = try CLIModels.file("t.jsonl", "{\"text\": \"hello\", \"pair\": \"world\"}\r\n{\"text\": \"again\"}\r\n")
        let result = try CLI.run(["tokenize", "--model", try CLIModels.minilm().path, "--input", jsonl])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try result.jsonLines()
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0]["tokens"], ["[CLS]", "hello", "[SEP]", "world", "[SEP]"])
        XCTAssertEqual(lines[1]["tokens"], ["[CLS]", "again", "[SEP]"])
    }

    func testStandardInputAndCSV() throws {
        let minilm = try CLIModels.minilm().path
        let fromStdin = try CLI.run(["tokenize", "--model", minilm, "--input", "-"], stdin: Data("hello\r\nworld\n".utf8))
        XCTAssertEqual(try fromStdin.jsonLines().map { $0["tokens"] }, [["[CLS]", "hello", "[SEP]"], ["[CLS]", "world", "[SEP]"]])
        let csv = try CLIModels.file("t.csv", "id,text\r\n1,\"hello, world\"\r\n2,again\r\n")
        let result = try CLI.run(["embed", "--model", minilm, "--input", csv])
        XCTAssertEqual(try texts(result), ["hello, world", "again"])
    }

    func testInvalidUTF8NamesFileLineAndByte() throws {
        let bad = try CLIModels.file("bad.txt", Array("fine line\r\nok ".utf8) + [0xC3, 0x28] + Array(" tail\n".utf8))
        let cases: [(String, [String])] = [
            ("tokenize", ["tokenize", "--model", try CLIModels.minilm().path, "--input", bad]),
            ("embed", ["embed", "--model", try CLIModels.minilm().path, "--input", bad]),
            ("fill-mask", ["fill-mask", "--model", try CLIModels.task("mlm").path, "--input", bad]),
            ("classify", ["classify", "--model", try CLIModels.task("classification").path, "--input", bad]),
            ("ner", ["ner", "--model", try CLIModels.task("ner").path, "--input", bad]),
        ]
        for (name, arguments) in cases {
            assertFails(try CLI.run(arguments), status: 1, mentions: [bad + ":2:", "invalid UTF-8", "byte 4 of the line", "byte 14 of the file"], name)
        }
    }

    func testLoneSurrogateInJSONLinesIsReportedAsSuch() throws {
        let jsonl = try CLIModels.file("s.jsonl", "{\"text\": \"fine\"}\n{\"text\": \"bad \\ud800 here\"}\n")
        let result = try CLI.run(["tokenize", "--model", try CLIModels.minilm().path, "--input", jsonl])
        assertFails(result, status: 1, mentions: [jsonl + ":2", "surrogate"], "lone surrogate")
    }

    func testMissingAndUnreadableFiles() throws {
        let minilm = try CLIModels.minilm().path
        assertFails(try CLI.run(["embed", "--model", minilm, "--input", "/nonexistent/x.txt"]), status: 1,
                    mentions: ["/nonexistent/x.txt", "no such file"], "missing input")
        assertFails(try CLI.run(["embed", "--model", minilm, "--input", CLIModels.root.path]), status: 1,
                    mentions: ["is a folder"], "folder as input")
        let record = try CLIModels.file("r.jsonl", "{\"txt\": \"typo\"}\n")
        assertFails(try CLI.run(["embed", "--model", minilm, "--input", record]), status: 1,
                    mentions: [record + ":1", "\"text\"", "txt"], "missing field")
    }
}
