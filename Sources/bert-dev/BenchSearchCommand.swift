import ArgumentParser
import BERTSearch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bert-dev bench search`: the exact float32 scan of a search index over N × D random unit vectors, against the
/// memory-bandwidth bound (bytes scanned / measured `memcpy` bandwidth on the same threads) and, in the same run,
/// numpy's matrix-vector product and faiss `IndexFlatIP` on the same vectors (`scripts/bench_search.py`), whose top-k
/// must equal ours.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Exact index scan vs memcpy bandwidth, numpy and faiss.")

    @Option(help: "Vectors in the index.") var rows = 1_000_000
    @Option(help: "Vector width.") var dimension = 384
    @Option(help: "Queries timed (the median per-query time is reported).") var queries = 20
    @Option(help: "Results per query.") var topK = 10
    @Option(help: "Quantisation of the scanned vectors: none, int8 or binary.") var quantization = "none"
    @Option(help: "Python with numpy and faiss-cpu (empty: skip the reference run).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ".venv/bin/python"

    func run() throws {
        guard rows > 0, dimension > 0, queries > 0, topK > 0, rows <= 50_000_000, dimension <= 8192 else {
            throw ValidationError("--rows (1...50,000,000), --dimension (1...8192), --queries and --top-k must be positive")
        }
        guard let kind = VectorQuantization(rawValue: quantization) else {
            throw ValidationError("--quantization must be none, int8 or binary")
        }
        let threads = ProcessInfo.processInfo.environment["BERT_SEARCH_THREADS"].flatMap(Int.init)
            ?? ProcessInfo.processInfo.activeProcessorCount
        print("\(rows) × \(dimension) float32 random unit vectors, \(queries) queries, top \(topK), threads \(threads), \(cpuName())")
        var generator = SplitMix(seed: 42)
        var matrix = [Float](repeating: 0, count: rows * dimension)
        for r in 0..<rows { randomUnit(&matrix[(r * dimension)..<((r + 1) * dimension)], &generator) }
        var queryMatrix = [Float](repeating: 0, count: queries * dimension)
        for q in 0..<queries { randomUnit(&queryMatrix[(q * dimension)..<((q + 1) * dimension)], &generator) }

        var vectors = InMemoryVectors(dimension: dimension, quantization: kind, ranges: kind == .int8 ? ranges(matrix) : nil)
        for r in 0..<rows { vectors.append(rowid: Int64(r + 1), vector: Array(matrix[(r * dimension)..<((r + 1) * dimension)])) }

        let bytes = Double(rows * dimension * 4)
        let copyRate = memcpyBandwidth(matrix, threads: threads)
        var times: [Double] = []
        var ours: [[Int]] = []
        _ = vectors.best(Array(queryMatrix[0..<dimension]), k: topK, allowed: nil)  // warm
        for q in 0..<queries {
            let query = Array(queryMatrix[(q * dimension)..<((q + 1) * dimension)])
            let start = DispatchTime.now().uptimeNanoseconds
            let hits = vectors.best(query, k: topK, allowed: nil)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            ours.append(hits.map(\.row))
        }
        let median = times.sorted()[times.count / 2]
        let boundMs = bytes / copyRate * 1e3
        print(String(format: "memcpy bandwidth (%d threads): %.1f GB/s → bound for %.0f MB scanned: %.1f ms/query",
                     threads, copyRate / 1e9, bytes / 1e6, boundMs))
        print(String(format: "swift scan (%@): %.1f ms/query (median of %d), %.2f× the bound's speed, %.1f GB/s",
                     quantization, median, queries, boundMs / median, bytes / (median / 1e3) / 1e9))

        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else {
            print("(no reference run: set --python to a Python with numpy and faiss-cpu)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-bench-search-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try matrix.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent("vectors.f32")) }
        try queryMatrix.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent("queries.f32")) }
        matrix = []
        let reference = try runSearchReference(folder: folder, threads: threads)
        for (name, result) in reference.sorted(by: { $0.key < $1.key }) {
            let same = zip(ours, result.ids).filter { Set($0) == Set($1) }.count
            print(String(format: "%-22@ %8.1f ms/query   swift is %.2f× faster   same top-%d: %d/%d queries",
                         name, result.milliseconds, result.milliseconds / median, topK, same, queries))
        }
    }

    /// numpy and faiss timings and top-k rows from scripts/bench_search.py.
    private func runSearchReference(folder: URL, threads: Int) throws -> [String: (milliseconds: Double, ids: [[Int]])] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/bench_search.py").standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, folder.path, "\(rows)", "\(dimension)", "\(queries)", "\(topK)", "\(threads)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("scripts/bench_search.py failed") }
        var results: [String: (Double, [[Int]])] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            // "name milliseconds id,id,...;id,id,..."
            let fields = line.split(separator: " ")
            guard fields.count == 3, let ms = Double(fields[1]) else { continue }
            let ids = fields[2].split(separator: ";").map { $0.split(separator: ",").compactMap { Int($0) } }
            results[String(fields[0])] = (ms, ids)
        }
        return results
    }

    /// Bytes per second `memcpy` moves with `threads` threads each copying its share of `source`.
    private func memcpyBandwidth(_ source: [Float], threads: Int) -> Double {
        var target = [Float](repeating: 1, count: source.count)
        var best = Double.infinity
        let count = source.count
        source.withUnsafeBytes { from in
            target.withUnsafeMutableBytes { to in
                let src = SendableRaw(from.baseAddress!), dst = SendableRaw(UnsafeRawPointer(to.baseAddress!))
                for _ in 0..<5 {
                    let start = DispatchTime.now().uptimeNanoseconds
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let lower = count * t / threads * 4, upper = count * (t + 1) / threads * 4
                        memcpy(UnsafeMutableRawPointer(mutating: dst.pointer + lower), src.pointer + lower, upper - lower)
                    }
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
            }
        }
        return Double(count * 4) / best
    }

    private func ranges(_ matrix: [Float]) -> (min: [Float], max: [Float]) {
        var lo = [Float](repeating: .infinity, count: dimension), hi = [Float](repeating: -.infinity, count: dimension)
        for (i, x) in matrix.enumerated() { let d = i % dimension; lo[d] = min(lo[d], x); hi[d] = max(hi[d], x) }
        return (lo, hi)
    }

    private func randomUnit(_ row: inout ArraySlice<Float>, _ generator: inout SplitMix) {
        var norm: Float = 0
        for i in row.indices { let x = Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1; row[i] = x; norm += x * x }
        let scale = 1 / norm.squareRoot()
        for i in row.indices { row[i] *= scale }
    }

    private func cpuName() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }
}

/// A raw pointer handed to `concurrentPerform` threads that touch disjoint byte ranges.
private struct SendableRaw: @unchecked Sendable {
    let pointer: UnsafeRawPointer
    init(_ pointer: UnsafeRawPointer) { self.pointer = pointer }
}

/// SplitMix64: a small deterministic generator for benchmark data.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
