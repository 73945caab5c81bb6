import Foundation
import XCTest

/// Locations of the committed fixtures and the fetched test model, relative to this source file.
enum FixturePaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let safetensors = repositoryRoot.appendingPathComponent("Tests/Fixtures/safetensors")
    static let miniLM = repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2")

    /// The MiniLM checkpoint, or a failure telling how to fetch it.
    static func requireMiniLM(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = miniLM.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("missing \(url.path): run scripts/fetch-models.sh first", file: file, line: line)
            throw XCTSkip("model not fetched")
        }
        return url
    }

    /// A fresh temporary directory, removed at the end of the test.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
