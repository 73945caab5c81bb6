import BERTHub
import Foundation
import XCTest

final class ModelLocatorTests: XCTestCase {
    /// A fake hub cache: `models--acme--tiny-bert` with two snapshots and `refs/main` → the older one, and a
    /// `v1` tag.
    private func fakeCache() throws -> (cache: URL, main: URL, newer: URL) {
        let cache = try HubFixtures.temporaryDirectory(self).appendingPathComponent("hub")
        let repo = "models--acme--tiny-bert"
        let main = try HubFixtures.write("{}", to: "\(repo)/snapshots/aaaa1111/config.json", in: cache)
            .deletingLastPathComponent()
        let newer = try HubFixtures.write("{}", to: "\(repo)/snapshots/bbbb2222/config.json", in: cache)
            .deletingLastPathComponent()
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)],
                                              ofItemAtPath: main.path)
        try HubFixtures.write("aaaa1111", to: "\(repo)/refs/main", in: cache)
        try HubFixtures.write("bbbb2222\n", to: "\(repo)/refs/v1", in: cache)
        return (cache, main, newer)
    }

    func testResolvesModelIdThroughRefs() throws {
        let (cache, main, newer) = try fakeCache()
        let locator = ModelLocator(hubCache: cache)
        XCTAssertEqual(try locator.resolve("acme/tiny-bert").path, main.path)
        XCTAssertEqual(try locator.resolve("acme/tiny-bert", revision: "v1").path, newer.path)
        XCTAssertEqual(try locator.resolve("acme/tiny-bert@v1").path, newer.path)
        XCTAssertEqual(try locator.resolve("acme/tiny-bert@aaaa1111").path, main.path, "a commit names a snapshot")
    }

    func testNewestSnapshotWithoutRef() throws {
        let (cache, _, newer) = try fakeCache()
        try FileManager.default.removeItem(at: cache.appendingPathComponent("models--acme--tiny-bert/refs/main"))
        XCTAssertEqual(try ModelLocator(hubCache: cache).resolve("acme/tiny-bert").path, newer.path)
    }

    func testRefToMissingSnapshot() throws {
        let (cache, _, _) = try fakeCache()
        try HubFixtures.write("cccc3333", to: "models--acme--tiny-bert/refs/main", in: cache)
        XCTAssertThrowsError(try ModelLocator(hubCache: cache).resolve("acme/tiny-bert")) { error in
            guard case .snapshotMissing("acme/tiny-bert", "main", let path) = error as? BERTHubError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(path.hasSuffix("snapshots/cccc3333"))
        }
    }

    func testNotFoundListsWhereItLooked() throws {
        let (cache, _, _) = try fakeCache()
        XCTAssertThrowsError(try ModelLocator(hubCache: cache).resolve("acme/other-model")) { error in
            guard case let .modelNotFound("acme/other-model", searched) = error as? BERTHubError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(searched.contains { $0.contains("models--acme--other-model/refs/main") }, "\(searched)")
            XCTAssertTrue(searched.contains { $0.contains("models--acme--other-model/snapshots") }, "\(searched)")
            XCTAssertTrue("\(error)".contains("HF_HUB_CACHE"))
        }
        XCTAssertThrowsError(try ModelLocator(hubCache: cache).resolve("acme/tiny-bert@nope")) { error in
            guard case .modelNotFound = error as? BERTHubError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ModelLocator(hubCache: cache).resolve("./no/such/dir")) { error in
            guard case let .modelNotFound(_, searched) = error as? BERTHubError else { return XCTFail("\(error)") }
            XCTAssertEqual(searched.count, 1, "a path is not looked up in the cache")
        }
    }

    func testDirectoryPathsWinAndFilesAreRejected() throws {
        let dir = try HubFixtures.temporaryDirectory(self)
        let model = try HubFixtures.write("{}", to: "my-model/config.json", in: dir)
        let locator = ModelLocator(hubCache: dir.appendingPathComponent("empty-cache"))
        XCTAssertEqual(try locator.resolve(model.deletingLastPathComponent().path).path,
                       model.deletingLastPathComponent().path)
        XCTAssertThrowsError(try locator.resolve(model.path)) { error in
            guard case .notADirectory = error as? BERTHubError else { return XCTFail("\(error)") }
        }
    }

    func testCacheLocationFromEnvironment() {
        XCTAssertEqual(ModelLocator.hubCache(environment: ["HF_HUB_CACHE": "/a", "HF_HOME": "/b"]).path, "/a")
        XCTAssertEqual(ModelLocator.hubCache(environment: ["HF_HOME": "/b", "XDG_CACHE_HOME": "/c"]).path, "/b/hub")
        XCTAssertEqual(ModelLocator.hubCache(environment: ["XDG_CACHE_HOME": "/c"]).path, "/c/huggingface/hub")
        XCTAssertTrue(ModelLocator.hubCache(environment: [:]).path.hasSuffix("/.cache/huggingface/hub"))
        XCTAssertEqual(ModelLocator(environment: ["HF_HUB_CACHE": "/x"]).hubCache.path, "/x")
    }
}
