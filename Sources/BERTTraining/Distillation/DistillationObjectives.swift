import BERTModels
import BERTNN
import BERTTasks
import BERTTensor

/// `bert distill --mode mlm` as a `TrainingObjective`: DistilBERT's loss (`DistillationStep.maskedLM`) on a
/// pre-training batch. Logs `distill_ce`, `distill_cos`, `mlm_loss` and `mlm_accuracy`.
package struct MaskedLMDistillationObjective: TrainingObjective {
    package let student: BertForMaskedLM
    package let teacher: BertForMaskedLM
    package let weights: MaskedLMDistillationWeights

    package func step(_ batch: PretrainingBatch, context: ForwardContext) throws -> StepOutput {
        try DistillationStep.maskedLM(student: student, teacher: teacher, input: batch.encoderInput(), labels: batch.labels,
                                      weights: weights, context: context)
    }
}

/// `bert distill --mode embedding` as a `TrainingObjective`: the student's sentence vectors regress onto the
/// teacher's (`DistillationStep.embedding`), the teacher's taken from `cached` rows when given. Logs no extra figure.
package struct EmbeddingDistillationObjective: TrainingObjective {
    package let student: SentenceTransformer
    package let teacher: SentenceTransformer
    /// Teacher vectors, `width` floats per sentence index, or nil to run the teacher on each batch.
    package let cached: [Float]?
    package let width: Int
    package let padId: Int
    package let normalize: Bool

    package func step(_ batch: [DistillationSentence], context: ForwardContext) throws -> StepOutput {
        let input = try EncoderInput(rows: batch.map(\.ids), padId: padId)
        let target: [Float]
        if let cached {
            target = batch.flatMap { cached[($0.index * width)..<(($0.index + 1) * width)] }
        } else {
            target = try GradientTape.withoutRecording { try teacher.embed(input, normalize: normalize).scalars }
        }
        let (model, normalizes) = (student, normalize)
        return try DistillationStep.embedding(student: { try model.embed($0, normalize: normalizes, context: $1) },
                                              teacherVectors: Tensor(shape: [batch.count, width], scalars: target), input: input, context: context)
    }
}

/// `bert distill --mode logits` as a `TrainingObjective`: a classifier student matches the teacher's logits
/// (`DistillationStep.logits`), mixed with the gold labels where given. Logs `distill_loss` and `gold_loss`.
package struct LogitDistillationObjective: TrainingObjective {
    package let student: BertForSequenceClassification
    /// The teacher's logits of a batch (from the cache or the teacher itself), `width` per example.
    package let teacherLogits: ([DistillationExample]) throws -> [Float]
    package let width: Int
    package let padId: Int
    package let options: LogitDistillation.Options

    package func step(_ batch: [DistillationExample], context: ForwardContext) throws -> StepOutput {
        let target = try teacherLogits(batch)
        let input = try TextClassificationFineTuning.input(batch.map(\.feature), padId: padId, tokenTypes: student.bert.config.family.takesTokenTypeIds)
        let gold = batch.map(\.gold)
        return try DistillationStep.logits(student: student, teacherLogits: Tensor(shape: [batch.count, width], scalars: target), input: input,
                                           labels: gold.contains { $0 != -100 } ? gold : nil, matching: options.matching,
                                           temperature: options.temperature, distillWeight: options.distillWeight,
                                           goldWeight: options.goldWeight, context: context)
    }
}
