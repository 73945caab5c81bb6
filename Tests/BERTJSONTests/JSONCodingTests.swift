import BERTJSON
import Foundation
import XCTest

/// `JSONCoding`: Codable values through BERTJSON's reader and writer, as `JSONEncoder`/`JSONDecoder` would.
final class JSONCodingTests: XCTestCase {
    struct Inner: Codable, Equatable { var name: String; var weights: [Float] }
    enum Order: Codable, Equatable { case sequential, shuffled(seed: UInt64) }
    struct State: Codable, Equatable {
        var step: Int
        var seed: UInt64
        var state: [UInt64]
        var rate: Float
        var loss: Double?
        var missing: Int?
        var inner: Inner
        var order: Order
        var folder: URL
        var byName: [String: Int]
    }

    let state = State(step: 12, seed: .max, state: [0, 1 << 63, UInt64(Int64.max)], rate: 5e-5, loss: 0.1, missing: nil,
                      inner: Inner(name: "a \"b\"", weights: [0.1, -2.5e-8, 3]), order: .shuffled(seed: 0xDEAD_BEEF_F00D_CAFE),
                      folder: URL(fileURLWithPath: "/tmp/run"), byName: ["x": 1, "y": -2])

    func testRoundTripThroughTextIsExact() throws {
        let text = try JSONCoding.encode(state).serializedData(options: [.prettyPrinted, .sortedKeys])
        let again = try JSONCoding.decode(State.self, from: try JSONValue.parse(text))
        XCTAssertEqual(again, state)
        // UInt64 beyond Int64 stays exact, and Float is written as its shortest decimal.
        let json = try JSONValue.parse(text)
        XCTAssertEqual(json["seed"], .unsigned(.max))
        XCTAssertEqual(String(decoding: try json["rate"]!.serialized(), as: UTF8.self), "5e-05")
        XCTAssertNil(json["missing"], "nil optionals are left out, as JSONEncoder does")
    }

    func testReadsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let foundation = try encoder.encode(state)
        XCTAssertEqual(try JSONCoding.decode(State.self, from: try JSONValue.parse(foundation)), state)
        // And JSONDecoder reads what we write.
        let ours = try JSONCoding.encode(state).serializedData()
        XCTAssertEqual(try JSONDecoder().decode(State.self, from: ours), state)
    }

    func testNonFiniteNumbersAsStrings() throws {
        let values: [Double] = [.nan, .infinity, -.infinity, 1.5]
        let json = try JSONCoding.encode(values, nonFiniteAsStrings: true)
        XCTAssertEqual(json, .array([.string("nan"), .string("inf"), .string("-inf"), .number(1.5)]))
        let back = try JSONCoding.decode([Double].self, from: json, nonFiniteFromStrings: true)
        XCTAssertTrue(back[0].isNaN)
        XCTAssertEqual(Array(back.dropFirst()), [.infinity, -.infinity, 1.5])
        XCTAssertThrowsError(try JSONCoding.decode([Double].self, from: json), "strings are not numbers unless asked")
        XCTAssertThrowsError(try JSONCoding.encode([Double.nan]).serialized(), "the writer refuses NaN")
    }

    func testOutOfRangeAndWrongKindsAreErrors() throws {
        XCTAssertThrowsError(try JSONCoding.decode(UInt8.self, from: .integer(256)))
        XCTAssertThrowsError(try JSONCoding.decode(Int.self, from: .number(1.5)))
        XCTAssertThrowsError(try JSONCoding.decode(UInt64.self, from: .integer(-1)))
        XCTAssertThrowsError(try JSONCoding.decode(Int64.self, from: .unsigned(.max)))
        XCTAssertEqual(try JSONCoding.decode(Int.self, from: .number(3)), 3)
        XCTAssertThrowsError(try JSONCoding.decode(State.self, from: .object(["step": 1]))) { error in
            guard case DecodingError.keyNotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try JSONCoding.decode([Int].self, from: .string("x")))
    }

    func testParserKeepsLargeWholeNumbersExact() throws {
        XCTAssertEqual(try JSONValue.parse("18446744073709551615"), .unsigned(.max))
        XCTAssertEqual(try JSONValue.parse("9223372036854775807"), .integer(.max))
        XCTAssertEqual(try JSONValue.parse("18446744073709551616"), .number(18446744073709551616))
        XCTAssertEqual(try JSONValue.parse("-9223372036854775809"), .number(-0x1p63))
        XCTAssertEqual(JSONValue.unsigned(1 << 63).uint64Value, 1 << 63)
        XCTAssertEqual(String(decoding: try JSONValue.unsigned(.max).serialized(), as: UTF8.self), "18446744073709551615")
    }
}
