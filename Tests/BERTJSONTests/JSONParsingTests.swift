import BERTJSON
import Foundation
import XCTest

final class JSONParsingTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    /// The error parsing `bytes` throws, failing the test when it parses.
    private func error(_ bytes: [UInt8], maxDepth: Int = JSONValue.defaultMaxDepth,
                       file: StaticString = #filePath, line: UInt = #line) -> JSONError? {
        do {
            let value = try JSONValue.parse(bytes, maxDepth: maxDepth)
            XCTFail("parsed as \(value)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONError? {
        error(Array(text.utf8), file: file, line: line)
    }

    private func at(_ offset: Int, line: Int = 1, column: Int? = nil) -> JSONLocation {
        JSONLocation(offset: offset, line: line, column: column ?? offset + 1)
    }

    func testNestedObjectsAndArrays() throws {
        let value = try parse(#" { "a" : { "b" : [1, [2, {"c": null}]], "d": true }, "e": [], "f": {}, "g": "x" } "#)
        XCTAssertEqual(value["a"]?["b"]?[0], .integer(1))
        XCTAssertEqual(value["a"]?["b"]?[1]?[0]?.intValue, 2)
        XCTAssertEqual(value["a"]?["b"]?[1]?[1]?["c"], .null)
        XCTAssertEqual(value["a"]?["b"]?[1]?[1]?["c"]?.isNull, true)
        XCTAssertEqual(value["a"]?["d"]?.boolValue, true)
        XCTAssertEqual(value["e"]?.arrayValue, [])
        XCTAssertEqual(value["f"]?.objectValue?.isEmpty, true)
        XCTAssertEqual(value["g"]?.stringValue, "x")
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["a"]?["b"]?[5], "out of range")
        XCTAssertNil(value["g"]?["x"], "a string has no members")
        XCTAssertEqual(value.objectValue?.keys, ["a", "e", "f", "g"], "document order")
        XCTAssertEqual(value, ["a": ["b": [1, [2, ["c": .null]]], "d": true], "e": [], "f": [:], "g": "x"])
        XCTAssertEqual(try parse("[]"), [])
        XCTAssertEqual(try parse("\t\r\n[\n]\n"), [])
        XCTAssertEqual(try parse("\"top-level string\""), "top-level string")
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse("false"), .bool(false))
    }

    func testRepeatedKeysKeepOrderAndTheLastWins() throws {
        let value = try parse(#"{"k": 1, "other": 2, "k": 3}"#)
        XCTAssertEqual(value["k"], .integer(3))
        XCTAssertEqual(value.objectValue?.keys, ["k", "other", "k"])
        XCTAssertEqual(value.objectValue?.dictionary, ["k": .integer(3), "other": .integer(2)])
        XCTAssertEqual(value, ["other": 2, "k": 3], "objects compare as dictionaries, in any order")
        XCTAssertEqual(value.objectValue?.firstRepeatedKey, "k")
        XCTAssertNil(try parse(#"{"a": 1, "b": {"a": 2}}"#).objectValue?.firstRepeatedKey, "only this object's own keys count")
        var object = value.objectValue!
        object["k"] = "set"
        XCTAssertEqual(object.members.map(\.value), [1, 2, "set"], "setting replaces the last member")
        object["k"] = nil
        XCTAssertEqual(object.keys, ["other"], "nil removes every member of the key")
        object["new"] = true
        XCTAssertEqual(object.keys, ["other", "new"])
    }

    func testNumbers() throws {
        XCTAssertEqual(try parse("0"), .integer(0))
        XCTAssertEqual(try parse("-0"), .integer(0))
        XCTAssertEqual(try parse("42"), .integer(42))
        XCTAssertEqual(try parse("-17"), .integer(-17))
        XCTAssertEqual(try parse("1.5"), .number(1.5))
        XCTAssertEqual(try parse("-2.5e-3"), .number(-0.0025))
        XCTAssertEqual(try parse("1E2"), .number(100))
        XCTAssertEqual(try parse("6.02e+23"), .number(6.02e23))
        XCTAssertEqual(try parse("0.5"), .number(0.5))
        XCTAssertEqual(try parse("1e999"), .number(.infinity), "beyond Double, as Python reads it")
        // Integers stay exact up to Int64, past Double's 2^53.
        XCTAssertEqual(try parse("9007199254740993"), .integer(9_007_199_254_740_993))
        XCTAssertEqual(try parse("123456789012345678"), .integer(123_456_789_012_345_678), "18 digits: the fast path")
        XCTAssertEqual(try parse("1234567890123456789"), .integer(1_234_567_890_123_456_789), "19 digits")
        XCTAssertEqual(try parse("9223372036854775807"), .integer(.max))
        XCTAssertEqual(try parse("-9223372036854775808"), .integer(.min))
        XCTAssertEqual(try parse("9223372036854775808"), .number(9.223372036854775808e18), "beyond Int64")
        // Tokenizer vocabularies: many ids, large ones, read as Int.
        let vocab = try parse(###"{"[PAD]": 0, "[UNK]": 100, "##s": 2015, "last": 30521, "big": 250001}"###)
        XCTAssertEqual(vocab.objectValue?.members.compactMap(\.value.intValue), [0, 100, 2015, 30521, 250_001])
        // Typed accessors across the two number cases.
        XCTAssertEqual(try parse("3.0").intValue, 3)
        XCTAssertNil(try parse("3.5").intValue)
        XCTAssertNil(try parse("1e300").intValue)
        XCTAssertEqual(try parse("7").doubleValue, 7)
        XCTAssertNil(try parse("\"7\"").intValue)
        XCTAssertEqual(JSONValue.integer(1), JSONValue.number(1.0), "numbers compare by value")
        XCTAssertNotEqual(JSONValue.integer(.max), JSONValue.number(9.223372036854775807e18))
        XCTAssertEqual(try parse("[1, 2.5, -3]").arrayValue?.compactMap(\.doubleValue), [1, 2.5, -3])
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""plain""#), "plain")
        XCTAssertEqual(try parse(#""q\" b\\ s\/ \b\f\n\r\t""#), "q\" b\\ s/ \u{08}\u{0C}\n\r\t")
        XCTAssertEqual(try parse(#""\u00e9\u00C9 \u4e2d""#), "éÉ 中")
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), "😀", "a surrogate pair is one scalar")
        XCTAssertEqual(try parse(#""a\uD834\uDD1Eb""#), "a𝄞b")
        XCTAssertEqual(try parse(#""\u0000""#), "\u{0}")
        XCTAssertEqual(try parse("\"héllo wörld 😀 中文\""), "héllo wörld 😀 中文", "raw UTF-8 passes through")
        XCTAssertEqual(try parse("\"raw é then \\n escape 😀\""), "raw é then \n escape 😀", "raw and escaped mixed")
        XCTAssertEqual(try parse(#"{"\u006bey": 1}"#)["key"], .integer(1), "keys unescape too")
    }

    func testTruncatedInput() {
        XCTAssertEqual(error(#"{"a": [1, 2"#), .unexpectedEnd(expected: "',' or ']'", at: at(11)))
        XCTAssertEqual(error(""), .unexpectedEnd(expected: "a value", at: at(0)))
        XCTAssertEqual(error("  \n "), .unexpectedEnd(expected: "a value", at: at(4, line: 2, column: 2)))
        XCTAssertEqual(error(#"{"a"#), .unexpectedEnd(expected: "a closing quote", at: at(3)))
        XCTAssertEqual(error(#"{"a":"#), .unexpectedEnd(expected: "a value", at: at(5)))
        XCTAssertEqual(error("[tr"), .unexpectedEnd(expected: "`true`", at: at(3)))
        XCTAssertEqual(error("[1."), .unexpectedEnd(expected: "a digit after '.'", at: at(3)))
        XCTAssertEqual(error("[1e+"), .unexpectedEnd(expected: "an exponent digit", at: at(4)))
        XCTAssertEqual(error(#"["\u12"#), .unexpectedEnd(expected: "four hex digits after \\u", at: at(6)))
        XCTAssertEqual(error(#"["\ud83d"#), .unexpectedEnd(expected: "a low surrogate escape", at: at(8)))

        // Every proper prefix of a document fails as truncated (or, cut inside a character, as invalid UTF-8).
        let document = Array(#"{"vocab": {"[PAD]": 0, "é😀": -12.5e-3, "\ud83d\ude00\n": [true, false, null]}, "x": [[], {}]}"#.utf8)
        for cut in 0..<document.count {
            switch error(Array(document[..<cut])) {
            case .unexpectedEnd?: break
            case .invalidUTF8?: XCTAssertTrue(document[cut] & 0xC0 == 0x80, "cut at \(cut) is not inside a character")
            case let other: XCTFail("cut at \(cut): \(String(describing: other))")
            }
        }
        XCTAssertNoThrow(try JSONValue.parse(document))
    }

    func testTrailingGarbage() {
        XCTAssertEqual(error(#"{"a": 1} x"#), .trailingCharacters(found: "'x'", at: at(9)))
        XCTAssertEqual(error("[1]]"), .trailingCharacters(found: "']'", at: at(3)))
        XCTAssertEqual(error("1 2"), .trailingCharacters(found: "'2'", at: at(2)))
        XCTAssertEqual(error("{}\n{}"), .trailingCharacters(found: "'{'", at: at(3, line: 2, column: 1)))
        XCTAssertEqual(error("null\u{0}"), .trailingCharacters(found: "byte 0x00", at: at(4)))
    }

    func testBadEscapes() {
        XCTAssertEqual(error(#""a\qb""#), .invalidEscape(found: "'q'", at: at(2)))
        XCTAssertEqual(error(#""\x41""#), .invalidEscape(found: "'x'", at: at(1)))
        XCTAssertEqual(error(#""\u12G4""#), .invalidUnicodeEscape(reason: "expected four hex digits, found 'G'", at: at(5)))
        XCTAssertEqual(error(#""\ud800""#), .invalidUnicodeEscape(reason: "high surrogate without a low one after it", at: at(1)))
        XCTAssertEqual(error(#""\ud800x""#), .invalidUnicodeEscape(reason: "high surrogate without a low one after it", at: at(1)))
        XCTAssertEqual(error(#""\ud800\n""#), .invalidUnicodeEscape(reason: "high surrogate without a low one after it", at: at(1)))
        XCTAssertEqual(error(#""\udc00""#), .invalidUnicodeEscape(reason: "low surrogate without a high one before it", at: at(1)))
        XCTAssertEqual(error(#""\ud800\u0041""#),
                       .invalidUnicodeEscape(reason: "high surrogate followed by \\u0041, not a low one", at: at(7)))
        XCTAssertEqual(error("\"tab\there\""), .controlCharacterInString(at: at(4)))
        XCTAssertEqual(error("\"a\\n then\nraw\""), .controlCharacterInString(at: at(9)))
    }

    func testInvalidUTF8() {
        // A lone continuation byte, a truncated sequence, an overlong "/", an encoded surrogate, beyond U+10FFFF.
        XCTAssertEqual(error([0x22, 0x61, 0x80, 0x22]), .invalidUTF8(at: at(2)))
        XCTAssertEqual(error([0x22, 0xC3, 0x28, 0x22]), .invalidUTF8(at: at(1)))
        XCTAssertEqual(error([0x22, 0xC0, 0xAF, 0x22]), .invalidUTF8(at: at(1)))
        XCTAssertEqual(error([0x22, 0xED, 0xA0, 0x80, 0x22]), .invalidUTF8(at: at(1)))
        XCTAssertEqual(error([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]), .invalidUTF8(at: at(1)))
        XCTAssertEqual(error([0x22, 0xE4, 0xB8]), .invalidUTF8(at: at(1)), "cut inside the last character")
        // Outside strings too, and after plenty of ASCII (the eight-byte fast path) on a later line.
        let prefix = Array("{\"key\": \"a long enough ASCII run\",\n \"b\": ".utf8)
        XCTAssertEqual(error(prefix + [0xFF] + Array("1}".utf8)), .invalidUTF8(at: at(prefix.count, line: 2, column: 7)))
        // The validator on its own, past the eight-byte ASCII path.
        XCTAssertNil(UTF8Validation.firstInvalidOffset(in: Array("héllo €𝄞 and a long ASCII tail".utf8)))
        XCTAssertEqual(UTF8Validation.firstInvalidOffset(in: Array("0123456789abcdef".utf8) + [0xF0, 0x9F, 0x98]), 16)
        XCTAssertNil(UTF8Validation.firstInvalidOffset(in: []))
        // Valid multi-byte characters outside strings are unexpected characters, not encoding errors.
        XCTAssertEqual(error("[é]"), .unexpectedCharacter(found: "'é'", expected: "a value", at: at(1)))
        XCTAssertEqual(error([0xEF, 0xBB, 0xBF] + Array("{}".utf8)),
                       .unexpectedCharacter(found: "'\u{FEFF}'", expected: "a value", at: at(0)), "no byte-order mark")
    }

    func testTooDeepNesting() throws {
        let limit = JSONValue.defaultMaxDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        XCTAssertNoThrow(try parse(deepest))
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        XCTAssertEqual(error(tooDeep), .nestingTooDeep(limit: limit, at: at(limit)))
        XCTAssertEqual(error(Array(#"{"a": {"b": {"c": 1}}}"#.utf8), maxDepth: 2), .nestingTooDeep(limit: 2, at: at(12)))
        XCTAssertNoThrow(try JSONValue.parse(Array(#"{"a": {"b": 1}}"#.utf8), maxDepth: 2))
        // Hostile depth far past the limit throws instead of exhausting the stack.
        XCTAssertEqual(error(String(repeating: "[{\"k\":", count: 200_000)), .nestingTooDeep(limit: limit, at: at(3 * limit)))
    }

    func testOtherSyntaxErrorsSayWhere() {
        XCTAssertEqual(error("{\n  \"a\": 1,\n  \"b\" 2\n}"),
                       .unexpectedCharacter(found: "'2'", expected: "':'", at: at(18, line: 3, column: 7)))
        XCTAssertEqual(error(#"{"a": 1,}"#), .unexpectedCharacter(found: "'}'", expected: "a string key", at: at(8)))
        XCTAssertEqual(error("[1,]"), .unexpectedCharacter(found: "']'", expected: "a value", at: at(3)))
        XCTAssertEqual(error("[1 2]"), .unexpectedCharacter(found: "'2'", expected: "',' or ']'", at: at(3)))
        XCTAssertEqual(error("{1: 2}"), .unexpectedCharacter(found: "'1'", expected: "a string key", at: at(1)))
        XCTAssertEqual(error("[trve]"), .unexpectedCharacter(found: "'v'", expected: "`true`", at: at(3)))
        XCTAssertEqual(error("[NaN]"), .unexpectedCharacter(found: "'N'", expected: "a value", at: at(1)))
        XCTAssertEqual(error("['a']"), .unexpectedCharacter(found: "'''", expected: "a value", at: at(1)))
        XCTAssertEqual(error("[01]"), .invalidNumber(reason: "leading zeros are not allowed", at: at(1)))
        XCTAssertEqual(error("[-]"), .invalidNumber(reason: "a digit must follow '-'", at: at(2)))
        XCTAssertEqual(error("[1.e3]"), .invalidNumber(reason: "a digit must follow '.'", at: at(3)))
        XCTAssertEqual(error("[1ex]"), .invalidNumber(reason: "the exponent needs a digit", at: at(3)))
        XCTAssertEqual(error("[+1]"), .unexpectedCharacter(found: "'+'", expected: "a value", at: at(1)))
        // The description gives the place in every unit a reader might want.
        let description = error(#"{"a": [1, 2"#)?.description ?? ""
        XCTAssertTrue(description.contains("line 1, column 12 (byte 11)"), description)
        XCTAssertTrue(description.contains("truncated"), description)
    }

    /// Random corruptions of a valid document either parse or throw; none may trap (the suite runs in release,
    /// where a wrong bounds check would read out of bounds, and in debug, where it would trap).
    func testHostileInputNeverCrashes() {
        let document = Array(#"{"model": {"vocab": {"a": 1, "é\n": 22, "\ud83d\ude00": [1.5e3, -0, true, null, "\"x\""]}}}"#.utf8)
        let alphabet = Array(#"{}[]:,"\u0123456789.eE+-tfnrlsa é"#.utf8) + [0x00, 0x80, 0xBF, 0xC3, 0xED, 0xF0, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var parsed = 0
        for _ in 0..<5000 {
            var bytes = document
            for _ in 0...next(4) {
                switch next(3) {
                case 0: bytes[next(bytes.count)] = alphabet[next(alphabet.count)]
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: next(bytes.count + 1))
                default: if bytes.count > 1 { bytes.remove(at: next(bytes.count)) }
                }
            }
            if next(4) == 0 { bytes = Array(bytes[..<next(bytes.count + 1)]) }
            if (try? JSONValue.parse(bytes)) != nil { parsed += 1 }
        }
        XCTAssertLessThan(parsed, 5000, "corruption must be noticed sometimes")
    }

    func testEntryPointsAgree() throws {
        let text = #"{"a": [1, "b"]}"#
        let expected: JSONValue = ["a": [1, "b"]]
        XCTAssertEqual(try JSONValue.parse(text), expected)
        XCTAssertEqual(try JSONValue.parse(Data(text.utf8)), expected)
        XCTAssertEqual(try JSONValue.parse(Array(text.utf8)), expected)
        XCTAssertEqual(try JSONValue.parse(("xx" + text).utf8.dropFirst(2).map { $0 }[...]), expected)
        XCTAssertEqual(try Array(text.utf8).withUnsafeBytes { try JSONValue.parse($0) }, expected)
        // A slice's locations count from the slice's start.
        let line = Array("ignored\n[1,,]".utf8)[8...]
        XCTAssertThrowsError(try JSONValue.parse(line)) { error in
            XCTAssertEqual(error as? JSONError, .unexpectedCharacter(found: "','", expected: "a value", at: self.at(3)))
        }
    }
}
