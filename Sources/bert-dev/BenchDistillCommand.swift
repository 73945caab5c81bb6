import ArgumentParser
import BERT
import Foundation

/// `bert-dev bench distill`: tokens/s of one DistilBERT distillation step (teacher inference, student forward with
/// KL + MLM + cosine losses, backward, AdamW) against PyTorch's equivalent step in the same run
/// (`scripts/bench_distill.py`, same shapes). The teacher has `--layers`; the student every other one of them.
struct BenchDistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "distill", abstract: "Distillation step speed vs PyTorch.")

    @OptionGroup var shape: BenchShapeOptions
    @Option var vocabSize = 30522

    func run() throws {
        Threads.set(shape.threads)
        var config = shape.config
        config.vocabSize = vocabSize
        let teacher = try BertForMaskedLM(config: config, seed: 1)
        teacher.bert.prepareForInference()
        let student = try DistillationStudent.maskedLM(teacher: teacher, layerMap: DistillationStudent.defaultLayerMap(teacherLayers: shape.layers),
                                                       layout: .teacher, teacherDirectory: "bench")
        let optimizer = AdamW(parameters: student.namedParameters(), learningRate: 1e-4)
        var g = SeededGenerator(seed: 2)
        let n = shape.batchSize * shape.length
        let ids = (0..<n).map { _ in Int(g.next() % UInt64(vocabSize - 100)) + 100 }
        let labels = ids.map { g.nextUnitFloat() < 0.15 ? $0 : -100 }
        let input = try EncoderInput(inputIds: ids, batch: shape.batchSize, length: shape.length)
        let context = ForwardContext(training: true, seed: 3)
        func step() throws {
            student.zeroGradients()
            let tape = GradientTape()
            let out = try tape.record {
                try DistillationStep.maskedLM(student: student, teacher: teacher, input: input, labels: labels,
                                              weights: MaskedLMDistillationWeights(), context: context)
            }
            try tape.backward(out.loss)
            optimizer.update()
        }
        let ours = Double(n) / (try BenchEmbedCommand.median(step, repeats: shape.repeats))
        print(String(format: "swift  distill_mlm_step tokens/s  %.0f  (teacher %d layers → student %d, hidden %d, vocab %d, batch %d × %d, %@)",
                     ours, shape.layers, student.bert.config.numHiddenLayers, shape.hiddenSize, vocabSize, shape.batchSize, shape.length, BLAS.description))
        guard shape.runsReference else { return }
        let args = [("layers", shape.layers), ("hidden-size", shape.hiddenSize), ("heads", shape.heads), ("intermediate-size", shape.intermediateSize),
                    ("vocab-size", vocabSize), ("batch-size", shape.batchSize), ("length", shape.length), ("repeats", shape.repeats),
                    ("threads", shape.threads)].flatMap { ["--" + $0.0, "\($0.1)"] }
        for r in try runReference(python: shape.python, arguments: args, script: "bench_distill.py") where r.runtime == "torch" {
            print(String(format: "torch  %@  %.0f %@  → swift/torch = %.2fx", r.name, r.value, r.unit, ours / r.value))
        }
    }
}
