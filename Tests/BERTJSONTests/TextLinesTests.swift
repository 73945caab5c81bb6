import BERTJSON
import Foundation
import XCTest

/// The line reader every text, JSON Lines and corpus file goes through.
final class TextLinesTests: XCTestCase {
    func lines(_ bytes: [UInt8], keepEmpty: Bool = false) throws -> [TextLine] {
        try TextLines.split(bytes, file: "f.txt", keepEmpty: keepEmpty)
    }

    func testEveryLineEndReadsAlike() throws {
        let expected = [TextLine(number: 1, text: "a b"), TextLine(number: 2, text: "c")]
        XCTAssertEqual(try lines(Array("a b\nc\n".utf8)), expected)
        XCTAssertEqual(try lines(Array("a b\r\nc\r\n".utf8)), expected)
        XCTAssertEqual(try lines(Array("a b\rc".utf8)), expected)
        XCTAssertEqual(try lines([0xEF, 0xBB, 0xBF] + Array("a b\r\nc".utf8)), expected, "a byte-order mark is dropped")
    }

    func testBlankLinesAreSkippedButCounted() throws {
        XCTAssertEqual(try lines(Array("a\r\n\r\n  \r\nb".utf8)), [TextLine(number: 1, text: "a"), TextLine(number: 4, text: "b")])
        XCTAssertEqual(try lines(Array("a\n\nb\n".utf8), keepEmpty: true).map(\.text), ["a", "", "b"])
        XCTAssertEqual(try lines([]), [])
    }

    func testInvalidUTF8IsLocated() throws {
        let bytes = Array("one\r\ntwo\rth".utf8) + [0xE2, 0x82] + Array("ree\n".utf8)
        XCTAssertThrowsError(try lines(bytes)) { error in
            XCTAssertEqual(error as? TextFileError, .invalidUTF8(file: "f.txt", line: 3, column: 3, byte: 11))
            XCTAssertTrue("\(error)".hasPrefix("f.txt:3: invalid UTF-8"), "\(error)")
        }
        XCTAssertThrowsError(try lines([0xEF, 0xBB, 0xBF, 0xFF])) { error in
            XCTAssertEqual(error as? TextFileError, .invalidUTF8(file: "f.txt", line: 1, column: 1, byte: 3), "the mark is not part of the line")
        }
    }

    func testJSONLinesNameTheLine() throws {
        let good = try JSONLines.parse(lines(Array("{\"a\": 1}\r\n\r\n\"s\"\r\n".utf8)), file: "f.jsonl")
        XCTAssertEqual(good.map(\.line), [1, 3])
        XCTAssertEqual(good.map(\.value), [["a": 1], "s"])
        XCTAssertThrowsError(try JSONLines.parse(lines(Array("{}\n{\"a\": }\n".utf8)), file: "f.jsonl")) { error in
            guard case let .invalidJSONLine(file, line, _) = error as? TextFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "f.jsonl")
            XCTAssertEqual(line, 2)
            XCTAssertTrue("\(error)".hasPrefix("f.jsonl:2, column 7: not valid JSON"), "\(error)")
        }
    }

    func testFileErrorsNameTheProblem() throws {
        XCTAssertThrowsError(try TextLines.read("/no/such/file")) { XCTAssertEqual($0 as? TextFileError, .notFound(file: "/no/such/file")) }
        XCTAssertThrowsError(try TextLines.read("/tmp")) { XCTAssertEqual($0 as? TextFileError, .isADirectory(file: "/tmp")) }
    }
}
