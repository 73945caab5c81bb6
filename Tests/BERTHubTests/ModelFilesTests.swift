import BERTHub
import Foundation
import XCTest

final class ModelFilesTests: XCTestCase {
    func testMiniLM() throws {
        let dir = try HubFixtures.requireMiniLM()
        let files = try ModelFiles(directory: dir)
        XCTAssertEqual(files.config.hiddenSize, 384)
        XCTAssertEqual(files.encoderDirectory.path, dir.path)
        XCTAssertEqual(files.weightFiles.map(\.lastPathComponent), ["model.safetensors"])
        XCTAssertEqual(files.sentenceTransformer?.pooling?.modes, [.mean])
        XCTAssertNotNil(files.optionalFile("vocab.txt"))
        XCTAssertNil(files.optionalFile("nope.txt"))
        XCTAssertThrowsError(try files.requiredFile("nope.txt")) { error in
            guard case let .fileMissing(path) = error as? BERTHubError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("nope.txt"))
        }
        // Through a fake cache whose snapshot links to the real directory's files.
        let cache = try HubFixtures.temporaryDirectory(self)
        let snapshot = cache.appendingPathComponent("models--sentence-transformers--all-MiniLM-L6-v2/snapshots/abc")
        try FileManager.default.createDirectory(at: snapshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: snapshot, withDestinationURL: dir)
        let cached = try ModelFiles.resolve("sentence-transformers/all-MiniLM-L6-v2", locator: ModelLocator(hubCache: cache))
        XCTAssertEqual(cached.config, files.config)
    }

    func testShardsSubfolderEncoderAndMissingWeights() throws {
        let dir = try HubFixtures.temporaryDirectory(self)
        let config = try String(contentsOf: HubFixtures.configs.appendingPathComponent("bert.json"), encoding: .utf8)
        try HubFixtures.write(#"[{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"}]"#,
                              to: "modules.json", in: dir)
        try HubFixtures.write(config, to: "0_Transformer/config.json", in: dir)
        try HubFixtures.write("x", to: "0_Transformer/pytorch_model.bin", in: dir)
        XCTAssertThrowsError(try ModelFiles(directory: dir)) { error in
            guard case let .weightsMissing(_, found) = error as? BERTHubError else { return XCTFail("\(error)") }
            XCTAssertEqual(found, ["pytorch_model.bin"])
            XCTAssertTrue("\(error)".contains("save_file"))
        }
        try HubFixtures.write(#"{"metadata": {}, "weight_map": {"a": "model-00002-of-00002.safetensors", "b": "model-00001-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}}"#,
                              to: "0_Transformer/model.safetensors.index.json", in: dir)
        XCTAssertThrowsError(try ModelFiles(directory: dir)) { error in
            guard case let .fileMissing(path) = error as? BERTHubError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("model-00001-of-00002.safetensors"))
        }
        try HubFixtures.write("", to: "0_Transformer/model-00001-of-00002.safetensors", in: dir)
        try HubFixtures.write("", to: "0_Transformer/model-00002-of-00002.safetensors", in: dir)
        let files = try ModelFiles(directory: dir)
        XCTAssertEqual(files.encoderDirectory.lastPathComponent, "0_Transformer")
        XCTAssertEqual(files.weightFiles.map(\.lastPathComponent),
                       ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        XCTAssertEqual(files.config.hiddenSize, 64)
    }
}
