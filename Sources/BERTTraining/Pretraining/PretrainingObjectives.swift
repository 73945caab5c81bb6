import BERTModels
import BERTNN
import BERTTensor
import Foundation

/// Losses and accuracies of a pre-training batch, for logs and evaluation.
package enum PretrainingMetrics {
    /// Share of labelled positions (label ≠ -100) whose arg-max logit is the label. logits: [N, vocab].
    package static func accuracy(logits: Tensor, labels: [Int]) -> (correct: Int, total: Int) {
        let c = logits.shape.last!
        let v = logits.scalars
        var correct = 0, total = 0
        for (i, l) in labels.enumerated() where l != -100 {
            var best = 0
            var bestValue = -Float.infinity
            for j in 0..<c where v[i * c + j] > bestValue { bestValue = v[i * c + j]; best = j }
            if best == l { correct += 1 }
            total += 1
        }
        return (correct, total)
    }

    /// Held-out MLM loss, accuracy and perplexity (exp of the mean token loss) over every batch of `source`.
    package static func evaluate<S: PretrainingInstanceSource>(source: S, batchSize: Int, step: Int,
                                                              mlmLogits: (EncoderInput) throws -> Tensor) throws -> TrainingLogEntry {
        var batcher = try PretrainingBatcher(source: source, batchSize: min(batchSize, source.count), dropLast: false)
        var lossSum = 0.0, correct = 0, total = 0
        for _ in 0..<batcher.batchesPerEpoch {
            let b = try batcher.next()
            let logits = try mlmLogits(b.encoderInput())
            let flat = try logits.reshaped([-1, logits.shape[2]])
            let n = b.labels.filter { $0 != -100 }.count
            guard n > 0 else { continue }
            lossSum += Double(try flat.crossEntropy(labels: b.labels).item) * Double(n)
            let (c, t) = accuracy(logits: flat, labels: b.labels)
            correct += c; total += t
        }
        let mean = lossSum / Double(max(total, 1))
        var e = TrainingLogEntry(step: step, epoch: 0, loss: mean, learningRate: 0, gradNorm: 0, tokensPerSecond: 0)
        e.evalLoss = mean
        e.evalMLMAccuracy = Double(correct) / Double(max(total, 1))
        e.evalPerplexity = exp(mean)
        return e
    }
}

extension PretrainingMetrics {
    /// The accuracy of always predicting the most frequent label token of `source` (the baseline MLM accuracy
    /// must beat), and that token's id.
    package static func mostFrequentTokenBaseline<S: PretrainingInstanceSource>(_ source: S) throws -> (accuracy: Double, token: Int) {
        var counts: [Int: Int] = [:]
        var total = 0
        for i in 0..<source.count {
            for l in try source.instance(at: i, epoch: 0).labels where l != -100 { counts[l, default: 0] += 1; total += 1 }
        }
        let best = counts.max { $0.value < $1.value } ?? (key: 0, value: 0)
        return (Double(best.value) / Double(max(total, 1)), best.key)
    }
}

/// BERT's pre-training objective: masked-LM plus a sentence-level task — BERT's next-sentence prediction, or
/// ALBERT's sentence-order prediction (the same head under `sop_classifier`). Logs `mlm_loss`, `mlm_accuracy`
/// and `<task>_loss`, `<task>_accuracy` with `<task>` "nsp" or "sop".
package struct BertPretrainingObjective: TrainingObjective {
    package let model: BertForPreTraining
    /// "nsp" or "sop": names the sentence task's figures.
    package let sentenceTask: String

    /// The objective of `model`; `sentenceTask` defaults to the family's own (ALBERT: "sop").
    package init(model: BertForPreTraining, sentenceTask: String? = nil) {
        self.model = model
        self.sentenceTask = sentenceTask ?? model.bert.config.family.sentenceTask ?? "nsp"
    }

    package func step(_ batch: PretrainingBatch, context: ForwardContext) throws -> StepOutput {
        let out = try model.loss(batch.encoderInput(), labels: batch.labels, nextSentenceLabels: batch.nextSentenceLabels, context: context)
        let (mc, mt) = PretrainingMetrics.accuracy(logits: out.prediction, labels: out.labelledLabels)
        let (nc, nt) = PretrainingMetrics.accuracy(logits: out.seqRelationship, labels: batch.nextSentenceLabels)
        var step = StepOutput(loss: out.total, tokens: batch.attentionMask.reduce(0, +), metrics: [
            "mlm_loss": Double(out.mlm.item), sentenceTask + "_loss": Double(out.nsp.item),
            "mlm_accuracy": Double(mc) / Double(max(mt, 1)), sentenceTask + "_accuracy": Double(nc) / Double(max(nt, 1)),
        ])
        // Each cross-entropy is a mean over its own labelled positions (masked tokens; sentence pairs).
        step.lossTerms = [(out.mlm, Double(mt)), (out.nsp, Double(nt))]
        return step
    }
}

/// The masked-LM-only objective (RoBERTa's and DistilBERT's): logs `mlm_loss` and `mlm_accuracy`.
package struct MaskedLMObjective: TrainingObjective {
    package let model: BertForMaskedLM

    /// The objective of `model`.
    package init(model: BertForMaskedLM) { self.model = model }

    package func step(_ batch: PretrainingBatch, context: ForwardContext) throws -> StepOutput {
        let out = try model.loss(batch.encoderInput(), labels: batch.labels, context: context)
        let (mc, mt) = PretrainingMetrics.accuracy(logits: out.logits, labels: batch.labels.filter { $0 != -100 })
        var step = StepOutput(loss: out.loss, tokens: batch.attentionMask.reduce(0, +), metrics: [
            "mlm_loss": Double(out.loss.item), "mlm_accuracy": Double(mc) / Double(max(mt, 1)),
        ])
        step.lossTerms = [(out.loss, Double(mt))]
        return step
    }
}
