import BERTModels
import BERTTasks
import Foundation
import TestSupport
import XCTest

/// `similarity_fn_name` and `SentenceTransformer.similarity` against sentence-transformers' `model.similarity`
/// (Tests/Fixtures/minilm/similarity_functions.json, scripts/make_similarity_goldens.py).
final class SimilarityFunctionTests: XCTestCase {
    /// A copy of all-MiniLM-L6-v2, made once per test; `folder` rewrites its settings.
    lazy var copy: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("similarity-\(UUID().uuidString)")
        try! FileManager.default.copyItem(at: try! modelURL("all-MiniLM-L6-v2"), to: dir)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }()

    /// The copy with `similarity_fn_name` set to `function` (nil: absent), with or without Normalize.
    func folder(_ function: String?, normalize: Bool) throws -> URL {
        let source = try modelURL("all-MiniLM-L6-v2")
        var modules = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("modules.json"))) as! [[String: Any]]
        if !normalize { modules.removeAll { ($0["type"] as! String).hasSuffix("Normalize") } }
        try JSONSerialization.data(withJSONObject: modules).write(to: copy.appendingPathComponent("modules.json"))
        let config: [String: Any] = function.map { ["similarity_fn_name": $0] } ?? [:]
        try JSONSerialization.data(withJSONObject: config).write(to: copy.appendingPathComponent("config_sentence_transformers.json"))
        return copy
    }

    func testEveryFunctionMatchesSentenceTransformers() throws {
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("minilm/similarity_functions.json"))) as! [String: Any]
        let texts = golden["texts"] as! [String]
        var worst: Float = 0
        for (variant, entry) in golden["models"] as! [String: [String: [[Double]]]] {
            for (name, expected) in entry {
                let model = try SentenceTransformer(directory: folder(name, normalize: variant == "normalized"))
                XCTAssertEqual(model.similarityFunction.rawValue, name)
                let e = try model.encode(texts)
                let got = model.similarity(e, e)
                for (i, row) in expected.enumerated() {
                    for (j, value) in row.enumerated() {
                        let diff = abs(got[i][j] - Float(value))
                        worst = max(worst, diff / max(1, abs(Float(value))))
                        XCTAssertLessThanOrEqual(diff, 1e-4 * max(1, abs(Float(value))), "\(variant) \(name) [\(i)][\(j)]")
                    }
                }
            }
        }
        print("model.similarity: max relative |diff| vs sentence-transformers = \(worst)")
    }

    func testDefaultsAndUnsupportedNames() throws {
        XCTAssertEqual(try SentenceTransformer(directory: folder(nil, normalize: true)).similarityFunction, .cosine)
        let splade = try makeSpladeFolder()
        addTeardownBlock { try? FileManager.default.removeItem(at: splade) }
        XCTAssertEqual(try SentenceTransformer(directory: splade).similarityFunction, .dot, "SparseEncoder's default")
        for bad in ["maxsim", "dot_product"] {
            XCTAssertThrowsError(try SentenceTransformer(directory: folder(bad, normalize: true))) { error in
                XCTAssertTrue("\(error)".contains("similarity_fn_name \"\(bad)\" is not supported"), "\(error)")
            }
        }
    }
}
