/// Which sequence loses tokens when an input is too long (HF `TruncationStrategy`).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Remove from the longer sequence first, balancing a pair (HF `longest_first`).
    case longestFirst = "longest_first"
    /// Remove only from the first sequence.
    case onlyFirst = "only_first"
    /// Remove only from the second sequence (the question-answering setting).
    case onlySecond = "only_second"
}

/// Which end of a sequence truncation removes.
public enum TruncationDirection: String, Sendable {
    /// Keep the beginning.
    case right
    /// Keep the end.
    case left
}

/// HF `TruncationParams`. `maxLength` counts the special tokens the post-processor adds.
public struct TruncationParameters: Sendable, Equatable {
    /// Maximum total length including special tokens.
    public var maxLength: Int
    /// How many tokens consecutive overflow windows share.
    public var stride: Int
    /// Which sequence to truncate.
    public var strategy: TruncationStrategy
    /// Which end to cut.
    public var direction: TruncationDirection

    /// Creates truncation parameters.
    public init(maxLength: Int, stride: Int = 0, strategy: TruncationStrategy = .longestFirst,
                direction: TruncationDirection = .right) {
        self.maxLength = maxLength; self.stride = stride; self.strategy = strategy; self.direction = direction
    }
}

/// Which side padding goes on.
public enum PaddingDirection: String, Sendable {
    /// Append padding.
    case right
    /// Prepend padding.
    case left
}

/// HF `PaddingParams`.
public struct PaddingParameters: Sendable, Equatable {
    /// Pad to the longest encoding of the batch, or to a fixed length.
    public enum Strategy: Sendable, Equatable {
        /// Longest in the batch (HF `BatchLongest`).
        case longest
        /// A fixed length (HF `Fixed`); longer encodings are left as they are.
        case fixed(Int)
    }
    /// Target length rule.
    public var strategy: Strategy
    /// Side to pad.
    public var direction: PaddingDirection
    /// Round the target length up to a multiple of this.
    public var padToMultipleOf: Int?
    /// Padding id, type id and token.
    public var padId: Int, padTypeId: Int, padToken: String

    /// The longest length encodings are padded to (2²⁰ tokens, 2,000 times BERT's 512): a larger fixed length or
    /// multiple is refused before a row that long is allocated.
    public static let maximumLength = 1 << 20

    /// Creates padding parameters (BERT's `[PAD]` = 0 by default).
    public init(strategy: Strategy = .longest, direction: PaddingDirection = .right, padToMultipleOf: Int? = nil,
                padId: Int = 0, padTypeId: Int = 0, padToken: String = "[PAD]") {
        self.strategy = strategy; self.direction = direction; self.padToMultipleOf = padToMultipleOf
        self.padId = padId; self.padTypeId = padTypeId; self.padToken = padToken
    }
}

/// HF `truncate_encodings`: `params.maxLength` here already excludes the special tokens.
func truncateEncodings(_ first: inout Encoding, _ second: inout Encoding?, _ params: TruncationParameters) throws {
    if params.maxLength == 0 {
        first.truncate(maxLength: 0, stride: params.stride, direction: params.direction)
        second?.truncate(maxLength: 0, stride: params.stride, direction: params.direction)
        return
    }
    let total = first.count + (second?.count ?? 0)
    guard total > params.maxLength else { return }
    let toRemove = total - params.maxLength
    switch params.strategy {
    case .longestFirst:
        guard var pair = second else {
            try checkStride(params.stride, window: total - toRemove)
            first.truncate(maxLength: total - toRemove, stride: params.stride, direction: params.direction)
            return
        }
        var n1 = first.count, n2 = pair.count
        let swapped = n1 > n2
        if swapped { swap(&n1, &n2) }
        n2 = n1 > params.maxLength ? n1 : max(n1, params.maxLength - n1)
        if n1 + n2 > params.maxLength {
            n1 = params.maxLength / 2
            n2 = n1 + params.maxLength % 2
        }
        if swapped { swap(&n1, &n2) }
        if n1 < first.count { try checkStride(params.stride, window: n1) }
        if n2 < pair.count { try checkStride(params.stride, window: n2) }
        first.truncate(maxLength: n1, stride: params.stride, direction: params.direction)
        pair.truncate(maxLength: n2, stride: params.stride, direction: params.direction)
        second = pair
    case .onlyFirst, .onlySecond:
        if params.strategy == .onlyFirst {
            guard first.count > toRemove else { throw TokenizerError.sequenceTooShort(length: first.count, toRemove: toRemove) }
            try checkStride(params.stride, window: first.count - toRemove)
            first.truncate(maxLength: first.count - toRemove, stride: params.stride, direction: params.direction)
        } else {
            guard var pair = second else { throw TokenizerError.secondSequenceNotProvided }
            guard pair.count > toRemove else { throw TokenizerError.sequenceTooShort(length: pair.count, toRemove: toRemove) }
            try checkStride(params.stride, window: pair.count - toRemove)
            pair.truncate(maxLength: pair.count - toRemove, stride: params.stride, direction: params.direction)
            second = pair
        }
    }
}

/// HF panics when a window is not longer than the stride; here it is a typed error.
private func checkStride(_ stride: Int, window: Int) throws {
    if window > 0 && stride >= window {
        throw TokenizerError.invalidTruncation(reason: "stride \(stride) must be less than the truncated window length \(window)")
    }
}

/// HF `pad_encodings`: pads every encoding (and its overflow windows) of a batch to one length.
/// - Throws: `TokenizerError.paddingTooLong` when the target length exceeds `PaddingParameters.maximumLength`.
func padEncodings(_ encodings: inout [Encoding], _ params: PaddingParameters) throws {
    guard !encodings.isEmpty else { return }
    var length: Int
    switch params.strategy {
    case .fixed(let n): length = n
    case .longest: length = encodings.map(\.count).max() ?? 0
    }
    if let multiple = params.padToMultipleOf, multiple > 0, length % multiple > 0 {
        let (rounded, overflow) = length.addingReportingOverflow(multiple - length % multiple)
        length = overflow ? .max : rounded
    }
    guard length <= PaddingParameters.maximumLength else {
        throw TokenizerError.paddingTooLong(length: length, limit: PaddingParameters.maximumLength)
    }
    for i in encodings.indices {
        encodings[i].pad(to: length, id: params.padId, typeId: params.padTypeId, token: params.padToken,
                         direction: params.direction)
    }
}
