import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// The pipelines `bert-dev bench pipeline` times, named as the `bert` subcommands that run them.
enum BenchedPipeline: String, ExpressibleByArgument, CaseIterable {
    case fillMask = "fill-mask", classify, ner, qa, rerank

    /// transformers' task name, which `scripts/bench_pipelines.py` keys its figures by.
    var task: String {
        switch self {
        case .fillMask: return "fill-mask"
        case .classify: return "text-classification"
        case .ner: return "ner"
        case .qa: return "question-answering"
        case .rerank: return "rerank"
        }
    }
}


/// `bert-dev bench pipeline`: one pipeline over a whole input file, once untimed and then `--repeat` times,
/// printing {"impl", "task", "inputs", "batch_size", "seconds_per_pass", "inputs_per_second"} for
/// `scripts/bench_pipelines.py` to set beside transformers' figure.
struct BenchPipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pipeline", abstract: "Throughput of a task pipeline on an input file.")

    @Argument(help: "The pipeline.") var pipeline: BenchedPipeline
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "JSON Lines inputs, as the bert subcommand of the same name reads them.") var input: String
    @Option var batchSize = 8
    @Option(help: "Timed passes after one warm-up.") var `repeat` = 5
    @Option(help: "NER grouping.") var aggregationStrategy: AggregationStrategy = .none

    func run() throws {
        let records = try InputOptions.records(path: input, format: .jsonl)
        let directory = try modelOptions.directory()
        let body: () throws -> Void
        var count = records.count
        switch pipeline {
        case .fillMask:
            let pipe = try FillMaskPipeline(directory: directory)
            let texts = try records.map { try $0.string("text") }
            body = { _ = try pipe(texts, batchSize: batchSize) }
        case .classify:
            let pipe = try TextClassificationPipeline(directory: directory)
            let inputs = try records.map { TextClassificationInput(text: try $0.string("text"), textPair: try $0.optionalString("text_pair")) }
            body = { _ = try pipe(inputs, batchSize: batchSize) }
        case .ner:
            let pipe = try TokenClassificationPipeline(directory: directory)
            let texts = try records.map { try $0.string("text") }
            body = { _ = try pipe(texts, aggregationStrategy: aggregationStrategy, batchSize: batchSize) }
        case .qa:
            let pipe = try QuestionAnsweringPipeline(directory: directory)
            let inputs = try records.map { QuestionAnsweringInput(question: try $0.string("question"), context: try $0.string("context")) }
            body = { _ = try pipe(inputs, options: QuestionAnsweringOptions(), batchSize: batchSize) }
        case .rerank:
            let pipe = try RerankPipeline(directory: directory)
            let requests = try records.map { (try $0.string("query"), try $0.strings("texts")) }
            count = requests.reduce(0) { $0 + $1.1.count }
            body = { for (q, docs) in requests { _ = try pipe(query: q, documents: docs, batchSize: batchSize) } }
        }
        try body()
        let start = Date()
        for _ in 0..<max(`repeat`, 1) { try body() }
        let perPass = Date().timeIntervalSince(start) / Double(max(`repeat`, 1))
        try StandardOutput.jsonLine(["impl": "swift", "task": .string(pipeline.task), "inputs": .integer(Int64(count)),
                                     "batch_size": .integer(Int64(batchSize)), "seconds_per_pass": .number(perPass),
                                     "inputs_per_second": .number(Double(count) / perPass)])
    }
}

/// `bert-dev bench tokenizer`: load time and single-thread tokens/s over the golden corpus, for any tokenizer
/// folder (WordPiece, byte-level BPE...), with Python `tokenizers` measured in the same run by
/// scripts/bench_tokenizer.py (its `encode_batch` on one thread is the ratio's reference).
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenizer", abstract: "Tokenizer load time and tokens/s (one thread).")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Corpus: {\"texts\": [...], \"pairs\": [[a, b], ...]}.") var corpus: String = "Tests/Fixtures/tokenizers/corpus.json"
    @Option(help: "Corpus repetitions per timed pass.") var `repeat`: Int = 50
    @Option(help: "Python with tokenizers for the reference run (empty: skip it).")
    var python: String = ProcessInfo.processInfo.environment["BERT_BENCH_PYTHON"] ?? ".venv/bin/python"

    func run() throws {
        let texts = try TokenizerBenchmark.loadCorpus(URL(fileURLWithPath: corpus))
        let r = try TokenizerBenchmark.run(directory: modelOptions.directory(), corpus: texts, repeat: `repeat`)
        try StandardOutput.line(String(format: "swift BERTTokenizers: %.0f tokens/s (%d tokens/pass, %d passes, %.2f s, one thread)",
                                       r.tokensPerSecond, r.tokensPerPass, r.passes, r.seconds))
        try StandardOutput.line(String(format: "swift BERTTokenizers load %@: %.1f ms (best of 5)", modelOptions.model, r.loadSeconds * 1000))
        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else { return }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/bench_tokenizer.py").standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--model", try modelOptions.directory().path, "--corpus", corpus, "--repeat", String(`repeat`)]
        var environment = ProcessInfo.processInfo.environment
        environment["RAYON_NUM_THREADS"] = "1"
        environment["TOKENIZERS_PARALLELISM"] = "false"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for line in output.split(separator: "\n") {
            try StandardOutput.line(String(line))
            guard line.contains("encode_batch"), let colon = line.lastIndex(of: ":"),
                  let value = Double(line[line.index(after: colon)...].split(separator: " ").first?.replacingOccurrences(of: ",", with: "") ?? "")
            else { continue }
            try StandardOutput.line(String(format: "swift / python encode_batch: %.2fx", r.tokensPerSecond / value))
        }
    }
}
