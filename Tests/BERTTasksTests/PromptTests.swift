import BERTModels
import BERTTasks
import BERTTensor
import Foundation
import TestSupport
import XCTest

/// Prompts as sentence-transformers applies them: prepended text, named prompts and a default from
/// config_sentence_transformers.json, and `include_prompt: false` leaving the prompt's tokens out of pooling.
final class PromptTests: XCTestCase {
    /// all-MiniLM-L6-v2 with prompts configured (weights hard-linked); `includePrompt` edits 1_Pooling/config.json.
    func model(prompts: String, includePrompt: Bool = true) throws -> SentenceTransformer {
        let source = try modelURL("all-MiniLM-L6-v2")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name), to = folder.appendingPathComponent(name)
            if name == "model.safetensors" { try fm.linkItem(at: from, to: to) } else { try fm.copyItem(at: from, to: to) }
        }
        addTeardownBlock { try? fm.removeItem(at: folder) }
        try prompts.write(to: folder.appendingPathComponent("config_sentence_transformers.json"), atomically: true, encoding: .utf8)
        if !includePrompt {
            let pooling = folder.appendingPathComponent("1_Pooling/config.json")
            let text = try String(contentsOf: pooling, encoding: .utf8)
                .replacingOccurrences(of: "\"pooling_mode_mean_sqrt_len_tokens\": false", with: "\"pooling_mode_mean_sqrt_len_tokens\": false, \"include_prompt\": false")
            try text.write(to: pooling, atomically: true, encoding: .utf8)
        }
        return try SentenceTransformer(directory: folder)
    }

    static let config = #"{"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": "query"}"#

    func testPromptsArePrependedByNameOrDefault() throws {
        let m = try model(prompts: Self.config)
        let texts = ["A man is eating food.", "A cat sleeps."]
        XCTAssertEqual(try m.encode(texts), try m.encode(texts.map { "query: " + $0 }, prompt: ""), "the default prompt")
        XCTAssertEqual(try m.encode(texts, promptName: "passage"), try m.encode(texts.map { "passage: " + $0 }, prompt: ""))
        XCTAssertEqual(try m.encode(texts, prompt: "x: ", promptName: "passage"), try m.encode(texts.map { "x: " + $0 }, prompt: ""),
                       "a given prompt wins over a name")
        XCTAssertNotEqual(try m.encode(texts), try m.encode(texts, prompt: ""), "the prompt changes the vectors")
        XCTAssertThrowsError(try m.encode(texts, promptName: "nope")) { error in
            XCTAssertTrue("\(error)".contains("nope") && "\(error)".contains("passage, query"), "\(error)")
        }
    }

    func testDefaultPromptNameMustBeAPrompt() throws {
        XCTAssertThrowsError(try model(prompts: #"{"prompts": {"query": "q: "}, "default_prompt_name": "other"}"#)) { error in
            XCTAssertTrue("\(error)".contains("default_prompt_name"), "\(error)")
        }
    }

    /// include_prompt false: mean over the token states after [CLS] + prompt (sentence-transformers' prompt_length
    /// = len(tokenize(prompt)) - 1), computed here from the encoder's own hidden states.
    func testExcludedPromptTokensAreNotPooled() throws {
        let m = try model(prompts: Self.config, includePrompt: false)
        XCTAssertFalse(m.includesPromptInPooling)
        let text = "A man is eating food."
        let vector = try m.encode([text], promptName: "query")[0]
        let promptLength = try m.tokenize(["query: "])[0].count - 1  // [CLS] query : ([SEP] not counted)
        XCTAssertEqual(promptLength, 3)
        let ids = try m.tokenize(["query: " + text])[0].ids
        let hidden = try m.bert(EncoderInput(rows: [ids])).lastHiddenState
        let width = hidden.shape[2], states = hidden.scalars
        var mean = [Float](repeating: 0, count: width)
        for p in promptLength..<ids.count { for d in 0..<width { mean[d] += states[p * width + d] } }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let expected = mean.map { $0 / norm }  // the model ends in Normalize; the count cancels
        let difference = zip(vector, expected).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(difference, 1e-5)
        // Pooling over every token gives something else.
        XCTAssertGreaterThan(zip(try model(prompts: Self.config).encode([text])[0], vector).map { abs($0 - $1) }.max()!, 1e-3)
    }
}
