import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert-dev bench train-tokenizer`: seconds to train a preset tokenizer on one thread, beside `tokenizers`'
/// trainer (RAYON_NUM_THREADS=1) on the same lines in the same run (scripts/bench_tokenizer_training.py).
struct BenchTrainTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-tokenizer", abstract: "Tokenizer training time (one thread) against tokenizers' trainer.")

    @Option(help: "The tokenizer model to train.") var model: TokenizerModelKind
    @Option(help: "Vocabulary size.") var vocabSize: Int = 8000
    @Option(help: "Timed runs (the best is reported).") var runs: Int = 3
    @Option(help: "Python with tokenizers for the reference run (empty: skip).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ".venv/bin/python"
    @Argument(help: "Text files, one document per line.") var files: [String]

    func run() throws {
        var texts: [String] = []
        for file in files { texts += try TextLines.read(file, keepEmpty: true).map(\.text) }
        let trainer = TokenizerTrainer(kind: model, vocabSize: vocabSize, threads: 1)
        var best = Double.infinity
        var size = 0
        var stages: [(name: String, seconds: Double)] = []
        for _ in 0..<max(runs, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            var marks: [(name: String, at: UInt64)] = []
            size = try trainer.train(texts: texts) { report in
                if marks.last?.name != report.stage { marks.append((report.stage, DispatchTime.now().uptimeNanoseconds)) }
            }.vocabulary.count
            let end = DispatchTime.now().uptimeNanoseconds
            let seconds = Double(end - start) / 1e9
            if seconds < best {
                best = seconds
                stages = marks.enumerated().map { i, mark in
                    (mark.name, Double((i + 1 < marks.count ? marks[i + 1].at : end) - mark.at) / 1e9)
                }
            }
        }
        try StandardOutput.line(String(format: "swift TokenizerTrainer %@: %.3f s (%d lines, vocab %d, one thread, best of %d)",
                                       model.rawValue, best, texts.count, size, runs))
        try StandardOutput.line("  stages: " + stages.map { String(format: "%@ %.3f s", $0.name, $0.seconds) }.joined(separator: ", "))
        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else { return }
        let reference = try referenceSeconds()
        try StandardOutput.line(String(format: "%@ trainer: %.3f s (RAYON_NUM_THREADS=1); swift is %.2fx as fast",
                                       reference.runtime, reference.value, reference.value / best))
    }

    /// The reference script's best time.
    func referenceSeconds() throws -> (runtime: String, value: Double) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/bench_tokenizer_training.py").standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--model", model.rawValue, "--vocab-size", "\(vocabSize)", "--runs", "\(runs)"] + files
        var environment = ProcessInfo.processInfo.environment
        environment["RAYON_NUM_THREADS"] = "1"
        environment["TOKENIZERS_PARALLELISM"] = "false"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let line = try? JSONValue.parse(data),
              let value = line["value"]?.doubleValue, let runtime = line["runtime"]?.stringValue else {
            throw CommandLineError("the reference script \(script.path) failed (status \(process.terminationStatus))")
        }
        return (runtime, value)
    }
}
