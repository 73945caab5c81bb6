import BERTNN
import BERTTensor

/// What a training objective must provide: the loss of one batch, with the figures it wants logged.
///
/// The `Trainer` knows no objective: it back-propagates `StepOutput.loss`, counts `tokens` for tokens/s, and
/// writes every entry of `metrics` to `log.jsonl` under its own key (averaged over gradient accumulation).
/// Pre-training (`BertPretrainingObjective`, `MaskedLMObjective`), the fine-tuning tasks and the distillation
/// modes are each one objective type; a test or a new recipe defines its own.
package protocol TrainingObjective<Batch> {
    /// What one step reads (a pre-training batch, a list of features, ...).
    associatedtype Batch
    /// The forward pass of one batch under the trainer's tape (`context` gives dropout and training mode).
    func step(_ batch: Batch, context: ForwardContext) throws -> StepOutput
}

/// An objective given as a closure (quick experiments, benchmarks and tests).
package struct ClosureObjective<Batch>: TrainingObjective {
    private let body: (Batch, ForwardContext) throws -> StepOutput

    /// The objective whose step is `body`.
    package init(_ body: @escaping (Batch, ForwardContext) throws -> StepOutput) { self.body = body }

    package func step(_ batch: Batch, context: ForwardContext) throws -> StepOutput { try body(batch, context) }
}

/// What one forward pass of a training step reports.
package struct StepOutput {
    /// The scalar loss to back-propagate.
    package var loss: Tensor
    /// Non-padding tokens processed (for tokens/s).
    package var tokens: Int
    /// Extra figures for the log, each written under its own key (e.g. "mlm_loss", "mlm_accuracy", "distill_ce").
    package var metrics: [String: Double]
    /// The loss as a sum of means, each with the count it averages over (masked tokens, rows): data-parallel
    /// training weights each rank's means by its share of the counts so that the result equals one process's loss
    /// on the global batch. The default — the whole loss with count 1 — averages the ranks' losses as DDP does.
    package var lossTerms: [(loss: Tensor, count: Double)]

    package init(loss: Tensor, tokens: Int, metrics: [String: Double] = [:]) {
        self.loss = loss; self.tokens = tokens; self.metrics = metrics
        lossTerms = [(loss, 1)]
    }
}
