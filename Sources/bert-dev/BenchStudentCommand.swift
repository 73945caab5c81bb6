import ArgumentParser
import BERT
import Foundation

/// `bert-dev bench student`: a distilled sentence-embedding student against its teacher in one run: the Spearman
/// correlation of their cosine similarities on sentence pairs (consecutive lines 1–2, 3–4, …) and the time each
/// takes to embed every line (teacher and student alternate, median of `--repeats`).
struct BenchStudentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "student", abstract: "Distilled student vs teacher: agreement and embedding speed.")

    @Option(help: "Teacher Sentence-Transformers folder.") var teacher: String
    @Option(help: "Student folder (bert distill --mode embedding's <output>/last).") var student: String
    @Option(help: "Sentence pairs, one sentence per line, read as consecutive pairs.") var pairs: String
    @Option var batchSize = 32
    @Option var repeats = 3
    @Option var threads = 2

    func run() throws {
        Threads.set(threads)
        var texts = try TextLines.read(pairs).map(\.text).filter { !$0.allSatisfy(\.isWhitespace) }
        texts = Array(texts.prefix(texts.count / 2 * 2))
        guard !texts.isEmpty else { throw ValidationError("\(pairs) holds no pair of lines") }
        let models = [try SentenceTransformer(directory: URL(fileURLWithPath: teacher)), try SentenceTransformer(directory: URL(fileURLWithPath: student))]
        var similarities: [[Double]] = [[], []]
        var times: [[Double]] = [[], []]
        for round in 0...repeats {
            for (i, model) in models.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                let vectors = try model.encode(texts, batchSize: batchSize, normalize: true)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if round == 0 {
                    similarities[i] = stride(from: 0, to: vectors.count, by: 2).map { Double(cosineSimilarity(vectors[$0], vectors[$0 + 1])) }
                } else {
                    times[i].append(seconds)
                }
            }
        }
        let median = times.map { $0.isEmpty ? .nan : $0.sorted()[$0.count / 2] }
        let spearman = RegressionMetrics.spearmanCorrelation(similarities[1], similarities[0])
        print(String(format: "pairs %d  spearman(student, teacher) %.4f", similarities[0].count, spearman))
        print(String(format: "teacher %d layers  %.2f s  %.0f sentences/s", models[0].bert.config.numHiddenLayers, median[0], Double(texts.count) / median[0]))
        print(String(format: "student %d layers  %.2f s  %.0f sentences/s  → speed-up %.2fx  (%d threads, batch %d, median of %d, %@)",
                     models[1].bert.config.numHiddenLayers, median[1], Double(texts.count) / median[1], median[0] / median[1],
                     threads, batchSize, repeats, BLAS.description))
    }
}
