import BERTHub
import Foundation
import TestSupport
import XCTest

/// HubDownloader against the loopback hub double: the cache it writes must be the one huggingface_hub writes
/// for the same answers (golden from scripts/make_hub_download_goldens.py), and every failure a typed error.
final class HubDownloadTests: XCTestCase {
    var hub: HubDouble!
    var cache: URL!

    override func setUpWithError() throws {
        hub = try HubDouble()
        try hub.start()
        cache = try HubFixtures.temporaryDirectory(self)
    }

    override func tearDown() { hub.stop() }

    func downloader(_ extra: [String: String] = [:]) -> HubDownloader {
        var settings = HubSettings(environment: ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": cache.path].merging(extra) { $1 })
        settings.retryDelay = 0.01
        return HubDownloader(settings: settings)
    }

    func testWholeRepositoryGivesHuggingFaceHubsCacheLayout() throws {
        let snapshot = try downloader().download(hub.repo, include: ["*"])
        XCTAssertEqual(snapshot.path, cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/snapshots/\(hub.commit)").path)
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("hub/download/cache_listing.json"))) as! [String: Any]
        let expected = (golden["listing"] as! [[String]]).map { $0.joined(separator: " ") }.sorted()
        XCTAssertEqual(try Self.listing(cache), expected)
    }

    func testDefaultDownloadTakesOnlyWhatAModelNeeds() throws {
        let snapshot = try downloader().download(hub.repo)
        let names = try Self.listing(snapshot).filter { $0.contains(" symlink ") }.map { String($0.split(separator: " ")[0]) }
        XCTAssertEqual(names, ["1_Pooling/config.json", "config.json", "config_sentence_transformers.json", "model.safetensors",
                               "modules.json", "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json"])
        XCTAssertEqual(try ModelLocator(hubCache: cache).resolve(hub.repo).path, snapshot.path)
    }

    func testSecondDownloadOnlyAsksForTheListing() throws {
        _ = try downloader().download(hub.repo)
        let before = hub.requests.count
        _ = try downloader().download(hub.repo)
        XCTAssertEqual(hub.requests.dropFirst(before).map(\.path), ["/api/models/\(hub.repo)/revision/main"])
    }

    func testBlobsAnotherToolFetchedAreReused() throws {
        // As huggingface_hub leaves a blob: named by its ETag, no snapshot link yet.
        let file = hub.files["model.safetensors"]!
        let blob = cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/blobs/\(file.etag)")
        try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.data.write(to: blob)
        _ = try downloader().download(hub.repo)
        XCTAssertFalse(hub.requests.contains { $0.path.hasPrefix("/cdn/") }, "the weights were not fetched again")
        try assertBlobIntact("model.safetensors")
    }

    func testRetriesServerErrorsThenSucceeds() throws {
        hub.fail("/api/models", times: 2)
        hub.fail("/cdn/", times: 1)
        _ = try downloader().download(hub.repo)
        XCTAssertEqual(hub.requests.filter { $0.path.hasPrefix("/api/models") }.count, 3)
        XCTAssertEqual(hub.requests.filter { $0.path.hasPrefix("/cdn/") }.count, 2)
        try assertBlobIntact("model.safetensors")
    }

    func testServerErrorThatPersistsIsReported() throws {
        hub.fail("/api/models", times: 100)
        XCTAssertThrowsError(try downloader().download(hub.repo)) { error in
            guard case .server(_, 500, _) = error as? HubDownloadError else { return XCTFail("\(error)") }
        }
    }

    func testInterruptedBlobIsContinuedWithARangeRequest() throws {
        let file = hub.files["model.safetensors"]!
        let partial = cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/blobs/\(file.etag).incomplete")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.data.prefix(100_000).write(to: partial)
        _ = try downloader().download(hub.repo)
        XCTAssertEqual(hub.requests.first { $0.path == "/cdn/\(file.etag)" }?.range, "bytes=100000-")
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
        try assertBlobIntact("model.safetensors")
    }

    func testServerIgnoringRangeStartsTheBlobAgain() throws {
        hub.ignoresRange = true
        let file = hub.files["model.safetensors"]!
        let partial = cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/blobs/\(file.etag).incomplete")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 5000).write(to: partial)
        _ = try downloader().download(hub.repo)
        try assertBlobIntact("model.safetensors")
    }

