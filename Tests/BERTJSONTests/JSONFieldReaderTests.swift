import BERTJSON
import XCTest

/// The typed reader configs and tokenizer.json are read through.
final class JSONFieldReaderTests: XCTestCase {
    func reader(_ text: String) throws -> JSONFieldReader { try JSONFieldReader(JSONValue.parse(text), file: "c.json") }

    func testTypedFieldsAndNulls() throws {
        let r = try reader(#"{"n": 3, "f": 3.0, "x": 0.5, "b": true, "s": "hi", "l": ["a", "b"], "z": null}"#)
        XCTAssertEqual(try r.int("n"), 3)
        XCTAssertEqual(try r.int("f"), 3, "a whole number written as 3.0 is an integer")
        XCTAssertEqual(try r.double("x"), 0.5)
        XCTAssertEqual(try r.bool("b"), true)
        XCTAssertEqual(try r.string("s"), "hi")
        XCTAssertEqual(try r.strings("l"), ["a", "b"])
        XCTAssertNil(try r.int("z"), "null reads as absent")
        XCTAssertNil(try r.int("absent"))
        XCTAssertTrue(r.has("z"))
    }

    func testErrorsNameTheFullKeyPath() throws {
        let r = try reader(#"{"model": {"vocab": {"a": "one"}, "list": [{"id": 1}, {"id": "x"}]}, "n": "3"}"#)
        XCTAssertThrowsError(try r.int("n")) {
            XCTAssertEqual($0 as? JSONFieldError, JSONFieldError(file: "c.json", key: "n", problem: .wrongType(expected: "an integer", found: #""3""#)))
            XCTAssertEqual("\($0)", #"c.json: "n" must be an integer, not "3""#)
        }
        let model = try XCTUnwrap(try r.object("model"))
        XCTAssertEqual(model.keyPath("vocab"), "model.vocab")
        let items = try XCTUnwrap(try model.objects("list"))
        XCTAssertThrowsError(try items[1].int("id")) { XCTAssertEqual(($0 as? JSONFieldError)?.key, "model.list[1].id") }
        XCTAssertThrowsError(try model.required(model.string("type"), "type")) {
            XCTAssertEqual($0 as? JSONFieldError, JSONFieldError(file: "c.json", key: "model.type", problem: .missing))
        }
        XCTAssertThrowsError(try r.objects("n")) { XCTAssertEqual(($0 as? JSONFieldError)?.key, "n") }
        XCTAssertThrowsError(try JSONFieldReader(JSONValue.parse("[1]"), file: "c.json")) {
            XCTAssertEqual(($0 as? JSONFieldError)?.key, "(top level)")
        }
    }

    func testUnreadMembersKeepDocumentOrder() throws {
        let r = try reader(#"{"a": 1, "keep": true, "b": 2, "c": 3}"#)
        _ = try r.int("a")
        _ = try r.bool("keep", keep: true)
        XCTAssertEqual(r.unreadMembers.keys, ["keep", "b", "c"])
    }
}
