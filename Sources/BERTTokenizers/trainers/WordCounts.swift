/// How often each pre-tokenised word occurs in a training corpus (the `words` map of HF's trainers' `feed`);
/// words are told apart by their bytes, as in Rust, not by Swift's canonical equivalence.
///
/// Words keep the order in which they were first seen. HF keeps them in a randomly seeded hash map, so the ids it
/// gives continuing-subword tokens (`##a`) differ from run to run; first-seen order makes ours reproducible.
public struct WordCounts: Sendable, Equatable {
    /// The distinct words, in first-seen order.
    public private(set) var words: [String] = []
    /// `counts[i]` is how often `words[i]` occurs.
    public private(set) var counts: [Int] = []
    private var index: [ExactString: Int] = [:]

    /// An empty count.
    public init() {}

    /// Counts `words` (each occurrence once).
    public init<S: Sequence>(_ words: S) where S.Element == String {
        for word in words { add(word) }
    }

    /// The number of distinct words.
    public var count: Int { words.count }

    /// Adds `count` occurrences of `word`.
    public mutating func add(_ word: String, count: Int = 1) {
        if let i = index[ExactString(word)] {
            counts[i] += count
        } else {
            index[ExactString(word)] = words.count
            words.append(word)
            counts.append(count)
        }
    }

    /// Adds every count of `other`, keeping this count's order first (how per-thread counts are combined so that
    /// the result does not depend on scheduling).
    public mutating func merge(_ other: WordCounts) {
        for (word, count) in zip(other.words, other.counts) { add(word, count: count) }
    }

    /// How often `word` occurs (0 if never).
    public subscript(word: String) -> Int { index[ExactString(word)].map { counts[$0] } ?? 0 }
}
