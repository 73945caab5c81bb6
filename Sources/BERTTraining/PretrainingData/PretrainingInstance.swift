// The unit the pipeline produces, with Hugging Face's field names and conventions (BertForPreTraining).

/// One model input, padded to `max_seq_length`, masked and labelled.
///
/// Conventions follow `transformers`: `labels` is -100 where no prediction is made and the original token id
/// where one is; `nextSentenceLabel` is 0 when segment B really follows A and 1 when B is random
/// (BertForPreTraining), or for sentence-order prediction 0 = original order and 1 = swapped
/// (AlbertForPreTraining's `sentence_order_label`); -100 when the objective has no sentence-level task.
@_spi(Fuzzing) public struct PretrainingInstance: Sendable, Equatable {
    /// Token ids after masking, `[max_seq_length]`, padded with `[PAD]`.
    @_spi(Fuzzing) public var inputIDs: [Int]
    /// 0 for `[CLS]`, A and the first `[SEP]`; 1 for B and the last `[SEP]`; 0 on padding. `[max_seq_length]`.
    package var tokenTypeIDs: [Int]
    /// 1 on real tokens, 0 on padding. `[max_seq_length]`.
    package var attentionMask: [Int]
    /// Original id where the token is predicted, -100 elsewhere. `[max_seq_length]`.
    package var labels: [Int]
    /// Next-sentence (or sentence-order) label; see the type's comment.
    package var nextSentenceLabel: Int

    /// The value of `labels` (and of `nextSentenceLabel`) where nothing is predicted, as PyTorch's
    /// `CrossEntropyLoss(ignore_index=-100)`.
    package static let ignoreIndex = -100

    /// Stores the five fields as given.
    package init(inputIDs: [Int], tokenTypeIDs: [Int], attentionMask: [Int], labels: [Int], nextSentenceLabel: Int) {
        self.inputIDs = inputIDs
        self.tokenTypeIDs = tokenTypeIDs
        self.attentionMask = attentionMask
        self.labels = labels
        self.nextSentenceLabel = nextSentenceLabel
    }

    /// The padded length (`max_seq_length`).
    package var sequenceLength: Int { inputIDs.count }
    /// Number of real (unpadded) tokens.
    package var length: Int { attentionMask.reduce(0, +) }
    /// Token ids before masking: the label where one is set, the input id elsewhere.
    package var originalIDs: [Int] {
        zip(inputIDs, labels).map { $1 == Self.ignoreIndex ? $0 : $1 }
    }
}

/// A sequence before masking: `[CLS] A [SEP] B [SEP]` (or `[CLS] block [SEP]`), unpadded.
package struct UnmaskedSequence: Sendable, Equatable {
    /// The token ids, specials included.
    package var tokens: [Int]
    /// Number of leading tokens with token type 0 (`[CLS]`, A and the first `[SEP]`); the rest are type 1.
    package var typeZeroLength: Int
    /// 0/1 sentence-level label, or -100.
    package var nextSentenceLabel: Int

    /// Stores the fields as given.
    package init(tokens: [Int], typeZeroLength: Int, nextSentenceLabel: Int) {
        self.tokens = tokens
        self.typeZeroLength = typeZeroLength
        self.nextSentenceLabel = nextSentenceLabel
    }

    /// Pads to `maxSeqLength` with `padID` and attaches masked inputs and labels (`masked` has `tokens.count`
    /// entries).
    package func padded(masked: MaskedTokens, maxSeqLength: Int, padID: Int) -> PretrainingInstance {
        let n = tokens.count
        let padding = maxSeqLength - n
        var types = [Int](repeating: 0, count: maxSeqLength)
        for i in typeZeroLength..<n { types[i] = 1 }
        return PretrainingInstance(
            inputIDs: masked.inputIDs + [Int](repeating: padID, count: padding),
            tokenTypeIDs: types,
            attentionMask: [Int](repeating: 1, count: n) + [Int](repeating: 0, count: padding),
            labels: masked.labels + [Int](repeating: PretrainingInstance.ignoreIndex, count: padding),
            nextSentenceLabel: nextSentenceLabel)
    }
}
