// Flat row-major batches for the trainer, with a resumable position.

/// Where a batcher is: the epoch and how many instances of that epoch's order have been consumed. Codable so a
/// training checkpoint can save it.
package struct PretrainingBatchPosition: Sendable, Codable, Equatable {
    /// Epoch number, from 0.
    package var epoch: Int
    /// Instances of this epoch already handed out.
    package var index: Int

    /// A position.
    package init(epoch: Int = 0, index: Int = 0) {
        self.epoch = epoch
        self.index = index
    }
}

/// B instances as flat arrays, row-major `[batch, sequence]` (row r is `array[r*L ..< (r+1)*L]`).
package struct PretrainingBatch: Sendable, Equatable {
    /// Rows in this batch.
    package var batchSize: Int
    /// Columns (`max_seq_length`).
    package var sequenceLength: Int
    /// `[batch, sequence]` token ids.
    package var inputIDs: [Int]
    /// `[batch, sequence]` token types.
    package var tokenTypeIDs: [Int]
    /// `[batch, sequence]` 1 on tokens, 0 on padding.
    package var attentionMask: [Int]
    /// `[batch, sequence]` MLM labels, -100 where not predicted.
    package var labels: [Int]
    /// `[batch]` next-sentence / sentence-order labels (-100 for MLM-only).
    package var nextSentenceLabels: [Int]
    /// Position of the batch's first instance.
    package var position: PretrainingBatchPosition
    /// Source indices of the rows.
    package var instanceIndices: [Int]
}

/// Cuts a source into batches of `batchSize`, epoch after epoch. Each epoch's order is file order or a
/// permutation drawn from (shuffleSeed, epoch); dynamic sources see the epoch too, so their masks change.
/// Restoring a saved `position` reproduces the exact batches that would have followed.
package struct PretrainingBatcher<Source: PretrainingInstanceSource> {
    /// Where instances come from.
    package let source: Source
    /// Rows per batch.
    package let batchSize: Int
    /// Instance order within each epoch.
    package let order: PretrainingReadOrder
    /// Drop an epoch's last incomplete batch (true) or hand it out short (false).
    package let dropLast: Bool
    /// The next instance to hand out.
    package var position: PretrainingBatchPosition
    /// Data parallelism: this process hands out share `rank` of global batches of `ranks × batchSize` instances;
    /// `position` counts the global batches' instances. (0, 1) for one process.
    package private(set) var share = (rank: 0, ranks: 1)
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    /// Throws `invalidConfiguration` for a batch size below 1, an empty source, or (with `dropLast`) a source
    /// smaller than one batch.
    package init(source: Source, batchSize: Int, order: PretrainingReadOrder = .sequential, dropLast: Bool = true,
                position: PretrainingBatchPosition = PretrainingBatchPosition()) throws {
        guard batchSize >= 1 else {
            throw PretrainingDataError.invalidConfiguration("batch size \(batchSize) must be at least 1")
        }
        guard source.count >= (dropLast ? batchSize : 1) else {
            throw PretrainingDataError.invalidConfiguration(
                "the source holds \(source.count) instances, fewer than one batch of \(batchSize)")
        }
        self.source = source
        self.batchSize = batchSize
        self.order = order
        self.dropLast = dropLast
        self.position = position
    }

    /// Batches per epoch (global batches of `batchSize` × ranks under data parallelism).
    package var batchesPerEpoch: Int {
        let global = batchSize * share.ranks
        return dropLast ? source.count / global : (source.count + global - 1) / global
    }

    /// Makes `next()` return share `rank` of global batches of `ranks × batchSize` instances: rows
    /// `[n·rank/ranks, n·(rank+1)/ranks)` of each global batch of n rows, so one process with batch size
    /// `ranks × b` reads exactly the rows that `ranks` processes with batch size b read together.
    /// - Throws: `invalidConfiguration` for a rank outside `0..<ranks`, or (with `dropLast`) a source smaller than
    ///   one global batch.
    package mutating func shard(rank: Int, of ranks: Int) throws {
        guard ranks >= 1, (0..<ranks).contains(rank) else {
            throw PretrainingDataError.invalidConfiguration("rank \(rank) is not one of \(ranks) ranks")
        }
        guard !dropLast || source.count >= batchSize * ranks else {
            throw PretrainingDataError.invalidConfiguration(
                "the source holds \(source.count) instances, fewer than one global batch of \(batchSize) × \(ranks) ranks")
        }
        share = (rank, ranks)
    }

    /// The next batch (this rank's share of the next global batch); moves to the next epoch when this one is used up.
    package mutating func next() throws -> PretrainingBatch {
        let global = batchSize * share.ranks
        let remaining = source.count - position.index
        if remaining <= 0 || (dropLast && remaining < global) {
            position = PretrainingBatchPosition(epoch: position.epoch + 1, index: 0)
        }
        if cachedEpoch != position.epoch {
            cachedOrder = order.permutation(count: source.count, epoch: position.epoch)
            cachedEpoch = position.epoch
        }
        let start = position
        let globalRows = min(global, source.count - position.index)
        let first = globalRows * share.rank / share.ranks
        let rows = globalRows * (share.rank + 1) / share.ranks - first
        let length = source.maxSeqLength
        var batch = PretrainingBatch(batchSize: rows, sequenceLength: length, inputIDs: [], tokenTypeIDs: [],
                                     attentionMask: [], labels: [], nextSentenceLabels: [], position: start,
                                     instanceIndices: [])
        for row in 0..<rows {
            let index = cachedOrder[position.index + first + row]
            let instance = try source.instance(at: index, epoch: position.epoch)
            guard instance.sequenceLength == length else {
                throw PretrainingDataError.sequenceLengthMismatch(expected: length, found: instance.sequenceLength)
            }
            batch.inputIDs += instance.inputIDs
            batch.tokenTypeIDs += instance.tokenTypeIDs
            batch.attentionMask += instance.attentionMask
            batch.labels += instance.labels
            batch.nextSentenceLabels.append(instance.nextSentenceLabel)
            batch.instanceIndices.append(index)
        }
        position.index += globalRows
        return batch
    }
}
