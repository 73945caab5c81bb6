import ArgumentParser
import BERT
import BERTCommandLine
import BERTKernels
import BERTJSON
import BERTModels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bert-dev bench embed`: all-MiniLM-L6-v2 throughput and latency and BERT-base-shape latency/throughput, each group in
/// its own child process (so peak memory is per runtime), then the same measurements from PyTorch and ONNX Runtime
/// (`scripts/bench_reference.py embed`) in the same run, and the ratios. `--dtype fp32 int8` measures each of our
/// dtypes in the same run (int8 adds ONNX Runtime `quantize_dynamic` and PyTorch dynamic int8 to the reference).
struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Embedding throughput/latency vs PyTorch and ONNX Runtime.")

    @Option(help: "all-MiniLM-L6-v2 folder.") var model = "models/all-MiniLM-L6-v2"
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Python with torch, sentence-transformers and onnxruntime (empty: skip the reference run).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ".venv/bin/python"
    @Option(help: "Run one group in this process: minilm, write-checkpoint or bert-base (used by the parent).") var worker: String?
    @Option(help: "Repetitions for timings (median reported).") var repeats = 5
    @Option(help: "BERT-base-shape checkpoint folder for the bert-base worker (the parent writes one).") var checkpoint: String?
    @Option(parsing: .upToNextOption,
            help: "Number formats of our encoder's linear layers, each measured (e.g. --dtype fp32 int8); int8 also runs ONNX Runtime quantize_dynamic and torch dynamic int8.")
    var dtype: [InferenceDType] = [.fp32]

    func validate() throws {
        guard !dtype.isEmpty else { throw ValidationError("give at least one --dtype") }
        if worker != nil, dtype.count != 1 { throw ValidationError("a worker runs one --dtype") }
    }

    func run() throws {
        Threads.set(threads)
        if let worker { try runWorker(worker); return }
        print("backend: \(BLAS.description), threads \(threads), dtypes \(dtype.map(\.rawValue).joined(separator: " "))")
        print("cpu: \(CPUFeatures.modelName ?? "unknown") (\(CPUFeatures.names.joined(separator: " ")))")
        print("kernels: " + CPUFeatures.kernels.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
        var ours: [InferenceDType: [String: Double]] = [:]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runChild("write-checkpoint", dtype: .fp32, checkpoint: folder.path)
        for dtype in self.dtype {
            for group in ["minilm", "bert-base"] {
                // Each group in its own process, the parent staying small: a child's peak RSS starts from its parent's.
                let (lines, rssMiB) = try runChild(group, dtype: dtype, checkpoint: folder.path)
                let label = "swift-\(dtype.rawValue)"
                for l in lines { ours[dtype, default: [:]][l.name] = l.value; print(String(format: "%-11@ %-30@ %10.2f %@", label, l.name, l.value, l.unit)) }
                ours[dtype, default: [:]]["\(group == "minilm" ? "minilm" : "bert_base")_peak_rss"] = rssMiB
                print(String(format: "%-11@ %-30@ %10.1f MiB", label, "\(group) peak RSS", rssMiB))
            }
        }
        if let fp32 = ours[.fp32] {
            for dtype in self.dtype where dtype != .fp32 {
                for (name, value) in (ours[dtype] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let base = fp32[name], !name.hasSuffix("peak_rss") else { continue }
                    let speedup = name.contains("latency") ? base / value : value / base
                    print(String(format: "swift-%@ vs swift-fp32 %-30@ %5.2fx", dtype.rawValue, name, speedup))
                }
            }
        }
        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else {
            print("(no reference run: set --python to a Python with torch and onnxruntime, see scripts/setup-python.sh)")
            return
        }
        print("running the PyTorch / ONNX Runtime reference (scripts/bench_reference.py embed) ...")
        let reference = try runReference(python: python, arguments: ["embed"] + (dtype.contains(.int8) ? ["--int8"] : []))
        print("\nmeasure                        ours        swift   reference  runtime           ratio (>1 = swift better)")
        for r in reference where r.runtime != "python" {
            // fp32 and bf16 against the fp32 runtimes; int8 against every runtime (int8 ones first in interest).
            for dtype in self.dtype where dtype == .int8 || !r.runtime.hasSuffix("-int8") {
                guard let mine = ours[dtype]?[r.name] else { continue }
                let lowerIsBetter = r.unit == "ms" || r.unit == "MiB"
                let ratio = lowerIsBetter ? r.value / mine : mine / r.value
                print(String(format: "%-30@ %-5@ %9.2f  %9.2f  %-16@ %5.2fx  (%@)", r.name, dtype.rawValue, mine, r.value, r.runtime, ratio, r.unit))
            }
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
    func runChild(_ group: String, dtype: InferenceDType, checkpoint: String) throws -> ([ReferenceMeasurement], Double) {
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
            try? JSONCoding.decode(ReferenceMeasurement.self, from: JSONValue.parse(String($0)))
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

    /// Our precision for the worker's one `dtype` (int8 with its default fp32 list).
    var precision: InferencePrecision { dtype[0] == .int8 ? .int8 : InferencePrecision(dtype: dtype[0]) }

    /// Loads as `bert embed --dtype` does: int8 weights quantised while loading, never held in fp32.
    func loadingForPrecision<Model>(_ load: () throws -> Model) throws -> Model {
        try CheckpointLoadingOptions.$lowPrecisionInference.withValue(precision.dtype == .fp32 ? nil : precision) { try load() }
    }

    func runWorker(_ group: String) throws {
        if group == "write-checkpoint" {
            guard let checkpoint else { throw ValidationError("write-checkpoint needs --checkpoint") }
            return try Self.writeBertBaseCheckpoint(to: URL(fileURLWithPath: checkpoint))
        }
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
        if group == "minilm" {
            let st = try loadingForPrecision { try SentenceTransformer(directory: URL(fileURLWithPath: model)) }
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
            let m = try loadingForPrecision { try BertModel.fromPretrained(URL(fileURLWithPath: checkpoint)) }
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
