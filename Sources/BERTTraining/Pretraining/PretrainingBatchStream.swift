import BERTModels

/// Feeds a `PretrainingBatcher` to the `Trainer`: reports the end of each epoch (the batcher itself rolls over)
/// and saves/restores its position so a resumed run reads the same batches.
package final class PretrainingBatchStream<Source: PretrainingInstanceSource>: TrainingBatchSource, ShardableBatchSource {
    package typealias Position = PretrainingBatchPosition
    private var batcher: PretrainingBatcher<Source>
    private var epoch: Int
    private var pending: PretrainingBatch?

    /// A stream over `batcher`, starting at its position.
    package init(_ batcher: PretrainingBatcher<Source>) {
        self.batcher = batcher
        epoch = batcher.position.epoch
    }

    package func nextBatch() throws -> PretrainingBatch? {
        if let p = pending, p.position.epoch == epoch { pending = nil; return p }
        let b = try batcher.next()
        if b.position.epoch != epoch { pending = b; return nil }
        return b
    }

    package func startEpoch(_ epoch: Int) throws { self.epoch = epoch }

    package var position: PretrainingBatchPosition { pending?.position ?? batcher.position }

    package func restore(_ position: PretrainingBatchPosition) throws {
        batcher.position = position
        epoch = position.epoch
        pending = nil
    }

    package func shard(rank: Int, of ranks: Int) throws { try batcher.shard(rank: rank, of: ranks) }

    package func isEmptyBatch(_ batch: Any) -> Bool { (batch as? PretrainingBatch)?.batchSize == 0 }

    /// The number of batches in one epoch.
    package var batchesPerEpoch: Int { batcher.batchesPerEpoch }
}

extension PretrainingBatch {
    /// The batch as encoder input.
    package func encoderInput() throws -> EncoderInput {
        try EncoderInput(inputIds: inputIDs, tokenTypeIds: tokenTypeIDs, attentionMask: attentionMask,
                         batch: batchSize, length: sequenceLength)
    }
}
