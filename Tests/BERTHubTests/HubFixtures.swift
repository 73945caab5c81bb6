import Foundation
import XCTest

/// Locations of the committed fixtures and the fetched test model, relative to this source file.
enum HubFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let hub = repositoryRoot.appendingPathComponent("Tests/Fixtures/hub")
    static let configs = hub.appendingPathComponent("configs")
    static let st6 = hub.appendingPathComponent("st6_cls_mean_dense")

    /// The all-MiniLM-L6-v2 directory, or a failure telling how to fetch it.
    static func requireMiniLM(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
            XCTFail("missing \(url.path): run scripts/fetch-models.sh first", file: file, line: line)
            throw XCTSkip("model not fetched")
        }
        return url
    }

    /// A fresh temporary directory, removed at the end of the test.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("berthub-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `text` to `directory/relativePath`, creating folders.
    @discardableResult
    static func write(_ text: String, to relativePath: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }
}
