import BERTModels
import BERTNN
import BERTTensor
import Foundation

/// What `bert distill` trains: DistilBERT's masked-LM recipe, sentence-embedding MSE, or classifier logits.
package enum DistillationMode: String, Sendable, CaseIterable {
    case mlm, embedding, logits
}

/// The options every distillation mode shares (the mode-specific ones live with each mode).
package struct DistillationSettings {
    package var teacher: URL
    package var output: URL
    /// Teacher layers copied into the student, in order; nil = every other layer from 0 (half the depth).
    package var layerMap: [Int]?
    package var layout: StudentLayout = .teacher
    /// The run's arguments (`maxSteps` required; batch size and maximum length included).
    package var training: TrainingArguments
    /// `training.batchSize`.
    package var batchSize: Int { get { training.batchSize } set { training.batchSize = newValue } }
    /// `training.maxSeqLength`.
    package var maxSeqLength: Int { get { training.maxSeqLength } set { training.maxSeqLength = newValue } }
    package var start: RunStart = .resume
    /// Stop after this many steps (a simulated interruption, for tests).
    package var stopAfter: Int?
    /// Receives each logged entry with the estimated seconds left; `message` receives one-line notes.
    package var onLog: (TrainingLogEntry, Double) -> Void = { _, _ in }
    package var message: (String) -> Void = { _ in }

    package init(teacher: URL, output: URL, training: TrainingArguments) {
        self.teacher = teacher; self.output = output; self.training = training
    }

    /// The layer map, checked against the teacher.
    package func resolvedLayerMap(teacherLayers: Int) throws -> [Int] {
        let map = layerMap ?? DistillationStudent.defaultLayerMap(teacherLayers: teacherLayers)
        try DistillationStudent.check(map, teacherLayers: teacherLayers)
        return map
    }

    /// The most tokens one batch may hold (batch size × maximum length).
    package static let maxTokensPerBatch = 1 << 20

    /// Checks shared options before anything is loaded.
    package func validate() throws {
        guard batchSize >= 1 else { throw DistillationError.invalidOption(name: "batch-size", value: "\(batchSize)", requirement: "must be at least 1") }
        guard maxSeqLength >= 2, maxSeqLength <= 65536 else {
            throw DistillationError.invalidOption(name: "max-seq-length", value: "\(maxSeqLength)", requirement: "must be from 2 to 65536 (the teacher's own limit applies too)")
        }
        // Checked before anything is allocated: one batch's activations grow with batch × length.
        guard batchSize <= Self.maxTokensPerBatch / maxSeqLength else {
            throw DistillationError.invalidOption(name: "batch-size", value: "\(batchSize)", requirement: "at most \(Self.maxTokensPerBatch / maxSeqLength) with --max-seq-length \(maxSeqLength) (\(Self.maxTokensPerBatch) tokens per batch); use --gradient-accumulation for larger effective batches")
        }
        try training.validate()
    }

    /// Resumes `trainer` from the newest checkpoint when asked and one exists, then trains; the final student is
    /// written by `saveStudent` into `output/last` atomically.
    package func run<S: TrainingBatchSource>(_ trainer: Trainer<S>, source: S, saveStudent: @escaping (URL) throws -> Void) throws {
        trainer.onLog = onLog
        if start == .resume, let checkpoint = trainer.latestCheckpoint {
            try trainer.resume(from: checkpoint, source: source)
            message("resumed from \(checkpoint.path) at step \(trainer.step)")
        }
        try trainer.train(source: source, stopAfter: stopAfter)
        // Under mpirun every rank trains the same student; rank 0 alone writes it.
        guard trainer.step >= trainer.totalSteps, try DataParallelGroup.joined()?.isWriter ?? true else { return }
        try AtomicFolder.write(output.appendingPathComponent("last"), saveStudent)
        message("student: \(output.appendingPathComponent("last").path)")
    }
}
