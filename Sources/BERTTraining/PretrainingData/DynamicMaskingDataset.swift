// RoBERTa's recipe: no NSP, full blocks of contiguous text, masks redrawn every epoch (Liu et al. 2019, §4.1).

/// MLM-only instances whose masks are a pure function of (seed, epoch, instance index): epoch k always gives the
/// same masks, and a new epoch gives new ones, without storing anything per epoch.
///
/// The documents are concatenated in order with a `[SEP]` between documents, then cut into blocks of
/// `max_seq_length - 2` tokens; instance i is `[CLS] block_i [SEP]`, token type 0 throughout, padded (only the
/// last block can be short). `nextSentenceLabel` is -100.
package struct DynamicMaskingDataset: PretrainingInstanceSource, Sendable {
    /// The settings (`maxSeqLength`, masking knobs, `seed`).
    package let configuration: PretrainingDataConfiguration
    /// The masking step.
    package let masker: MaskedLMMasker
    private let vocabulary: PretrainingVocabulary
    private let stream: [Int]
    private let blockLength: Int

    /// Concatenates and blocks `corpus`.
    package init(corpus: PretrainingCorpus, configuration: PretrainingDataConfiguration,
                vocabulary: PretrainingVocabulary) {
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.masker = MaskedLMMasker(vocabulary: vocabulary, configuration: configuration)
        var stream: [Int] = []
        for (d, document) in corpus.documents.enumerated() {
            if d > 0 { stream.append(vocabulary.sepID) }
            for sentence in document { stream += sentence }
        }
        self.stream = stream
        self.blockLength = configuration.maxSeqLength - 2
    }

    /// Number of blocks.
    package var count: Int { (stream.count + blockLength - 1) / blockLength }

    /// `max_seq_length`.
    package var maxSeqLength: Int { configuration.maxSeqLength }

    /// Block `index` before masking: `[CLS] tokens [SEP]`, unpadded.
    package func sequence(at index: Int) -> UnmaskedSequence {
        let start = index * blockLength
        let block = stream[start..<min(start + blockLength, stream.count)]
        let tokens = [vocabulary.clsID] + block + [vocabulary.sepID]
        return UnmaskedSequence(tokens: tokens, typeZeroLength: tokens.count,
                                nextSentenceLabel: PretrainingInstance.ignoreIndex)
    }

    /// Block `index` masked for `epoch`, from a generator seeded with (seed, epoch, index).
    package func instance(at index: Int, epoch: Int) -> PretrainingInstance {
        let sequence = sequence(at: index)
        var rng = PretrainingRandomGenerator(seed: configuration.seed,
                                             stream: [UInt64(truncatingIfNeeded: epoch), UInt64(index)])
        return sequence.padded(masked: masker.mask(sequence.tokens, using: &rng),
                               maxSeqLength: configuration.maxSeqLength, padID: vocabulary.padID)
    }
}