    func testTamperedBlobIsRefusedAndRemoved() throws {
        let file = hub.files["model.safetensors"]!
        hub.tampered = [file.etag]
        XCTAssertThrowsError(try downloader().download(hub.repo)) { error in
            guard case let .integrity(name, expected, _) = error as? HubDownloadError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "model.safetensors")
            XCTAssertEqual(expected, "sha256 \(file.etag)")
        }
        let blobs = cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/blobs")
        let left = try FileManager.default.contentsOfDirectory(atPath: blobs.path)
        XCTAssertFalse(left.contains { $0.hasPrefix(file.etag) }, "\(left)")
    }

    func testPathEscapingTheSnapshotIsRefused() throws {
        for hostile in ["../../evil.json", "/etc/passwd", "a//b.json", "./config.json", "x/../../y"] {
            hub.extraListing = [hostile]
            XCTAssertThrowsError(try downloader().download(hub.repo), hostile) { error in
                XCTAssertEqual(error as? HubDownloadError, .unsafePath(repo: hub.repo, path: hostile))
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.appendingPathComponent("evil.json").path))
    }

    func testGatedModelSaysToSetAToken() throws {
        hub.gatedRepos = [hub.repo]
        XCTAssertThrowsError(try downloader().download(hub.repo)) { error in
            guard case .unauthorized(_, 401, false, _) = error as? HubDownloadError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("HF_TOKEN"))
        }
        XCTAssertThrowsError(try downloader(["HF_TOKEN": "hf_x"]).download(hub.repo)) { error in
            guard case .unauthorized(_, 401, true, _) = error as? HubDownloadError else { return XCTFail("\(error)") }
        }
    }

    func testTokenIsSentFromTheEnvironmentOrTheTokenFile() throws {
        _ = try downloader(["HF_TOKEN": "hf_from_env"]).download(hub.repo, include: ["config.json"])
        XCTAssertEqual(Set(hub.authorizations), ["Bearer hf_from_env"])
        let home = try HubFixtures.temporaryDirectory(self)
        try HubFixtures.write("hf_from_file\n", to: "token", in: home)
        let settings = HubSettings(environment: ["HF_HOME": home.path])
        XCTAssertEqual(settings.token, "hf_from_file")
        XCTAssertEqual(settings.cache.path, home.appendingPathComponent("hub").path)
        XCTAssertNil(HubSettings(environment: ["HF_HOME": home.path, "HF_TOKEN_PATH": home.path + "/none"]).token)
    }

    func testLocateTakesFoldersCachedIdsAndDownloadsTheRest() throws {
        let folder = try HubFixtures.temporaryDirectory(self)
        XCTAssertEqual(try downloader().locate(folder.path).path, folder.path)
        let downloaded = try downloader().locate(hub.repo)
        XCTAssertEqual(try downloader(["HF_HUB_OFFLINE": "1"]).locate(hub.repo).path, downloaded.path)
        XCTAssertThrowsError(try downloader().locate("./no/such/folder")) { error in
            guard case .modelNotFound = error as? BERTHubError else { return XCTFail("\(error)") }
        }
    }

    func testUnknownModelRevisionAndFile() throws {
        XCTAssertThrowsError(try downloader().download("nobody/nothing")) { error in
            XCTAssertEqual(error as? HubDownloadError, .repositoryNotFound(repo: "nobody/nothing", hasToken: false))
        }
        XCTAssertThrowsError(try downloader().download(hub.repo, revision: "v9")) { error in
            XCTAssertEqual(error as? HubDownloadError, .revisionNotFound(repo: hub.repo, revision: "v9"))
        }
        hub.extraListing = ["missing.safetensors"]
        XCTAssertThrowsError(try downloader().download(hub.repo)) { error in
            XCTAssertEqual(error as? HubDownloadError, .fileNotFound(repo: hub.repo, file: "missing.safetensors"))
        }
        hub.extraListing = []
        XCTAssertThrowsError(try downloader().download(hub.repo, include: ["*.gguf"])) { error in
            XCTAssertEqual(error as? HubDownloadError, .nothingSelected(repo: hub.repo, patterns: ["*.gguf"]))
        }
    }

    func testOfflineUsesTheCacheAndNeverTheNetwork() throws {
        XCTAssertThrowsError(try downloader(["HF_HUB_OFFLINE": "1"]).download(hub.repo)) { error in
            XCTAssertEqual(error as? HubDownloadError, .offline(repo: hub.repo))
        }
        XCTAssertTrue(hub.requests.isEmpty)
        let online = try downloader().download(hub.repo)
        let count = hub.requests.count
        XCTAssertEqual(try downloader(["HF_HUB_OFFLINE": "1"]).download(hub.repo).path, online.path)
        XCTAssertEqual(hub.requests.count, count)
    }

    func testNoServerIsANetworkError() throws {
        hub.stop()
        var settings = downloader().settings
        settings.attempts = 2
        XCTAssertThrowsError(try HubDownloader(settings: settings).download(hub.repo)) { error in
            guard case .network = error as? HubDownloadError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("HF_HUB_OFFLINE"))
        }
    }

    func testSpecificRevisionWritesItsRef() throws {
        _ = try downloader().download(hub.repo, revision: hub.commit)
        let refs = cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/refs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: refs.appendingPathComponent(hub.commit).path))
        _ = try downloader().download(hub.repo)
        XCTAssertEqual(try String(contentsOf: refs.appendingPathComponent("main"), encoding: .utf8), hub.commit)
    }

    func testInventoryListsAndRemoves() throws {
        XCTAssertTrue(try HubCacheInventory(root: cache).models().isEmpty)
        _ = try downloader().download(hub.repo)
        let models = try HubCacheInventory(root: cache).models()
        XCTAssertEqual(models.map(\.id), [hub.repo])
        XCTAssertEqual(models[0].revisions.map(\.commit), [hub.commit])
        XCTAssertEqual(models[0].revisions[0].refs, ["main"])
        XCTAssertEqual(models[0].revisions[0].fileCount, 8)
        let expectedSize = ["1_Pooling/config.json", "config.json", "config_sentence_transformers.json", "model.safetensors",
                            "modules.json", "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json"]
            .reduce(Int64(0)) { $0 + Int64(hub.files[$1]!.data.count) }
        XCTAssertEqual(models[0].sizeOnDisk, expectedSize)
        XCTAssertEqual(try HubCacheInventory(root: cache).remove(hub.repo, revision: "main"), expectedSize)
        XCTAssertTrue(try HubCacheInventory(root: cache).models().isEmpty)
        XCTAssertThrowsError(try HubCacheInventory(root: cache).remove(hub.repo))
    }

    // MARK: Pieces

    func testSHA256KnownAnswers() {
        func hex(_ text: String) -> String { var h = SHA256(); h.update(Array(text.utf8)); return h.finalizeHex() }
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var chunked = SHA256()
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        million.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count { let end = min(offset + 777, raw.count); chunked.update(UnsafeRawBufferPointer(rebasing: raw[offset..<end])); offset = end }
        }
        XCTAssertEqual(chunked.finalizeHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testGlobsFollowFnmatch() {
        let g = HubFileSelection.glob
        XCTAssertTrue(g("*.json", "1_Pooling/config.json"))
        XCTAssertTrue(g("onnx/*", "onnx/model.onnx"))
        XCTAssertFalse(g("*.json", "model.safetensors"))
        XCTAssertTrue(g("model.[st]afetensors", "model.safetensors"))
        XCTAssertFalse(g("model.[!s]afetensors", "model.safetensors"))
        XCTAssertTrue(g("?_Pooling/*", "1_Pooling/config.json"))
        XCTAssertEqual(HubFileSelection.select(["onnx/a.onnx", "onnx/b", "c"], include: ["onnx/"]), ["onnx/a.onnx", "onnx/b"])
    }

    // MARK: Helpers

    func assertBlobIntact(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let entry = hub.files[path]!
        let pointer = cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model/snapshots/\(hub.commit)/\(path)")
        XCTAssertEqual(try Data(contentsOf: pointer), entry.data, file: file, line: line)
    }

    /// "path kind detail" rows as the golden script lists a cache (without `.locks/` and `trees/`).
    static func listing(_ root: URL) throws -> [String] {
        var rows: [String] = []
        let manager = FileManager.default
        let enumerator = manager.enumerator(atPath: root.path)!
        while let path = enumerator.nextObject() as? String {
            if path == ".locks" { enumerator.skipDescendants(); continue }
            let url = root.appendingPathComponent(path)
            let type = enumerator.fileAttributes?[.type] as? FileAttributeType
            if type == .typeSymbolicLink {
                rows.append("\(path) symlink \(try manager.destinationOfSymbolicLink(atPath: url.path))")
            } else if type == .typeDirectory {
                rows.append("\(path) dir ")
            } else {
                var hash = SHA256()
                hash.update(Array(try Data(contentsOf: url)))
                rows.append("\(path) file \(hash.finalizeHex())")
            }
        }
        return rows.sorted()
    }
}
