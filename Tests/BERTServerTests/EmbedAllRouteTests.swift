import BERTJSON
import BERTServer
import BERTTasks
import Foundation
import SafeTensors
import TestSupport
import XCTest

/// `/embed_all` against PyTorch: every token's vector equals transformers' last hidden state of all-MiniLM-L6-v2
/// (Tests/Fixtures/minilm, from scripts/make_model_goldens.py) within 1e-4; and TEI's character pre-check.
final class EmbedAllRouteTests: XCTestCase {
    func testEveryTokenVectorEqualsPyTorch() async throws {
        let inputs = try JSONValue.parse(Array(Data(contentsOf: fixtureURL("minilm/inputs.json"))))
        let golden = try SafeTensorsFile(url: fixtureURL("minilm/hidden_states.safetensors"))
        let sentences = try XCTUnwrap(inputs["sentences"]?.arrayValue)
        let server = try await RunningServer.start()
        // One request for all (the longest is cut to max_seq_length 256, as the fixture's tokenizer did), sent
        // together with an /embed request so the queue runs both kinds in one batch.
        async let embedded = server.request("/embed", body: #"{"inputs": ["A man is eating food."]}"#)
        let texts = JSONValue.array(sentences.map { $0["text"]! })
        let answer = try await server.request("/embed_all", body: try jsonText(["inputs": texts, "truncate": true]))
        XCTAssertEqual(answer.status, 200, answer.text)
        let embeddedAnswer = try await embedded
        XCTAssertEqual(embeddedAnswer.status, 200)
        let all = try XCTUnwrap(try answer.json().arrayValue)
        XCTAssertEqual(all.count, sentences.count)
        var worst: Float = 0
        for (i, (tokens, sentence)) in zip(all, sentences).enumerated() {
            let vectors = (tokens.arrayValue ?? []).map { ($0.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) } }
            XCTAssertEqual(vectors.count, sentence["input_ids"]?.arrayValue?.count, "sentence \(i): one vector per token")
            XCTAssertTrue(vectors.allSatisfy { $0.count == 384 }, "sentence \(i): hidden size")
            let rows = try golden.int64s("s\(i).rows").map(Int.init)
            let got = rows.flatMap { vectors[$0] }
            let expected = try golden.floats("s\(i).hidden.6")
            worst = max(worst, maxAbsDifference(got, expected))
            assertClose(got, expected, atol: 1e-4, rtol: 0, "sentence \(i) token vectors vs PyTorch")
        }
        print("/embed_all vs transformers' last hidden state: max |diff| \(worst)")
        let single = try await server.request("/embed_all", body: #"{"inputs": "Hello world"}"#).json()
        XCTAssertEqual(single.arrayValue?.count, 1, "a single input is a list of one")
        XCTAssertEqual(single[0]?.arrayValue?.count, 4, "[CLS] hello world [SEP]")
        let tooLong = try await server.request("/embed_all", body: try jsonText(["inputs": sentences[4]["text"]!]))
        XCTAssertEqual(tooLong.status, 422, tooLong.text)
        try await server.stop()
    }

    func testCharacterPreCheckBeforeTokenizing() async throws {
        let server = try await RunningServer.start { $0.maxInputLength = 8 }
        // 8 tokens × 250 = 2000 characters (Unicode scalars, as Rust's chars()).
        let long = String(repeating: "é", count: 2001)
        for route in ["/embed", "/embed_all", "/v1/embeddings"] {
            let key = route == "/v1/embeddings" ? "input" : "inputs"
            let answer = try await server.request(route, body: try jsonText([key: .string(long)]))
            XCTAssertEqual(answer.status, 422, "\(route): \(answer.text)")
            XCTAssertTrue(answer.text.contains("must have less than 2000 characters. Given: 2001"), answer.text)
        }
        let cut = try await server.request("/embed", body: try jsonText(["inputs": .string(long), "truncate": true]))
        XCTAssertEqual(cut.status, 200, cut.text)
        try await server.stop()
    }
}
