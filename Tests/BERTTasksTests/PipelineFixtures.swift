import BERTModels
import BERTNN
import BERTTasks
import BERTTokenizers
import Foundation
import TestSupport
import XCTest

/// The generated-weight checkpoints of scripts/make_pipeline_goldens.py: every parameter from the key-seeded
/// `SyntheticCheckpoint` generator, head keys (`classifier.*`, `qa_outputs.*`,
/// `cls.predictions.transform.LayerNorm.weight`) multiplied by 20 in float32.
struct ScaledSyntheticSource: TensorSource {
    static let headScale: Float = 20
    let base: SyntheticCheckpoint
    var tensorNames: [String] { base.tensorNames }
    var sourceDescription: String { "scaled synthetic checkpoint" }
    func shape(of name: String) throws -> [Int] { try base.shape(of: name) }
    func floats(_ name: String) throws -> [Float] {
        let v = try base.floats(name)
        return Self.scaled(name) ? v.map { $0 * Self.headScale } : v
    }
    static func scaled(_ key: String) -> Bool {
        key.hasPrefix("classifier.") || key.hasPrefix("qa_outputs.") || key == "cls.predictions.transform.LayerNorm.weight"
    }

    /// Fills every parameter of `model`; checks the keys are the ones Python generated.
    static func fill(_ model: Module, expectedKeys: [String]) throws {
        let named = model.namedParameters()
        XCTAssertEqual(Set(named.map(\.key)), Set(expectedKeys), "parameter keys differ from transformers' named_parameters()")
        let source = ScaledSyntheticSource(base: SyntheticCheckpoint(shapesOf: model))
        try model.load(from: source, prefixes: [""])
    }
}

/// A golden file of Tests/Fixtures/pipelines as loose JSON.
struct PipelineGolden {
    let root: [String: Any]
    init(_ name: String) throws {
        root = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("pipelines/\(name).json"))) as! [String: Any]
    }

    static func config(_ json: Any) throws -> BertConfig {
        try BertConfig(jsonData: JSONSerialization.data(withJSONObject: json))
    }

    /// bert-base-uncased's tokenizer (models/all-MiniLM-L6-v2) with tokenizer.json's truncation and padding cleared.
    static func tokenizer() throws -> Tokenizer {
        var t = try Tokenizer(directory: modelURL("all-MiniLM-L6-v2"))
        try t.setTruncation(nil)
        t.padding = nil
        return t
    }
}

/// Score comparison shared by the golden tests: |swift − python| ≤ 1e-4.
func assertScore(_ actual: Double, _ expected: Any?, _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
    let e = (expected as? NSNumber)?.doubleValue ?? .nan
    XCTAssertLessThanOrEqual(abs(actual - e), 1e-4, "\(what()): score \(actual), transformers \(e)", file: file, line: line)
}

/// Tracks the largest score difference seen, for the test log.
final class MaxDiff {
    var value = 0.0
    func see(_ a: Double, _ b: Any?) { if let b = (b as? NSNumber)?.doubleValue { value = max(value, abs(a - b)) } }
}
