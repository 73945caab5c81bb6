import BERT
import Foundation
import TestSupport
import XCTest

/// `bert download`, `bert cache` and on-demand downloads, against the loopback hub double.
final class DownloadCommandTests: XCTestCase {
    var hub: HubDouble!
    var cache: URL!
    var environment: [String: String] { ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": cache.path, "HF_TOKEN": ""] }
    var repoFolder: URL { cache.appendingPathComponent("models--swift-bert-tests--tiny-sentence-model") }

    override func setUpWithError() throws {
        hub = try HubDouble()
        try hub.start()
        cache = CLIModels.root.appendingPathComponent("hub-cache-\(UUID().uuidString)")
        addTeardownBlock { [cache] in try? FileManager.default.removeItem(at: cache!) }
    }

    override func tearDown() { hub.stop() }

    func testEmbedDownloadsAModelIdOnDemandThenRunsOffline() throws {
        let first = try CLI.run(["embed", "--model", hub.repo, "a b c"], environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        let vector = try XCTUnwrap(try first.jsonLines().first?["embedding"]?.arrayValue)
        XCTAssertEqual(vector.count, 32)
        hub.stop()
        let offline = try CLI.run(["embed", "--model", hub.repo, "a b c"], environment: environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 })
        XCTAssertEqual(offline.stdout, first.stdout)
    }

    func testOfflineWithoutTheModelIsOneClearLine() throws {
        let result = try CLI.run(["embed", "--model", hub.repo, "x"], environment: environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 })
        assertFails(result, status: 1, mentions: [hub.repo], "offline, not cached")
        XCTAssertTrue(hub.requests.isEmpty)
    }

    func testDownloadPrintsTheSnapshotAndCacheListsIt() throws {
        let result = try CLI.run(["download", hub.repo], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, repoFolder.path + "/snapshots/\(hub.commit)\n")
        let listed = try CLI.run(["cache", "list"], environment: environment).jsonLines()
        XCTAssertEqual(listed.count, 1)
        XCTAssertEqual(listed[0]["id"]?.stringValue, hub.repo)
        let removed = try CLI.run(["cache", "remove", hub.repo], environment: environment)
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: repoFolder.path))
        assertFails(try CLI.run(["cache", "remove", hub.repo], environment: environment), status: 1, mentions: [hub.repo], "remove twice")
    }

    func testBadIdsAndRefusalsAreOneLine() throws {
        assertFails(try CLI.run(["download", "/abs/path"], environment: environment), status: 2, mentions: ["model id"], "path as id", oneLine: false)
        assertFails(try CLI.run(["download", "nobody/nothing"], environment: environment), status: 1, mentions: ["no such model"], "unknown")
        hub.gatedRepos = [hub.repo]
        assertFails(try CLI.run(["download", hub.repo], environment: environment), status: 1, mentions: ["HF_TOKEN"], "gated")
    }

    func testDownloadKilledHalfWayResumesWithARangeRequest() throws {
        hub.throttle = (bytes: 4096, microseconds: 20_000)  // model.safetensors (213 kB) takes about a second
        let blob = hub.files["model.safetensors"]!
        let partial = repoFolder.appendingPathComponent("blobs/\(blob.etag).incomplete")
        let process = try start(["download", hub.repo])
        let deadline = Date().addingTimeInterval(30)
        while Self.size(partial) < 40_000, Date() < deadline { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let kept = Self.size(partial)
        XCTAssertGreaterThan(kept, 0)
        XCTAssertLessThan(kept, Int64(blob.data.count))
        hub.throttle = nil
        let again = try CLI.run(["download", hub.repo], environment: environment)
        XCTAssertEqual(again.status, 0, again.stderr)
        let ranges = hub.requests.filter { $0.path == "/cdn/\(blob.etag)" }.compactMap(\.range)
        XCTAssertEqual(ranges.count, 1)
        XCTAssertGreaterThanOrEqual(Int64(ranges[0].dropFirst("bytes=".count).dropLast()) ?? 0, kept)
        XCTAssertEqual(try Data(contentsOf: repoFolder.appendingPathComponent("snapshots/\(hub.commit)/model.safetensors")), blob.data)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
    }

    func testTwoProcessesAtOnceShareOneDownload() throws {
        hub.throttle = (bytes: 16384, microseconds: 10_000)
        let processes = try (0..<2).map { _ in try start(["download", hub.repo]) }
        for process in processes { process.waitUntilExit(); XCTAssertEqual(process.terminationStatus, 0) }
        let blob = hub.files["model.safetensors"]!
        XCTAssertEqual(try Data(contentsOf: repoFolder.appendingPathComponent("snapshots/\(hub.commit)/model.safetensors")), blob.data)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: repoFolder.appendingPathComponent("blobs").path)
        XCTAssertEqual(blobs.filter { $0.hasPrefix(blob.etag) }, [blob.etag])
        XCTAssertEqual(hub.requests.filter { $0.path == "/cdn/\(blob.etag)" }.count, 1, "the second process waited and reused the blob")
    }

    func testProgressShowsBytesOnATerminal() throws {
        hub.throttle = (bytes: 32768, microseconds: 20_000)
        let env = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let command = "env \(env) '\(CLI.bert.path)' download '\(hub.repo)' >/dev/null"
        let tty = try CLI.run(["-qec", command, "/dev/null"], executable: URL(fileURLWithPath: "/usr/bin/script"))
        XCTAssertEqual(tty.status, 0, tty.stdout + tty.stderr)
        XCTAssertTrue(tty.stdout.contains("[4/8] model.safetensors"), tty.stdout)
        XCTAssertTrue(tty.stdout.contains("213.3 kB/213.3 kB"), tty.stdout)
        XCTAssertTrue(tty.stdout.contains("kB/s"), tty.stdout)
        let piped = try CLI.run(["download", hub.repo, "--revision", hub.commit], environment: environment)
        XCTAssertEqual(piped.stderr, "", "no progress on a pipe")
    }

    // MARK: Helpers

    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLI.bert
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func size(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
