import BERTModels
import BERTNN
import BERTTensor

/// DistilBERT's loss weights and temperature (`Distiller`'s defaults in research_projects/distillation/train.py).
package struct MaskedLMDistillationWeights: Sendable, Equatable {
    package var temperature: Float = 2
    /// α_ce: the soft-target KL term.
    package var softTargets: Float = 5
    /// α_mlm: the masked-LM cross-entropy on the gold tokens.
    package var maskedLM: Float = 2
    /// α_cos: the cosine loss between last hidden states.
    package var cosine: Float = 1
    /// `--restrict_ce_to_mask`: the KL term on masked positions only (default: every non-padded position).
    package var restrictSoftTargetsToMasked = false

    /// The defaults above.
    package init() {}
}

/// How a classifier student matches its teacher's logits.
package enum LogitMatching: String, Sendable, CaseIterable {
    /// `MSELoss` on the raw logits.
    case mse
    /// KL of the softened distributions at the temperature, times T² (as `softTargetKL`).
    case kl
}

/// One batch's forward pass for each distillation mode: the teacher runs without a tape (inference road), the
/// student under the trainer's tape; the result is the `StepOutput` the `Trainer` back-propagates.
package enum DistillationStep {
    /// DistilBERT's objective (`Distiller.step` with `mlm=True`):
    ///
    ///     α_ce · KLDiv_batchmean(log_softmax(s/T), softmax(t/T)) · T²    over non-padded (or masked) positions
    ///   + α_mlm · CrossEntropy(s, labels, ignore_index=-100)              over masked positions
    ///   + α_cos · CosineEmbeddingLoss(h_s, h_t, 1)                        over non-padded positions
    ///
    /// where s, t are the student's and teacher's vocabulary logits and h their last hidden states. Only the rows
    /// a term reads go through the vocabulary head (the same values and gradients as the reference's masked_select
    /// of full logits, without the [batch × sequence × vocab] product for padding).
    package static func maskedLM(student: BertForMaskedLM, teacher: BertForMaskedLM, input: EncoderInput, labels: [Int],
                                 weights: MaskedLMDistillationWeights, context: ForwardContext) throws -> StepOutput {
        guard labels.count == input.batch * input.length else {
            throw ModelError.invalidInput("\(labels.count) MLM labels for \(input.batch * input.length) positions")
        }
        let real = input.attentionMask.indices.filter { input.attentionMask[$0] == 1 }
        let softRows = weights.restrictSoftTargetsToMasked ? real.filter { labels[$0] != -100 } : real
        let (teacherHidden, teacherLogits) = try GradientTape.withoutRecording {
            let hidden = try rows(teacher.bert.lastHiddenStateSkippingPadding(input), real)
            return (hidden, try teacher.predictions(rows(hidden, positionsWithin(real, softRows))))
        }
        // A DistilBERT student has no token types (its positions hold the teacher's type-0 row), as in Distiller,
        // which passes none: segment ids of NSP-style instance files reach the teacher only.
        let studentHidden = try rows(student.bert(studentInput(input, for: student.bert), context: context).lastHiddenState, real)
        let studentLogits = try student.predictions(rows(studentHidden, positionsWithin(real, softRows)))
        let kl = try DistillationLoss.softTargetKL(student: studentLogits, teacher: teacherLogits, temperature: weights.temperature)
        var loss = kl.scaled(by: weights.softTargets)
        var metrics = ["distill_ce": Double(kl.item)]
        let masked = softRows.indices.filter { labels[softRows[$0]] != -100 }
        if weights.maskedLM > 0, !masked.isEmpty {
            let maskedLogits = try rows(studentLogits, masked)
            let gold = masked.map { labels[softRows[$0]] }
            let mlm = try maskedLogits.crossEntropy(labels: gold)
            loss = try loss.adding(mlm.scaled(by: weights.maskedLM))
            let (c, t) = PretrainingMetrics.accuracy(logits: maskedLogits, labels: gold)
            metrics["mlm_loss"] = Double(mlm.item)
            metrics["mlm_accuracy"] = Double(c) / Double(max(t, 1))
        }
        if weights.cosine > 0 {
            let cos = try DistillationLoss.cosineEmbedding(student: studentHidden, teacher: teacherHidden)
            loss = try loss.adding(cos.scaled(by: weights.cosine))
            metrics["distill_cos"] = Double(cos.item)
        }
        return StepOutput(loss: loss, tokens: real.count, metrics: metrics)
    }

    /// Sentence-transformers' `MSELoss`: the student's sentence vectors regress onto the teacher's (given, e.g.
    /// from the teacher cache). `student` maps a batch to vectors [batch, dim] under the tape.
    package static func embedding(student: (EncoderInput, ForwardContext) throws -> Tensor, teacherVectors: Tensor,
                                  input: EncoderInput, context: ForwardContext) throws -> StepOutput {
        let vectors = try student(input, context)
        let loss = try DistillationLoss.meanSquaredError(student: vectors, teacher: teacherVectors)
        return StepOutput(loss: loss, tokens: input.attentionMask.reduce(0, +), metrics: [:])
    }

    /// Task distillation for classifiers and cross-encoders: `distill · match(s, t) + gold · CE(s, labels)`,
    /// `match` being MSE on the logits or KL at `temperature` (× T²); the gold term only where labels are given
    /// (-100 elsewhere) and `goldWeight` > 0.
    package static func logits(student: BertForSequenceClassification, teacherLogits: Tensor, input: EncoderInput,
                               labels: [Int]?, matching: LogitMatching, temperature: Float, distillWeight: Float,
                               goldWeight: Float, context: ForwardContext) throws -> StepOutput {
        let s = try student(input, context: context)
        let match = matching == .mse
            ? try DistillationLoss.meanSquaredError(student: s, teacher: teacherLogits)
            : try DistillationLoss.softTargetKL(student: s, teacher: teacherLogits, temperature: temperature)
        var loss = match.scaled(by: distillWeight)
        var metrics = ["distill_loss": Double(match.item)]
        if goldWeight > 0, let labels, labels.contains(where: { $0 != -100 }) {
            let ce = try s.crossEntropy(labels: labels)
            loss = try loss.adding(ce.scaled(by: goldWeight))
            metrics["gold_loss"] = Double(ce.item)
        }
        return StepOutput(loss: loss, tokens: input.attentionMask.reduce(0, +), metrics: metrics)
    }

    /// `input` with its token types zeroed when `model` takes none (a DistilBERT student of a BERT teacher).
    package static func studentInput(_ input: EncoderInput, for model: BertModel) -> EncoderInput {
        guard !model.config.family.takesTokenTypeIds else { return input }
        var zeroed = input
        zeroed.tokenTypeIds = [Int](repeating: 0, count: input.tokenTypeIds.count)
        return zeroed
    }

    /// Rows `positions` of `x` flattened to [-1, last] (differentiable gather): [positions.count, last].
    package static func rows(_ x: Tensor, _ positions: [Int]) throws -> Tensor {
        let flat = try x.reshaped([-1, x.shape[x.rank - 1]])
        return try flat.embedding(ids: positions, shape: [positions.count])
    }

    /// The index within `all` (sorted) of each of `subset` (sorted, contained in `all`).
    static func positionsWithin(_ all: [Int], _ subset: [Int]) -> [Int] {
        if subset.count == all.count { return Array(all.indices) }
        var out: [Int] = [], i = 0
        out.reserveCapacity(subset.count)
        for p in subset { while all[i] != p { i += 1 }; out.append(i) }
        return out
    }
}
