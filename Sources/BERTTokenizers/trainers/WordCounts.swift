/// How often each pre-tokenised word occurs in a training corpus (the `words` map of HF's trainers' `feed`);
/// words are told apart by their code points, as Rust compares strings, not by Swift's canonical equivalence.
///
/// Words keep the order in which they were first seen. HF keeps them in a randomly seeded hash map, so the ids it
/// gives continuing-subword tokens (`##a`) differ from run to run; first-seen order makes ours reproducible.
package struct WordCounts: Sendable, Equatable {
    /// The distinct words, in first-seen order.
    package private(set) var words: [String] = []
    /// `counts[i]` is how often `words[i]` occurs.
    package private(set) var counts: [Int] = []
    /// Each word's code points and hash, for the open-addressing index `slots` (word index + 1, 0 when free).
    private var scalars: [[UInt32]] = []
    private var hashes: [UInt64] = []
    private var slots = [Int32](repeating: 0, count: 64)

    /// An empty count.
    package init() {}

    /// Counts `words` (each occurrence once).
    package init<S: Sequence>(_ words: S) where S.Element == String {
        for word in words { add(word) }
    }

    /// The number of distinct words.
    package var count: Int { words.count }

    /// Adds `count` occurrences of `word`.
    package mutating func add(_ word: String, count: Int = 1) {
        let cps = word.unicodeScalars.map(\.value)
        cps.withUnsafeBufferPointer { add($0, count: count, string: word) }
    }

    /// Adds `count` occurrences of the word made of `cps`; `string` is its text when the caller has it.
    mutating func add(_ cps: UnsafeBufferPointer<UInt32>, count: Int = 1, string: String? = nil) {
        let hash = Self.hash(cps)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let i = Int(slots[slot]) - 1
            if hashes[i] == hash && scalars[i].elementsEqual(cps) {
                counts[i] += count
                return
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(words.count + 1)
        words.append(string ?? String(decodingScalars: ArraySlice(cps)))
        counts.append(count)
        scalars.append(Array(cps))
        hashes.append(hash)
        if words.count * 2 > slots.count { grow() }
    }

    /// Adds every count of `other`, keeping this count's order first (how per-thread counts are combined so that
    /// the result does not depend on scheduling).
    package mutating func merge(_ other: WordCounts) {
        for i in 0..<other.count {
            other.scalars[i].withUnsafeBufferPointer { add($0, count: other.counts[i], string: other.words[i]) }
        }
    }

    /// How often `word` occurs (0 if never).
    package subscript(word: String) -> Int {
        let cps = word.unicodeScalars.map(\.value)
        let hash = cps.withUnsafeBufferPointer { Self.hash($0) }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let i = Int(slots[slot]) - 1
            if hashes[i] == hash && scalars[i] == cps { return counts[i] }
            slot = (slot + 1) & mask
        }
        return 0
    }

    /// Equal words (by code points) with equal counts, in the same order.
    package static func == (a: WordCounts, b: WordCounts) -> Bool { a.scalars == b.scalars && a.counts == b.counts }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (i, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    /// A fast 64-bit mix of the code points (multiply-xorshift per scalar); quality enough for linear probing.
    @inline(__always) static func hash(_ cps: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(cps.count)
        for cp in cps {
            h = (h ^ UInt64(cp)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        return h ^ (h >> 29)
    }
}
