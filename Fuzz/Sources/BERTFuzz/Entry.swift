// The libFuzzer callback and helpers (main.swift hands the callback to libFuzzer's driver). One executable holds every target and FUZZ_TARGET picks one:
// the build is dominated by compiling the whole main package with coverage and ASan, and one executable links it
// once instead of once per target (each link of the sanitized stack is tens of seconds and ~100 MB). libFuzzer
// owns argv (unknown flags only warn, and non-flags are corpus folders), so the choice is an environment variable.
//
// A target returns normally for input the code under test rejects with a thrown error: that is the wanted
// behaviour. A crash, an ASan report, a leak, a timeout, an allocation over -malloc_limit_mb, or a failed `check`
// (an invariant the harness states, such as "write then parse gives the same value") is a finding.
import Foundation

/// Every target by name.
let targets: [String: (UnsafeRawBufferPointer) -> Void] = [
    "safetensors": fuzzSafeTensors,
    "json": fuzzJSON,
    "tokenizer": fuzzTokenizerJSON,
    "encode": fuzzEncode,
    "config": fuzzConfig,
    "tabular": fuzzTabular,
    "conll": fuzzCoNLL,
    "squad": fuzzSQuAD,
    "pretraining": fuzzPretrainingFile,
]

let selectedTarget: (UnsafeRawBufferPointer) -> Void = {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        let known = targets.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("BERTFuzz: set FUZZ_TARGET to one of: \(known) (got '\(name)')\n".utf8))
        exit(2)
    }
    return target
}()

/// The callback libFuzzer runs once per input.
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

/// Stops the run with a message when an invariant of the code under test fails (libFuzzer saves the input).
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
           file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        FileHandle.standardError.write(Data("BERTFuzz invariant failed at \(file):\(line): \(message())\n".utf8))
        abort()
    }
}

/// A per-process scratch folder (removed at exit) for readers that take a file: in /dev/shm when there is one,
/// because on ext4 rewriting a file by truncation forces its blocks out on close (auto_da_alloc), which held the
/// file-reading targets to ~300 inputs/s; $FUZZ_SCRATCH overrides.
let scratch: URL = {
    let environment = ProcessInfo.processInfo.environment
    let base = environment["FUZZ_SCRATCH"].map { URL(fileURLWithPath: $0) }
        ?? (access("/dev/shm", W_OK) == 0 ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory)
    let url = base.appendingPathComponent("bert-fuzz-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratch) }
    return url
}()

/// Writes `bytes` to `name` in the scratch folder (subfolders made as needed) and returns its URL.
@discardableResult
func writeScratch(_ bytes: UnsafeRawBufferPointer, _ name: String) -> URL {
    let url = scratch.appendingPathComponent(name)
    let dir = url.deletingLastPathComponent()
    if !FileManager.default.fileExists(atPath: dir.path) {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    unlink(url.path)  // a new file each time: no truncation of a written one
    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot write \(url.path)")
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        precondition(n > 0, "short write to \(url.path)")
        done += n
    }
    close(fd)
    return url
}

@discardableResult
func writeScratch(_ text: String, _ name: String) -> URL {
    Array(text.utf8).withUnsafeBytes { writeScratch($0, name) }
}
