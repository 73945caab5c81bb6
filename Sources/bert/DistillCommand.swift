import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

extension DistillationMode: ExpressibleByArgument {}
extension StudentLayout: ExpressibleByArgument {}
extension LogitMatching: ExpressibleByArgument {}

/// `bert distill`: a smaller student from a teacher, trained by the shared `Trainer` (docs/distillation.md).
struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill", abstract: "Distil a teacher into a smaller student (mlm, embedding or logits).",
        discussion: """
            mlm: DistilBERT's recipe on an instance file (bert pretraining-data --objective mlm): KL of soft targets
            at --temperature, MLM cross-entropy and the cosine loss of last hidden states (--alpha-ce/-mlm/-cos).
            embedding: sentence-transformers' MSE distillation on text files (one sentence per line).
            logits: a classifier student matches the teacher's logits (--match mse|kl) on .txt (unlabelled) or
            .csv/.tsv/.jsonl (text, label) files, gold labels mixed in by --gold-weight.
            The student takes teacher layers --layers (default every other one: 0,2,4,...), embeddings and heads
            copied; --student-layout distilbert writes DistilBERT keys. Writes <output>/checkpoint-N/, log.jsonl,
            loss.svg and the final student in <output>/last/ (loadable by transformers / sentence-transformers).
            Re-running the same command resumes from the newest checkpoint. One run at a time per folder.
            """)

    @Option(help: "mlm, embedding or logits.") var mode: DistillationMode
    @Option(help: "Teacher model folder (or cache id).") var teacher: String
    @Option(help: "Output folder.") var output: String
    @Option(help: "Training data: an instance file (mlm) or text/table files (embedding, logits).") var data: [String]
    @Option(help: "Held-out data: instance file (mlm), sentence pairs one per line (embedding), labelled table (logits).") var validation: String?
    @Option(help: "Teacher layers the student copies, e.g. 0,2,4 (default: every other layer).") var layers: String?
    @Option(help: "teacher (the teacher's own architecture) or distilbert.") var studentLayout: StudentLayout = .teacher
    @Option(help: "embedding: start from this student model instead of teacher layers.") var student: String?
    @Flag(help: "embedding: a trained Dense layer from the --student's width to the teacher's (saved as the student's 2_Dense module).") var projection = false
    @Option(help: "embedding/logits: teacher outputs cached in this file and reused (checked against teacher and data).") var cacheTeacher: String?
    @Option var temperature: Float = 2
    @Option(help: "mlm: weight of the soft-target KL.") var alphaCe: Float = 5
    @Option(help: "mlm: weight of the MLM cross-entropy.") var alphaMlm: Float = 2
    @Option(help: "mlm: weight of the hidden-state cosine loss.") var alphaCos: Float = 1
    @Flag(help: "mlm: mask every instance again in each epoch (DistilBERT's dynamic masking), with the file's masking settings.") var dynamicMasking = false
    @Flag(help: "mlm: the soft-target KL over the masked positions only (DistilBERT's --restrict_ce_to_mask; default every token).") var restrictCeToMask = false
    @Option(help: "logits: mse or kl.") var match: LogitMatching = .mse
    @Option(help: "logits: weight of the gold-label cross-entropy (labelled rows only).") var goldWeight: Float = 0
    @Option var maxSeqLength = 128
    @OptionGroup var training: TrainingRunOptions
    @Option(help: "Threads for the matrix products (default: all cores).") var threads: Int?

    func validate() throws { try training.validateForSteps("distill") }

    func run() throws {
        try applyThreads(threads)
        var options = training.arguments(.steps, evaluates: validation != nil)
        options.maxSeqLength = maxSeqLength
        let teacherURL = try resolveModelReference(teacher)
        var settings = DistillationSettings(teacher: teacherURL, output: URL(fileURLWithPath: output), training: options)
        settings.layout = studentLayout
        settings.start = training.start
        let total = options.maxSteps ?? 0
        settings.onLog = { entry, eta in
            let prefix = entry.evalLoss == nil ? "[\(entry.step)/\(total)] " : ""
            FileHandle.standardError.write(Data((prefix + entry.progressLine(eta: eta) + "\n").utf8))
        }
        // Under mpirun rank 0 alone reports (every rank still prints its own errors).
        let writer = try DataParallelGroup.joined()?.isWriter ?? true
        settings.message = { if writer { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } }
        if let layers {
            let folder = SentenceTransformerLayout.isSentenceTransformer(teacherURL)
                ? try SentenceTransformerLayout(directory: teacherURL).transformerDirectory ?? teacherURL : teacherURL
            let teacherLayers = try Pretrained.config(in: folder).numHiddenLayers
            settings.layerMap = try DistillationStudent.layerMap(layers, teacherLayers: teacherLayers)
        }
        let dataURLs = data.map { URL(fileURLWithPath: $0) }
        let validationURL = validation.map { URL(fileURLWithPath: $0) }
        switch mode {
        case .mlm:
            guard dataURLs.count == 1 else { throw ValidationError("--mode mlm reads one instance file (--data once)") }
            var weights = MaskedLMDistillationWeights()
            (weights.temperature, weights.softTargets, weights.maskedLM, weights.cosine) = (temperature, alphaCe, alphaMlm, alphaCos)
            weights.restrictSoftTargetsToMasked = restrictCeToMask
            try MaskedLMDistillation.run(settings, data: dataURLs[0], validation: validationURL, weights: weights, dynamicMasking: dynamicMasking)
        case .embedding:
            var o = EmbeddingDistillation.Options()
            o.student = try student.map(resolveModelReference)
            o.projection = projection
            o.cacheTeacher = cacheTeacher.map { URL(fileURLWithPath: $0) }
            try EmbeddingDistillation.run(settings, data: dataURLs, validation: validationURL, options: o)
        case .logits:
            var o = LogitDistillation.Options()
            (o.matching, o.temperature, o.goldWeight) = (match, temperature, goldWeight)
            o.cacheTeacher = cacheTeacher.map { URL(fileURLWithPath: $0) }
            try LogitDistillation.run(settings, data: dataURLs, validation: validationURL, options: o)
        }
    }
}
