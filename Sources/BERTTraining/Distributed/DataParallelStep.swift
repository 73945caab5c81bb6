import BERTNN
import BERTTensor
import Foundation

/// A batch source that can hand each rank its share of every global batch (`batch size × ranks` rows, split in
/// rank order), with a position that counts the global batches, so a run resumes with any number of ranks.
package protocol ShardableBatchSource: AnyObject {
    /// From now on, hand out rank `rank`'s share of each global batch of `ranks` shares.
    func shard(rank: Int, of ranks: Int) throws
    /// Whether `batch` (a batch of this source) has no rows: a rank whose share of an epoch's short last batch is
    /// empty still joins the step's all-reduces, with nothing of its own.
    func isEmptyBatch(_ batch: Any) -> Bool
}

/// The data-parallel side of one optimiser step of `Trainer`: each micro-batch's loss is weighted by this rank's
/// share of each loss term's count over all ranks (so the summed gradient is the gradient of the global batch's
/// loss, exactly as one process would compute it on all the rows: a mean over masked tokens stays a mean over all
/// ranks' masked tokens), and the gradients are summed by `GradientBuckets` during the last micro-batch's backward.
package final class DataParallelStep {
    /// Loss terms a step can carry (the count all-reduce is fixed-size so empty ranks take part).
    static let maximumTerms = 4
    package let group: DataParallelGroup
    private let buckets: GradientBuckets
    /// Whether buckets start during the backward walk (`BERT_MPI_OVERLAP=0` starts them all after it, to measure
    /// the all-reduce alone).
    private let overlap: Bool
    /// Time spent in communication the computation did not hide, and the steps it covers.
    package private(set) var timing = DataParallelTiming()

    /// The step for `model` in `group`; rank 0's weights are broadcast to every rank first.
    package init(model: Module, group: DataParallelGroup) throws {
        self.group = group
        let parameters = model.parameters
        try group.broadcastFromRank0(parameters)
        // Only trained parameters are reduced (as DDP): a frozen one (DistilBERT's sinusoidal table) keeps no
        // gradient, so AdamW leaves it alone on every rank as it does in one process.
        buckets = GradientBuckets(parameters: parameters.filter(\.requiresGrad), group: group)
        overlap = ProcessInfo.processInfo.environment["BERT_MPI_OVERLAP"] != "0"
    }

    /// Forward and backward of one micro-batch on this rank; returns this rank's share of the global loss (the
    /// shares sum to the global loss over ranks), its tokens and its metrics. `last` starts the gradient
    /// all-reduce during this backward.
    package func microStep<Batch>(_ batch: Batch, isEmpty: Bool, last: Bool, scale: Float,
                          forward: (Batch, ForwardContext) throws -> StepOutput, context: ForwardContext) throws
        -> (loss: Double, tokens: Int, metrics: [String: Double]) {
        let tape = GradientTape()
        var weighted: Tensor?
        var share = 0.0
        var output: StepOutput?
        try tape.record {
            output = isEmpty ? nil : try forward(batch, context)
            let terms = output?.lossTerms ?? []
            guard terms.count <= Self.maximumTerms else { throw DataParallelError.tooManyLossTerms(count: terms.count, limit: Self.maximumTerms) }
            var counts = [Double](repeating: 0, count: Self.maximumTerms)
            for (i, t) in terms.enumerated() { counts[i] = t.count }
            let started = Date()
            try group.sum(&counts)
            timing.exposedSeconds += Date().timeIntervalSince(started)
            for (i, t) in terms.enumerated() where t.count > 0 {
                let w = t.count / counts[i]
                let part = t.loss.scaled(by: Float(w))
                weighted = try weighted.map { try $0.adding(part) } ?? part
                share += Double(t.loss.item) * w
            }
        }
        if last { buckets.beginStep() }
        if let weighted {
            try tape.backward(weighted, seed: Tensor.full(weighted.shape, scale), whenLeafIsFinal: last && overlap ? buckets.gradientIsFinal : nil)
        }
        return (share * Double(scale), output?.tokens ?? 0, output?.metrics ?? [:])
    }

    /// Ends the step: the gradients become the global sums (identical on every rank); returns the global loss and
    /// tokens from this rank's shares.
    package func finish(loss: Double, tokens: Int) throws -> (loss: Double, tokens: Int) {
        let started = Date()
        timing.bucketsStartedDuringBackward += buckets.startedDuringBackward
        try buckets.finishStep()
        var figures = [loss, Double(tokens)]
        try group.sum(&figures)
        timing.exposedSeconds += Date().timeIntervalSince(started)
        timing.steps += 1
        timing.buckets = buckets.bucketCount
        return (figures[0], Int(figures[1].rounded()))
    }
}

/// Where a data-parallel run's time went, for the scaling report (docs/distributed.md).
package struct DataParallelTiming: Sendable {
    /// Seconds this rank waited in all-reduces after its own computation was done (the part overlap did not hide).
    package var exposedSeconds = 0.0
    /// Optimiser steps measured.
    package var steps = 0
    /// Gradient buckets per step.
    package var buckets = 0
    /// Buckets whose all-reduce started while the backward walk was still running, over all steps.
    package var bucketsStartedDuringBackward = 0
}
