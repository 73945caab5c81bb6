import BERT
import BERTSearch
import Foundation
import TestSupport
import XCTest

/// `bert index` and `bert search --index` through the built binary: results equal the in-memory corpus search,
/// runs killed at random moments lose nothing, and a query with another model is refused.
final class IndexCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = CLIModels.root.appendingPathComponent("index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
    }

    /// The first `count` sentences of the polarity training set as JSON Lines with ids and metadata.
    func corpus(_ count: Int) throws -> (path: String, texts: [String]) {
        let url = repositoryRoot.appendingPathComponent("data/polarity/train.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().prefix(count)
        var texts: [String] = []
        var jsonl = ""
        for (i, line) in lines.enumerated() {
            let comma = line.lastIndex(of: ",")!
            var text = String(line[..<comma])
            if text.hasPrefix("\"") { text = String(text.dropFirst().dropLast()) }
            texts.append(text)
            let record: JSONValue = ["id": .string("p\(i)"), "text": .string(text), "metadata": ["label": .string(String(line[line.index(after: comma)...]))]]
            jsonl += String(decoding: try record.serialized(), as: UTF8.self) + "\n"
        }
        let path = folder.appendingPathComponent("corpus.jsonl").path
        try jsonl.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, texts)
    }

    func testIndexSearchEqualsCorpusSearchAndFilters() throws {
        let (path, texts) = try corpus(200)
        let index = folder.appendingPathComponent("docs.sqlite").path
        let model = try CLIModels.minilm().path
        let added = try CLI.run(["index", "add", "--index", index, "--model", model, path])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(try added.jsonLines().first?["added"]?.intValue, 200)
        let textFile = folder.appendingPathComponent("texts.txt").path
        try texts.joined(separator: "\n").write(toFile: textFile, atomically: true, encoding: .utf8)
        let queries = ["a moving film", "boring and too long"]
        let fromIndex = try CLI.run(["search", "--index", index, "--top-k", "5"] + queries).jsonLines()
        let fromCorpus = try CLI.run(["search", "--model", model, "--corpus", textFile, "--top-k", "5"] + queries).jsonLines()
        for (a, b) in zip(fromIndex, fromCorpus) {
            let ids = a["results"]!.arrayValue!.map { $0["id"]!.stringValue! }
            XCTAssertEqual(ids, b["results"]!.arrayValue!.map { "p\($0["corpus_id"]!.intValue!)" })
            for (x, y) in zip(a["results"]!.arrayValue!, b["results"]!.arrayValue!) {
                XCTAssertEqual(x["score"]!.doubleValue!, y["score"]!.doubleValue!, accuracy: 1e-5)
            }
        }
        let filtered = try CLI.run(["search", "--index", index, "--filter", "label=negative", "--top-k", "20", "a moving film"]).jsonLines()
        let results = filtered[0]["results"]!.arrayValue!
        XCTAssertEqual(results.count, 20)
        XCTAssertTrue(results.allSatisfy { $0["metadata"]?["label"]?.stringValue == "negative" })
        let info = try CLI.run(["index", "info", "--index", index]).jsonLines()[0]
        XCTAssertEqual(info["documents"]?.intValue, 200)
        XCTAssertEqual(info["dimension"]?.intValue, 384)
        let removed = try CLI.run(["index", "remove", "--index", index, "p0", "p1", "nope"]).jsonLines()[0]
        XCTAssertEqual(removed["removed"]?.intValue, 2)
    }

    /// Retrieve and rerank: the index's best --rerank-candidates, re-scored as `bert rerank` scores them.
    func testRerankModelRescoresTheRetrievedCandidates() throws {
        let (path, _) = try corpus(120)
        let index = folder.appendingPathComponent("docs.sqlite").path
        XCTAssertEqual(try CLI.run(["index", "add", "--index", index, "--model", try CLIModels.minilm().path, path]).status, 0)
        let reranker = try CLIModels.task("classification").path
        let query = "a moving film"
        let plain = try CLI.run(["search", "--index", index, "--top-k", "8", query]).jsonLines()[0]["results"]!.arrayValue!
        let result = try CLI.run(["search", "--index", index, "--rerank-model", reranker, "--rerank-candidates", "8",
                                  "--top-k", "3", query])
        XCTAssertEqual(result.status, 0, result.stderr)
        let reranked = try result.jsonLines()[0]["results"]!.arrayValue!
        let expected = try CLI.run(["rerank", "--model", reranker, "--query", query, "--top-n", "3", "--truncate"]
                                   + plain.map { $0["text"]!.stringValue! }).jsonLines()[0].arrayValue!
        XCTAssertEqual(reranked.count, 3)
        for (hit, want) in zip(reranked, expected) {
            let candidate = plain[want["index"]!.intValue!]
            XCTAssertEqual(hit["id"]?.stringValue, candidate["id"]?.stringValue)
            XCTAssertEqual(hit["score"]!.doubleValue!, want["score"]!.doubleValue!, accuracy: 1e-6)
            XCTAssertEqual(hit["retrieval_score"]!.doubleValue!, candidate["score"]!.doubleValue!, accuracy: 1e-6)
        }
        let usage = try CLI.run(["search", "--index", index, "--rerank-candidates", "8", query])
        XCTAssertEqual(usage.status, 2, usage.stderr)
        let missing = try CLI.run(["search", "--index", index, "--rerank-model", folder.appendingPathComponent("none").path, query])
        XCTAssertEqual(missing.status, 1, missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
    }

    func testKilledImportsLoseNothingAndResume() throws {
        let (path, texts) = try corpus(600)
        let index = folder.appendingPathComponent("docs.sqlite").path
        let arguments = ["index", "add", "--index", index, "--model", try CLIModels.minilm().path, "--batch-size", "32", path]
        var generator = SeededRNG(seed: 11)
        var counts: [Int] = []
        for round in 0..<10 {
            let process = Process()
            process.executableURL = CLI.bert
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            counts.append(try assertConsistent(index, texts, "after kill \(round)"))
        }
        XCTAssertTrue(counts.contains { $0 > 0 && $0 < texts.count }, "some kill landed mid-import: \(counts)")
        let final = try CLI.run(arguments)
        XCTAssertEqual(final.status, 0, final.stderr)
        XCTAssertEqual(try assertConsistent(index, texts, "final"), texts.count)
    }

    func testQueryWithAnotherModelAndBadIndexesAreOneLine() throws {
        let (path, _) = try corpus(20)
        let index = folder.appendingPathComponent("docs.sqlite").path
        let minilm = try CLIModels.minilm()
        XCTAssertEqual(try CLI.run(["index", "add", "--index", index, "--model", minilm.path, path]).status, 0)
        // The same weights with another configuration file is another model.
        let other = folder.appendingPathComponent("other-model")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: minilm.path) where name != "config.json" {
            try FileManager.default.copyItem(at: minilm.appendingPathComponent(name), to: other.appendingPathComponent(name))
        }
        var config = try String(contentsOf: minilm.appendingPathComponent("config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "{", with: "{\"note\": \"changed\",", options: [], range: config.range(of: "{"))
        try config.write(to: other.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        assertFails(try CLI.run(["search", "--index", index, "--model", other.path, "q"]), status: 1, mentions: ["built with"], "other model")
        assertFails(try CLI.run(["index", "add", "--index", index, "--model", other.path, path]), status: 1, mentions: ["built with"], "add with other model")
        let garbage = folder.appendingPathComponent("garbage.sqlite").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: garbage))
        assertFails(try CLI.run(["search", "--index", garbage, "q"]), status: 1, mentions: ["not a swift-bert index"], "garbage")
        assertFails(try CLI.run(["index", "info", "--index", folder.appendingPathComponent("none.sqlite").path]), status: 1,
                    mentions: ["no such file"], "missing")
        let duplicate = folder.appendingPathComponent("dup.jsonl").path
        try "{\"id\":\"x\",\"text\":\"a\"}\n{\"id\":\"x\",\"text\":\"b\"}\n".write(toFile: duplicate, atomically: true, encoding: .utf8)
        assertFails(try CLI.run(["index", "add", "--index", index, "--model", minilm.path, duplicate]), status: 1,
                    mentions: ["\"x\"", "dup.jsonl:2"], "duplicate ids")
        assertFails(try CLI.run(["search", "--index", index, "--corpus", path, "q"]), status: 2, mentions: ["exactly one"], "both", oneLine: false)
    }

    /// Every stored document is one of the input's, with its text, once; returns how many are stored.
    @discardableResult
    func assertConsistent(_ index: String, _ texts: [String], _ what: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: index) else { return 0 }
        let store = try SQLiteVectorIndex(path: index)
        let count = try store.count()
        let ids = (0..<texts.count).map { "p\($0)" }
        let present = try store.existingIds(ids)
        XCTAssertEqual(present.count, count, "\(what): every row is an input id")
        // Stored batches are whole: the present ids are a prefix of the input in batches of 32.
        XCTAssertEqual(present, Set(ids.prefix(count)), what)
        XCTAssertEqual(count % 32 == 0 || count == texts.count, true, "\(what): \(count) is not whole batches")
        for hit in try store.search([Float](repeating: 0.05, count: 384), topK: count) {
            XCTAssertEqual(hit.text, texts[Int(hit.id.dropFirst())!], what)
        }
        return count
    }
}

/// A small deterministic generator for the kill moments.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state
    }
}
