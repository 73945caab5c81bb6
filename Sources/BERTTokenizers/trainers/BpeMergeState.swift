/// One symbol of a word being merged: its token id and how many characters it covers (HF `Symbol`).
struct BpeSymbol {
    var id: UInt32
    var length: Int
}

/// A candidate merge in the trainer's queue (HF trainer.rs `Merge`): a pair, its count when queued, and the words
/// to merge it in. A pair can be queued more than once; each entry merges only its own positions.
struct BpeQueuedPair {
    var pair: UInt64
    var count: Int
    var positions: [Int]
}

/// A max-heap of queued pairs, ordered as the crate's `Merge`: higher count first, then the smaller
/// (left id, right id).
struct BpePairQueue {
    private var heap: [BpeQueuedPair] = []

    @inline(__always) private static func before(_ a: BpeQueuedPair, _ b: BpeQueuedPair) -> Bool {
        a.count != b.count ? a.count > b.count : a.pair < b.pair
    }

    mutating func push(_ entry: BpeQueuedPair) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> BpeQueuedPair? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < heap.count && Self.before(heap[left], heap[best]) { best = left }
            if right < heap.count && Self.before(heap[right], heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return top
    }
}

/// The words, pair counts and queue the merge loop works on (the state of HF `BpeTrainer::do_train`).
struct BpeMergeState {
    var words: [[BpeSymbol]]
    let counts: [Int]
    let maxTokenLength: Int
    var pairCounts: [UInt64: Int] = [:]
    var queue = BpePairQueue()

    init(words: [[BpeSymbol]], counts: [Int], maxTokenLength: Int) {
        self.words = words
        self.counts = counts
        self.maxTokenLength = maxTokenLength
    }

    @inline(__always) static func pack(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }
    @inline(__always) static func unpack(_ pair: UInt64) -> (UInt32, UInt32) { (UInt32(pair >> 32), UInt32(truncatingIfNeeded: pair)) }

    /// Counts every adjacent pair (weighted by word count) and queues each pair seen (HF `count_pairs`).
    mutating func countPairs() {
        var positions: [UInt64: [Int]] = [:]
        for (i, word) in words.enumerated() where word.count > 1 {
            for k in 1..<word.count {
                let pair = Self.pack(word[k - 1].id, word[k].id)
                pairCounts[pair, default: 0] += counts[i]
                positions[pair, default: []].appendUnique(i)
            }
        }
        enqueue(positions)
    }

    /// Queues each pair in `positions` whose count is positive (HF drains `where_to_update` into the queue).
    private mutating func enqueue(_ positions: [UInt64: [Int]]) {
        for (pair, where_) in positions {
            let count = pairCounts[pair] ?? 0
            if count > 0 { queue.push(BpeQueuedPair(pair: pair, count: count, positions: where_)) }
        }
    }

    /// Merges `left right` into `newId` in the words at `positions`, updates the pair counts and queues the pairs
    /// that gained occurrences (HF `Word::merge` then the change loop).
    mutating func apply(left: UInt32, right: UInt32, newId: UInt32, at positions: [Int]) {
        var gained: [UInt64: [Int]] = [:]
        for w in positions {
            let weight = counts[w]
            Self.merge(&words[w], left, right, newId, maxTokenLength) { pair, change in
                pairCounts[pair, default: 0] += change * weight
                if change > 0 { gained[pair, default: []].appendUnique(w) }
            }
        }
        enqueue(gained)
    }

    /// Replaces each `left right` in `word`, left to right, by `newId`, reporting the pair changes around each
    /// replacement (a new pair is not counted when its token would reach `maxLength` characters).
    static func merge(_ word: inout [BpeSymbol], _ left: UInt32, _ right: UInt32, _ newId: UInt32, _ maxLength: Int,
                      _ change: (UInt64, Int) -> Void) {
        let n = word.count
        var out = 0, i = 0
        while i < n {
            if word[i].id == left && i + 1 < n && word[i + 1].id == right {
                let first = word[i], second = word[i + 1]
                let merged = BpeSymbol(id: newId, length: first.length + second.length)
                if out > 0 {
                    let previous = word[out - 1]
                    change(pack(previous.id, first.id), -1)
                    if previous.length + merged.length < maxLength { change(pack(previous.id, newId), 1) }
                }
                if i + 2 < n {
                    let next = word[i + 2]
                    change(pack(second.id, next.id), -1)
                    if next.length + merged.length < maxLength { change(pack(newId, next.id), 1) }
                }
                word[out] = merged
                i += 2
            } else {
                word[out] = word[i]
                i += 1
            }
            out += 1
        }
        if out < n { word.removeLast(n - out) }
    }
}

extension Array where Element == Int {
    /// Appends `value` unless it is already last (positions arrive grouped by word, so this keeps them a set).
    @inline(__always) mutating func appendUnique(_ value: Int) {
        if last != value { append(value) }
    }
}
