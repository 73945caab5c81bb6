import ArgumentParser
import BERT
import BERTCommandLine
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bert-dev bench embed`: all-MiniLM-L6-v2 throughput and latency and BERT-base-shape latency/throughput, each group in
/// its own child process (so peak memory is per runtime), then the same measurements from PyTorch and ONNX Runtime
/// (`scripts/bench_reference.py embed`) in the same run, and the ratios.
struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Embedding throughput/latency vs PyTorch and ONNX Runtime.")

    @Option(help: "all-MiniLM-L6-v2 folder.") var model = "models/all-MiniLM-L6-v2"
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Python with torch, sentence-transformers and onnxruntime (empty: skip the reference run).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ".venv/bin/python"
    @Option(help: "Run one group in this process: minilm, write-checkpoint or bert-base (used by the parent).") var worker: String?
    @Option(help: "Repetitions for timings (median reported).") var repeats = 5
    @Option(help: "BERT-base-shape checkpoint folder for the bert-base worker (the parent writes one).") var checkpoint: String?
    @Option(help: "Number format of our encoder's linear layers; int8 also runs ONNX Runtime quantize_dynamic and torch dynamic int8.")
    var dtype: InferenceDType = .fp32

    func run() throws {
        Threads.set(threads)
        if let worker { try runWorker(worker); return }
        print("backend: \(BLAS.description), threads \(threads), dtype \(dtype)")
        var ours: [String: Double] = [:]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        for group in ["minilm", "write-checkpoint", "bert-base"] {
            // Each group in its own process, the parent staying small: a child's peak RSS starts from its parent's.
            let (lines, rssMiB) = try runChild(group, checkpoint: folder.path)
            if group == "write-checkpoint" { continue }
            for l in lines { ours[l.name] = l.value; print(String(format: "swift  %-30@ %10.2f %@", l.name, l.value, l.unit)) }
            ours["\(group == "minilm" ? "minilm" : "bert_base")_peak_rss"] = rssMiB
            print(String(format: "swift  %-30@ %10.1f MiB", "\(group) peak RSS", rssMiB))
        }
        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else {
            print("(no reference run: set --python to a Python with torch and onnxruntime, see scripts/setup-python.sh)")
            return
        }
        print("running the PyTorch / ONNX Runtime reference (scripts/bench_reference.py embed) ...")
        let reference = try runReference(python: python, arguments: ["embed"] + (dtype == .int8 ? ["--int8"] : []))
        print("\nmeasure                         swift      reference            ratio (>1 = swift better)")
        for r in reference where r.runtime != "python" {
            guard let mine = ours[r.name] else { continue }
            let lowerIsBetter = r.unit == "ms" || r.unit == "MiB"
            let ratio = lowerIsBetter ? r.value / mine : mine / r.value
            print(String(format: "%-30@ %9.2f  %9.2f %-12@ %5.2fx  (%@)", r.name, mine, r.value, r.runtime, ratio, r.unit))
        }
    }

    /// Writes the generated BERT-base-shape checkpoint (config.json + model.safetensors, as PyTorch's side of the
    /// benchmark saves and loads it) to `folder`, so the bert-base worker's peak memory includes loading a file.
    static func writeBertBaseCheckpoint(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = BertConfig()
        let model = try BertModel(config: config, randomInit: false)
        try model.load(from: SyntheticCheckpoint(shapesOf: model))
        try config.write(to: folder.appendingPathComponent("config.json"))
        try model.saveSafeTensors(to: folder.appendingPathComponent("model.safetensors"))
    }

    /// Runs `bert-dev bench embed --worker group` and returns its JSON lines and peak RSS in MiB.
    func runChild(_ group: String, checkpoint: String) throws -> ([ReferenceMeasurement], Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
            process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        }
        process.arguments = ["bench", "embed", "--worker", group, "--model", model, "--threads", "\(threads)", "--repeats", "\(repeats)",
                             "--checkpoint", checkpoint, "--dtype", dtype.rawValue]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the \(group) worker failed (exit status \(process.terminationStatus))")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONDecoder().decode(ReferenceMeasurement.self, from: Data($0.utf8))
        }
        let rss = lines.first { $0.name == "peak_rss" }?.value ?? .nan
        return (lines.filter { $0.name != "peak_rss" }, rss)
    }

    func emit(_ name: String, _ value: Double, _ unit: String) {
        print("{\"name\": \"\(name)\", \"runtime\": \"swift\", \"value\": \(value), \"unit\": \"\(unit)\"}")
    }

    static func median(_ f: () throws -> Void, repeats: Int) rethrows -> Double {
        try f()
        var t: [Double] = []
        for _ in 0..<repeats {
            let s = DispatchTime.now().uptimeNanoseconds
            try f()
            t.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9)
        }
        return t.sorted()[t.count / 2]
    }

    /// Our precision for `dtype` (int8 with its default fp32 list).
    var precision: InferencePrecision { dtype == .int8 ? .int8 : InferencePrecision(dtype: dtype) }

    func runWorker(_ group: String) throws {
        if group == "write-checkpoint" {
            guard let checkpoint else { throw ValidationError("write-checkpoint needs --checkpoint") }
            return try Self.writeBertBaseCheckpoint(to: URL(fileURLWithPath: checkpoint))
        }
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
        if group == "minilm" {
            let st = try SentenceTransformer(directory: URL(fileURLWithPath: model))
            try st.bert.prepareEncoders(for: precision)
            let sentences = try String(contentsOf: examples.appendingPathComponent("bench_sentences.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            let t = try Self.median({ _ = try st.encode(sentences, batchSize: 32) }, repeats: repeats)
            emit("minilm_throughput_b32", Double(sentences.count) / t, "sentences/s")
            let text = try String(contentsOf: examples.appendingPathComponent("bench_text_128_tokens.txt"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let tokens = try st.tokenize([text])[0].count
            guard tokens == 128 else { throw ValidationError("bench text has \(tokens) tokens, expected 128") }
            let l = try Self.median({ _ = try st.encode([text]) }, repeats: repeats * 4)
            emit("minilm_latency_b1_s128", l * 1000, "ms")
        } else {
            guard let checkpoint else { throw ValidationError("the bert-base worker needs --checkpoint") }
            let m = try BertModel.fromPretrained(URL(fileURLWithPath: checkpoint))
            try m.prepareEncoders(for: precision)
            var g = SeededGenerator(seed: 1)
            func input(_ b: Int) throws -> EncoderInput {
                try EncoderInput(inputIds: (0..<(b * 128)).map { _ in Int(g.next() % 30000) + 100 }, batch: b, length: 128)
            }
            let one = try input(1), eight = try input(8)
            emit("bert_base_latency_b1_s128", try Self.median({ _ = try m(one) }, repeats: repeats) * 1000, "ms")
            emit("bert_base_throughput_b8_s128", 8 / (try Self.median({ _ = try m(eight) }, repeats: repeats)), "sequences/s")
        }
        emit("peak_rss", peakResidentMiB(), "MiB")
    }
}
