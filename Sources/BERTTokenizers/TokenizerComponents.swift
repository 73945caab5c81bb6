/// Text being normalised, as Unicode code points, each remembering which code point of the ORIGINAL input
/// it came from (HF `NormalizedString` alignments, at code-point granularity).
///
/// Every normaliser in this module maps each output code point to exactly one input code point (NFD pieces,
/// lowercase expansions and the spaces padding CJK characters all inherit their source's position), so a token
/// spanning normalised positions `s..<e` covers original code points `origins[s] ..< origins[e - 1] + 1`.
public struct NormalizedString: Sendable {
    /// The normalised code points.
    public var scalars: [UInt32]
    /// For each normalised code point, the index of the original code point it came from.
    public var origins: [Int32]

    /// An empty string with room for `capacity` code points.
    public init(capacity: Int = 0) {
        scalars = []
        origins = []
        scalars.reserveCapacity(capacity)
        origins.reserveCapacity(capacity)
    }

    /// `original[range]` unchanged, aligned to its own positions.
    public init(_ original: [UInt32], range: Range<Int>) {
        scalars = Array(original[range])
        origins = range.map { Int32($0) }
    }

    /// The number of normalised code points.
    @inlinable public var count: Int { scalars.count }

    /// The original code-point range `[start, end)` covered by normalised positions `range` (non-empty).
    @inlinable public func originalOffsets(_ range: Range<Int>) -> Range<Int> {
        Int(origins[range.lowerBound]) ..< Int(origins[range.upperBound - 1]) + 1
    }

    /// The normalised text as a Swift string.
    public var string: String { String(decodingScalars: scalars[...]) }
}

extension String {
    /// Builds a string from raw code points (all valid scalars by construction).
    init(decodingScalars scalars: ArraySlice<UInt32>) {
        var view = String.UnicodeScalarView()
        for cp in scalars { view.append(Unicode.Scalar(cp) ?? "\u{FFFD}") }
        self = String(view)
    }
}

/// Turns raw text into normalised text (HF `Normalizer`): lowercasing, accent stripping, cleaning.
public protocol Normalizer: Sendable {
    /// Normalises `original[range]`, appending to `output` with origins pointing into `original`.
    func normalize(_ original: [UInt32], range: Range<Int>, into output: inout NormalizedString)
}

/// Splits normalised text into words (HF `PreTokenizer`); the model then tokenises each word separately.
public protocol PreTokenizer: Sendable {
    /// Appends the word ranges of `text[range]` to `words`, in order.
    func preTokenize(_ text: NormalizedString, range: Range<Int>, into words: inout [Range<Int>])
}

/// One token produced by a model for a word: its id and its normalised range.
public struct ModelToken: Sendable, Equatable {
    /// Vocabulary id.
    public var id: Int
    /// Position in the normalised text, `[start, end)`.
    public var range: Range<Int>
    /// Creates a token.
    public init(id: Int, range: Range<Int>) { self.id = id; self.range = range }
}

/// The subword model (HF `Model`): WordPiece here; Unigram and BPE can conform later.
public protocol TokenizerModel: Sendable {
    /// Tokenises the word `text[word]`, appending to `tokens`.
    func tokenize(_ text: NormalizedString, word: Range<Int>, into tokens: inout [ModelToken])
    /// The id of `token`, if in the vocabulary.
    func tokenToId(_ token: String) -> Int?
    /// The string of `id`, if in the vocabulary.
    func idToToken(_ id: Int) -> String?
    /// Number of entries in the vocabulary.
    var vocabularySize: Int { get }
}

/// Adds special tokens and type ids around one or two encodings (HF `PostProcessor`).
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds for a single sequence or a pair.
    func addedTokens(isPair: Bool) -> Int
    /// Merges `first` (and `second`) into one encoding, with special tokens if `addSpecialTokens`.
    func process(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding
}

/// Turns token strings back into text (HF `Decoder`).
public protocol TokenDecoder: Sendable {
    /// Joins `tokens` into a string.
    func decode(_ tokens: [String]) -> String
}
