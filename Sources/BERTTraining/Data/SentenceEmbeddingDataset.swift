import Foundation

/// An anchor with a positive and optionally a hard negative (MultipleNegativesRankingLoss, TripletLoss).
public struct SentencePairExample: Equatable, Sendable {
    /// The anchor (query) sentence.
    public var anchor: String
    /// A sentence that should embed close to the anchor.
    public var positive: String
    /// A sentence that should embed far from the anchor, or nil.
    public var negative: String?
    /// The 1-based line of the record.
    public var line: Int

    /// Creates an example.
    public init(anchor: String, positive: String, negative: String? = nil, line: Int) {
        self.anchor = anchor
        self.positive = positive
        self.negative = negative
        self.line = line
    }
}

/// Two sentences with a similarity score (CosineSimilarityLoss, STS-B style).
public struct ScoredSentencePair: Equatable, Sendable {
    /// The first sentence.
    public var sentence1: String
    /// The second sentence.
    public var sentence2: String
    /// The target similarity, as the file gives it (no rescaling).
    public var score: Double
    /// The 1-based line of the record.
    public var line: Int

    /// Creates a scored pair.
    public init(sentence1: String, sentence2: String, score: Double, line: Int) {
        self.sentence1 = sentence1
        self.sentence2 = sentence2
        self.score = score
        self.line = line
    }
}

/// Sentence-embedding training data from CSV, TSV or JSON Lines, in one of two layouts chosen by the columns:
/// `anchor`, `positive` and optional `negative`; or `sentence1`, `sentence2` and `score`.
public enum SentenceEmbeddingDataset: Equatable, Sendable {
    /// Anchor/positive(/negative) examples.
    case pairs([SentencePairExample])
    /// Sentence pairs with a similarity score.
    case scoredPairs([ScoredSentencePair])

    /// The number of examples.
    public var count: Int {
        switch self {
        case let .pairs(p): return p.count
        case let .scoredPairs(p): return p.count
        }
    }

    /// Reads a dataset; the layout is `pairs` when the file has an `anchor` column (JSON Lines: key), else
    /// `scoredPairs`. In JSON Lines a record without `negative` has none.
    /// - Throws: `DatasetError.missingColumn` when neither layout's columns are present, and the tabular errors
    ///   (`wrongFieldCount`, `unterminatedQuote`, `invalidValue` for a score that is not a number, ...).
    public static func read(from url: URL, format: TabularFormat? = nil) throws -> SentenceEmbeddingDataset {
        let table = try TabularFile(contentsOf: url, format: format)
        if table.columns.contains("anchor") {
            try table.require("positive")
            let hasNegative = table.columns.contains("negative")
            return .pairs(try table.records.map { r in
                SentencePairExample(anchor: try table.text("anchor", in: r), positive: try table.text("positive", in: r),
                                    negative: hasNegative && r.values["negative"] != nil ? try table.text("negative", in: r) : nil, line: r.line)
            })
        }
        guard table.columns.contains("sentence1") else {
            throw DatasetError.missingColumn(file: table.file, column: "anchor (with positive[, negative]) or sentence1 (with sentence2, score)",
                                             available: table.columns)
        }
        try table.require("sentence2")
        try table.require("score")
        return .scoredPairs(try table.records.map { r in
            ScoredSentencePair(sentence1: try table.text("sentence1", in: r), sentence2: try table.text("sentence2", in: r),
                               score: try table.number("score", in: r), line: r.line)
        })
    }
}
