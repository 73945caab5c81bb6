/// The seed pieces of the Unigram trainer (the crate's `make_seed_sentence_pieces`): every character, scored by
/// its count in the corpus, then the substrings the crate's enhanced suffix array (esaxx) yields, scored by
/// occurrences × length.
///
/// esaxx enumerates the internal nodes of the suffix tree of all distinct words joined by `\0`: the substrings
/// occurring at least twice whose occurrences are followed by at least two different characters. The trainer
/// keeps those of 2 to `maxPieceLength` characters without `\0`, so they all lie inside a word; counting every
/// such substring of every distinct word in a trie, with the characters that follow it (`\0` at a word's end),
/// gives exactly that set and those counts.
package struct UnigramSeeds {
    /// A substring trie node: how often its string occurs and what follows it.
    private struct Node {
        var count: Int32 = 0
        var next: UInt32 = .max
        var branches = false
    }

    /// Seeds in the crate's order, with raw scores (not yet log-probabilities).
    package static func make(words: [[UInt32]], counts: [Int], maxPieceLength: Int, seedSize: Int) -> [(piece: [UInt32], score: Double)] {
        var characterCounts: [UInt32: Int] = [:]
        for (word, count) in zip(words, counts) where !word.isEmpty {
            for scalar in word where scalar != 0 { characterCounts[scalar, default: 0] += count }
        }
        var seeds: [(piece: [UInt32], score: Double)] = characterCounts
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }
            .map { ([$0.key], Double($0.value)) }

        var nodes: [Node] = [Node()]
        var parents: [Int32] = [-1]
        var lastScalar: [UInt32] = [0]
        var depth: [Int32] = [0]
        var edges = EdgeTable()
        for word in words where !word.isEmpty {
            for start in 0..<word.count {
                var node = 0
                var end = start
                while end < word.count && end - start < maxPieceLength && word[end] != 0 {
                    let key = UInt64(node) << 21 | UInt64(word[end])
                    let child = edges.value(key, orInsert: Int32(nodes.count))
                    if child < nodes.count {
                        node = Int(child)
                    } else {
                        nodes.append(Node())
                        parents.append(Int32(node))
                        lastScalar.append(word[end])
                        depth.append(depth[node] + 1)
                        node = nodes.count - 1
                    }
                    end += 1
                    let following = end < word.count ? word[end] : 0
                    nodes[node].count += 1
                    if nodes[node].next == .max {
                        nodes[node].next = following
                    } else if nodes[node].next != following {
                        nodes[node].branches = true
                    }
                }
            }
        }
        var substrings: [(score: Int, node: Int)] = []
        for (i, node) in nodes.enumerated() where depth[i] >= 2 && node.branches {
            substrings.append((Int(node.count) * Int(depth[i]), i))
        }
        func string(_ node: Int) -> [UInt32] {
            var scalars: [UInt32] = []
            var n = node
            while n > 0 {
                scalars.append(lastScalar[n])
                n = Int(parents[n])
            }
            return scalars.reversed()
        }
        // Highest score first, ties by the string in descending code-point order (Rust sorts by Reverse((score, chars))).
        let ordered = substrings.map { (score: $0.score, piece: string($0.node)) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $1.piece.lexicographicallyPrecedes($0.piece) }
        for entry in ordered {
            seeds.append((entry.piece, Double(entry.score)))
            if seeds.count >= seedSize { break }
        }
        return seeds
    }
}

/// The trie's edges, `(node << 21 | code point) → child`, in one open-addressing table (a `Dictionary` costs
/// several times more for the millions of lookups a corpus makes).
private struct EdgeTable {
    private var keys = [UInt64](repeating: .max, count: 1 << 12)
    private var values = [Int32](repeating: 0, count: 1 << 12)
    private var used = 0

    /// The child stored under `key`, or `new` after storing it there.
    mutating func value(_ key: UInt64, orInsert new: Int32) -> Int32 {
        var mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
        while keys[slot] != .max {
            if keys[slot] == key { return values[slot] }
            slot = (slot + 1) & mask
        }
        if (used + 1) * 2 > keys.count {
            grow()
            mask = keys.count - 1
            slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
            while keys[slot] != .max { slot = (slot + 1) & mask }
        }
        keys[slot] = key
        values[slot] = new
        used += 1
        return new
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: .max, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        let mask = keys.count - 1
        for (key, value) in zip(oldKeys, oldValues) where key != .max {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
            while keys[slot] != .max { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
    }
}
