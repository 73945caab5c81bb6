import BERTJSON
import BERTServer
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `/tokenize` and `/decode` against the model's tokenizer: TEI's token objects with UTF-8 byte offsets.
final class TokenizeRouteTests: XCTestCase {
    func testTokenizeAndDecode() async throws {
        let server = try await RunningServer.start()
        let model = try SentenceTransformer(directory: modelURL("all-MiniLM-L6-v2"))
        let text = "Café naïve 日本 test"
        let answer = try await server.request("/tokenize", body: try jsonText(["inputs": .array([.string(text), "b"])]))
        XCTAssertEqual(answer.status, 200, answer.text)
        let lists = try answer.json().arrayValue ?? []
        XCTAssertEqual(lists.count, 2)
        let tokens = lists[0].arrayValue ?? []
        let encoding = try model.tokenizer.encode(text)
        XCTAssertEqual(tokens.map { $0["id"]?.intValue }, encoding.ids.map { $0 })
        XCTAssertEqual(tokens.first?["special"], true)
        XCTAssertEqual(tokens.first?["start"], .null)
        let bytes = Array(text.utf8)
        for token in tokens where token["special"] == false {
            let start = try XCTUnwrap(token["start"]?.intValue), stop = try XCTUnwrap(token["stop"]?.intValue)
            XCTAssertEqual(String(decoding: bytes[start..<stop], as: UTF8.self), token["text"]?.stringValue, "byte offsets slice the text")
        }
        XCTAssertTrue(tokens.contains { $0["text"] == "日" }, answer.text)

        let plain = try await server.request("/tokenize", body: #"{"inputs": "b", "add_special_tokens": false}"#).json()
        XCTAssertEqual(plain[0]?.arrayValue?.count, 1)

        let decoded = try await server.request("/decode", body: try jsonText(
            ["ids": .array(encoding.ids.map { .integer(Int64($0)) })])).json()
        XCTAssertEqual(decoded, .array([.string(model.tokenizer.decode(encoding.ids, skipSpecialTokens: true))]))
        let kept = try await server.request("/decode", body: #"{"ids": [[101, 1038, 102]], "skip_special_tokens": false}"#).json()
        XCTAssertEqual(kept[0]?.stringValue, model.tokenizer.decode([101, 1038, 102], skipSpecialTokens: false))
        let answer1 = try await server.request("/decode", body: #"{"ids": [1, -4]}"#)
        XCTAssertEqual(answer1.status, 422)
        let answer2 = try await server.request("/decode", body: #"{"ids": []}"#)
        XCTAssertEqual(answer2.status, 400)
        let answer3 = try await server.request("/tokenize", body: #"{"inputs": 5}"#)
        XCTAssertEqual(answer3.status, 422)
        try await server.stop()
    }
}
