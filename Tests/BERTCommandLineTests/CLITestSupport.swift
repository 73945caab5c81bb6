import BERT
import Foundation
import TestSupport
import XCTest

/// What a run of a built binary did.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout's lines parsed as JSON.
    func jsonLines(file: StaticString = #filePath, line: UInt = #line) throws -> [JSONValue] {
        try stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }
}

/// Runs the `bert` and `bert-dev` executables that `swift test` built beside the test bundle.
enum CLI {
    /// The folder holding the build's products (`.build/release` or `.build/debug`).
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        return Bundle.main.bundleURL
    }

    static var bert: URL { productsDirectory.appendingPathComponent("bert") }
    static var bertDev: URL { productsDirectory.appendingPathComponent("bert-dev") }

    /// Runs `executable` with `arguments`; `stdout` may name a file to write standard output to (e.g. /dev/full),
    /// `closedStdout` gives it a pipe whose reading end is already closed.
    static func run(_ arguments: [String], executable: URL = bert, environment: [String: String] = [:], stdin: Data? = nil,
                    stdoutPath: String? = nil, closedStdout: Bool = false) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        var env = ProcessInfo.processInfo.environment
        env["BERT_NUM_THREADS"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // Output goes to files, so a chatty process never blocks on a full pipe.
        let outURL = CLIModels.root.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errURL = CLIModels.root.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        let closedPipe = Pipe()
        let stdoutFile = FileHandle(forWritingAtPath: stdoutPath ?? outURL.path)
        process.standardOutput = closedStdout ? closedPipe : stdoutFile
        let stderrFile = FileHandle(forWritingAtPath: errURL.path)
        process.standardError = stderrFile
        let input = Pipe()
        process.standardInput = input
        if closedStdout { try closedPipe.fileHandleForReading.close() }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try stdoutFile?.close()
        try stderrFile?.close()
        let outData = stdoutPath == nil ? (try Data(contentsOf: outURL)) : Data()
        let errData = try Data(contentsOf: errURL)
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Models for the CLI tests: all-MiniLM-L6-v2 (fetched by scripts/fetch-models.sh) and tiny generated-weight task
/// checkpoints with its tokenizer, written once per test process.
enum CLIModels {
    static let root: URL = {
        let temporary = FileManager.default.temporaryDirectory
        // Folders of test processes that died before their exit hook (killed, crashed) are about 1.5 GB each.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        where name.hasPrefix("bert-cli-tests-") {
            if let pid = Int32(name.dropFirst("bert-cli-tests-".count)), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
        let url = temporary.appendingPathComponent("bert-cli-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: CLIModels.root) }
        return url
    }()

    static func minilm() throws -> URL { try modelURL("all-MiniLM-L6-v2") }

    /// A small BERT config with bert-base-uncased's vocabulary (so MiniLM's tokenizer fits).
    static func tinyConfig(labels: [String] = []) -> BertConfig {
        var c = BertConfig()
        c.hiddenSize = 32; c.numHiddenLayers = 1; c.numAttentionHeads = 2; c.intermediateSize = 64
        c.maxPositionEmbeddings = 512
        c.id2label = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.offset, $0.element) })
        c.label2id = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        return c
    }

    /// The head checkpoints the pipeline commands need, by name: mlm, classification, ner, qa.
    static func task(_ name: String) throws -> URL {
        let dir = root.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) { return dir }
        let model: Module
        var config: BertConfig
        switch name {
        case "mlm":
            config = tinyConfig(); config.architectures = ["BertForMaskedLM"]
            model = try BertForMaskedLM(config: config, seed: 1)
        case "classification":
            config = tinyConfig(labels: ["negative", "positive"]); config.architectures = ["BertForSequenceClassification"]
            model = try BertForSequenceClassification(config: config, seed: 2)
        case "ner":
            config = tinyConfig(labels: ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]); config.architectures = ["BertForTokenClassification"]
            model = try BertForTokenClassification(config: config, seed: 3)
        case "qa":
            config = tinyConfig(); config.architectures = ["BertForQuestionAnswering"]
            model = try BertForQuestionAnswering(config: config, seed: 4)
        default:
            fatalError("no test model \(name)")
        }
        try FineTunedModelFolder.save(model, config: config, sourceDirectory: minilm(), to: dir)
        return dir
    }

    /// A Hugging Face cache holding `models--test--NAME` for each of MiniLM and the task checkpoints, laid out as
    /// huggingface_hub lays it out (refs/main → a snapshot whose files link into blobs/).
    static func hubCache() throws -> URL {
        let cache = root.appendingPathComponent("hub")
        let fm = FileManager.default
        for (name, source) in [("minilm", try minilm()), ("mlm", try task("mlm")), ("classification", try task("classification")),
                               ("ner", try task("ner")), ("qa", try task("qa"))] {
            let repo = cache.appendingPathComponent("models--test--\(name)")
            if fm.fileExists(atPath: repo.path) { continue }
            let snapshot = repo.appendingPathComponent("snapshots/0123abcd")
            try fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
            try fm.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
            try fm.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
            try "0123abcd".write(to: repo.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
            try copyTree(from: source, to: snapshot, blobs: repo.appendingPathComponent("blobs"), depth: "../../")
        }
        return cache
    }

    /// Copies each file of `source` into `blobs` and links it from `destination` by a relative path.
    private static func copyTree(from source: URL, to destination: URL, blobs: URL, depth: String) throws {
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: from.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let sub = destination.appendingPathComponent(name)
                try fm.createDirectory(at: sub, withIntermediateDirectories: true)
                try copyTree(from: from, to: sub, blobs: blobs, depth: "../" + depth)
                continue
            }
            let blob = UUID().uuidString
            try fm.copyItem(at: from, to: blobs.appendingPathComponent(blob))
            try fm.createSymbolicLink(atPath: destination.appendingPathComponent(name).path, withDestinationPath: depth + "blobs/" + blob)
        }
    }

    /// Writes `text` to a new file under the test folder and returns its path.
    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = root.appendingPathComponent(UUID().uuidString + "-" + name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }
}

/// Asserts a failed run: `status`, and a last line on stderr starting with `error:` that contains each of
/// `fragments`; with `oneLine`, that line is all of stderr (commands that train print their set-up first).
func assertFails(_ result: CLIResult, status: Int32, mentions fragments: [String], _ what: String, oneLine: Bool = true,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, status, "\(what): exit status (stderr: \(result.stderr))", file: file, line: line)
    let lines = result.stderr.split(separator: "\n")
    if oneLine { XCTAssertEqual(lines.count, 1, "\(what): one line on stderr, got: \(result.stderr)", file: file, line: line) }
    let last = lines.last.map(String.init) ?? ""
    XCTAssertTrue(last.hasPrefix("error: "), "\(what): \(result.stderr)", file: file, line: line)
    for fragment in fragments {
        XCTAssertTrue(last.contains(fragment), "\(what): the error lacks \"\(fragment)\": \(last)", file: file, line: line)
    }
}
