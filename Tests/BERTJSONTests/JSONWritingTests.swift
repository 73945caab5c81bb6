import BERTJSON
import Foundation
import XCTest

final class JSONWritingTests: XCTestCase {
    /// Members in an order that sorting changes, every kind of value, and strings that need escaping.
    private let sample: JSONValue = [
        "b": [1, 2.5, -3e-12],
        "a": [:],
        "c": [],
        "d": ["x": "é😀\u{1F}\"\\/", "y": .null, "z": true],
        "B": false,
        "é": 0.1,
        "long": 123_456_789_012_345_678,
    ]

    func testCompactKeepsOrderAndEscapesOnlyWhatJSONRequires() throws {
        // Python: json.dumps(v, separators=(",", ":"), ensure_ascii=False); serde_json::to_string writes the same.
        XCTAssertEqual(try sample.serializedString(),
                       #"{"b":[1,2.5,-3e-12],"a":{},"c":[],"d":{"x":"é😀\u001f\"\\/","y":null,"z":true},"B":false,"é":0.1,"long":123456789012345678}"#)
        XCTAssertEqual(try JSONValue.string("\u{08}\u{0C}\n\r\t\u{0}\u{7F}").serializedString(), #""\b\f\n\r\t\u0000"# + "\u{7F}\"", "DEL stays raw, as in serde")
    }

    func testPrettySortedASCIIIsPythonsIndentTwo() throws {
        // Python: json.dumps(v, indent=2, sort_keys=True), as transformers writes config.json.
        let expected = """
        {
          "B": false,
          "a": {},
          "b": [
            1,
            2.5,
            -3e-12
          ],
          "c": [],
          "d": {
            "x": "\\u00e9\\ud83d\\ude00\\u001f\\"\\\\/",
            "y": null,
            "z": true
          },
          "long": 123456789012345678,
          "\\u00e9": 0.1
        }
        """
        XCTAssertEqual(try sample.serializedString(options: [.prettyPrinted, .sortedKeys, .escapeNonASCII]), expected)
        XCTAssertEqual(try JSONValue.string("\u{7F}").serializedString(options: .escapeNonASCII), #""\u007f""#)
    }

    func testNumbersAreWrittenExactlyOrShortest() throws {
        let numbers: JSONValue = [.integer(.max), .integer(.min), 0, -7, 0.1, 2.0, 1e-12, 1e-5, 123_456.789, -0.0]
        XCTAssertEqual(try numbers.serializedString(),
                       "[9223372036854775807,-9223372036854775808,0,-7,0.1,2.0,1e-12,1e-05,123456.789,-0.0]")
    }

    func testRoundTrip() throws {
        for options: JSONWritingOptions in [[], .prettyPrinted, [.prettyPrinted, .sortedKeys, .escapeNonASCII]] {
            let text = try sample.serialized(options: options)
            XCTAssertEqual(try JSONValue.parse(text), sample, "\(options)")
        }
        let data = try JSONEncoder().encode(sample)
        XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: data), sample, "through Codable")
        XCTAssertEqual(try JSONValue.parse(data), sample)
    }

    func testNonFiniteNumbersCannotBeWrittenAndTheErrorSaysWhere() {
        let value: JSONValue = ["ok": 1, "a": [0.5, .number(.nan)]]
        XCTAssertThrowsError(try value.serialized()) { error in
            guard case let .unrepresentableNumber(number, path)? = error as? JSONError else { return XCTFail("\(error)") }
            XCTAssertTrue(number.isNaN)
            XCTAssertEqual(path, "$.a[1]")
        }
        XCTAssertThrowsError(try JSONValue.number(-.infinity).serialized()) { error in
            XCTAssertEqual(error as? JSONError, .unrepresentableNumber(-.infinity, path: "$"))
        }
        XCTAssertEqual(value.description, #"{"ok": 1, "a": [0.5, nan]}"#, "description never fails")
    }

    func testDescriptionAndKind() {
        XCTAssertEqual(JSONValue.string("a\"b").description, #""a\"b""#)
        XCTAssertEqual(sample["d"]?.description, #"{"x": "é😀\u001f\"\\/", "y": null, "z": true}"#)
        XCTAssertEqual([JSONValue.null, true, 1, 1.5, "s", [], [:]].map(\.kind),
                       ["null", "a boolean", "an integer", "a number", "a string", "an array", "an object"])
        XCTAssertEqual(JSONObject(["b": 1, "a": 2, "é": 3, "Z": 4]).keys, ["Z", "a", "b", "é"], "dictionaries sort by scalar")
    }
}
