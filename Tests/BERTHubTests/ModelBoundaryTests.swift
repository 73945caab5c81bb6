import BERTHub
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Model files resolve inside the model folder (or, for a cache snapshot, its `models--ORG--NAME` folder), and a
/// path this user may not reach is reported as permission denied, not as missing.
final class ModelBoundaryTests: XCTestCase {
    private let pooling = #"{"word_embedding_dimension": 4, "pooling_mode_mean_tokens": true}"#

    private func modules(path: String) -> String {
        #"[{"idx": 0, "name": "0", "path": "\#(path)", "type": "sentence_transformers.models.Pooling"}]"#
    }

    private func expectOutside(_ body: @autoclosure () throws -> Any, path: String, resolved: Bool,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let .pathOutsideModel(_, p, r, _)? = error as? BERTHubError else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertTrue(p.hasSuffix(path), "\(p)", file: file, line: line)
            XCTAssertEqual(r != nil, resolved, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("leads outside the model folder"), "\(error)", file: file, line: line)
        }
    }

    func testModulePathsAndSymlinksOutOfTheModelAreRefused() throws {
        let root = try HubFixtures.temporaryDirectory(self)
        let model = root.appendingPathComponent("a/b/model")
        // What `../../x` and the absolute path point at exists and is valid, so following them would succeed.
        try HubFixtures.write(pooling, to: "a/x/config.json", in: root)
        for path in ["../../x", root.appendingPathComponent("a/x").path, "p/../../../x"] {
            try HubFixtures.write(modules(path: path), to: "modules.json", in: model)
            expectOutside(try SentenceTransformerLayout(directory: model), path: path, resolved: false)
        }
        // A module folder that is a symlink out of the model.
        try FileManager.default.createSymbolicLink(at: model.appendingPathComponent("linked"),
                                                   withDestinationURL: root.appendingPathComponent("a/x"))
        try HubFixtures.write(modules(path: "linked"), to: "modules.json", in: model)
        expectOutside(try SentenceTransformerLayout(directory: model), path: "linked", resolved: true)
        // A config file that is a symlink out of the model.
        try FileManager.default.createDirectory(at: model.appendingPathComponent("p"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: model.appendingPathComponent("p/config.json"),
                                                   withDestinationURL: root.appendingPathComponent("a/x/config.json"))
        try HubFixtures.write(modules(path: "p"), to: "modules.json", in: model)
        expectOutside(try SentenceTransformerLayout(directory: model), path: "p/config.json", resolved: true)
        // Inside the model, a relative link is fine.
        try FileManager.default.removeItem(at: model.appendingPathComponent("p/config.json"))
        try HubFixtures.write(pooling, to: "q/config.json", in: model)
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent("p/config.json").path,
                                                   withDestinationPath: "../q/config.json")
        XCTAssertEqual(try SentenceTransformerLayout(directory: model).pooling?.modes, [.mean])
    }

    func testCacheSnapshotsLinkIntoTheirBlobsButNoFurther() throws {
        let cache = try HubFixtures.temporaryDirectory(self)
        let repo = cache.appendingPathComponent("models--org--tiny")
        let config = try String(contentsOf: HubFixtures.configs.appendingPathComponent("bert.json"), encoding: .utf8)
        try HubFixtures.write(config, to: "blobs/c0ffee", in: repo)
        try HubFixtures.write("", to: "blobs/beef", in: repo)
        try HubFixtures.write("abc", to: "refs/main", in: repo)
        let snapshot = repo.appendingPathComponent("snapshots/abc")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent("config.json").path, withDestinationPath: "../../blobs/c0ffee")
        try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent("model.safetensors").path, withDestinationPath: "../../blobs/beef")
        let files = try ModelFiles.resolve("org/tiny", locator: ModelLocator(hubCache: cache))
        XCTAssertEqual(files.weightFiles.map(\.lastPathComponent), ["model.safetensors"])
        // Another cached model's blob is outside this model's repository folder.
        try HubFixtures.write(config, to: "models--org--other/blobs/d00d", in: cache)
        try fm.removeItem(at: snapshot.appendingPathComponent("config.json"))
        try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent("config.json").path,
                                  withDestinationPath: "../../../models--org--other/blobs/d00d")
        expectOutside(try ModelFiles.resolve("org/tiny", locator: ModelLocator(hubCache: cache)), path: "config.json", resolved: true)
    }

    /// Runs `body` without root's power to ignore permissions (tests may run as root).
    private func unprivileged<T>(_ body: () throws -> T) rethrows -> T {
        let wasRoot = geteuid() == 0
        if wasRoot { XCTAssertEqual(seteuid(65534), 0, "cannot drop to nobody") }
        defer { if wasRoot { _ = seteuid(0) } }
        return try body()
    }

    func testPermissionDeniedIsNotReportedAsMissing() throws {
        let root = try HubFixtures.temporaryDirectory(self)
        let locked = root.appendingPathComponent("locked")
        let config = try String(contentsOf: HubFixtures.configs.appendingPathComponent("bert.json"), encoding: .utf8)
        try HubFixtures.write(config, to: "locked/model/config.json", in: root)
        try HubFixtures.write(config, to: "open/config.json", in: root)
        let unreadable = root.appendingPathComponent("open/config.json")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: unreadable.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
        addTeardownBlock { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        let hidden = locked.appendingPathComponent("model")
        func expectDenied(_ path: String, line: UInt = #line, _ body: () throws -> Any) {
            XCTAssertThrowsError(try unprivileged(body), line: line) { error in
                XCTAssertEqual(error as? BERTHubError, .permissionDenied(path: path), line: line)
                XCTAssertTrue("\(error)".contains("permission denied"), "\(error)", line: line)
            }
        }
        expectDenied(hidden.path) { try ModelLocator(hubCache: root).resolve(hidden.path) }
        expectDenied(hidden.appendingPathComponent("config.json").path) {
            try BertConfig(contentsOf: hidden.appendingPathComponent("config.json"))
        }
        expectDenied(unreadable.path) { try BertConfig(contentsOf: unreadable) }
    }
}
