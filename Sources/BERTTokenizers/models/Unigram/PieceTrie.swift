/// A trie of vocabulary pieces over Unicode code points, for the common-prefix searches of the Unigram
/// Viterbi (the crate's `models::unigram::trie::Trie`, keyed by code point instead of byte: both yield the
/// same pieces, shortest first, since pieces and text are valid UTF-8).
///
/// Edges live in one open-addressing table keyed by `(node, code point)`, so a lookup is a multiply and
/// usually one probe, with no per-node allocation.
struct PieceTrie: Sendable {
    /// For each node, the id of the piece ending there, or -1.
    private(set) var pieceIds: [Int32] = [-1]
    private var keys: [UInt64]
    private var children: [Int32]
    private var mask: Int
    private var edgeCount = 0

    /// Builds the trie of `pieces`; `ids[i]` is the id reported for `pieces[i]`.
    init<Pieces: Sequence>(pieces: Pieces) where Pieces.Element == (scalars: [UInt32], id: Int) {
        keys = Array(repeating: .max, count: 1024)
        children = Array(repeating: -1, count: 1024)
        mask = 1023
        for (scalars, id) in pieces where !scalars.isEmpty {
            var node = 0
            for scalar in scalars { node = childOrInsert(node, scalar) }
            pieceIds[node] = Int32(id)
        }
    }

    @inline(__always)
    private static func key(_ node: Int, _ scalar: UInt32) -> UInt64 { UInt64(node) << 21 | UInt64(scalar) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask }

    /// The child of `node` along `scalar`, or -1.
    @inline(__always)
    func child(_ node: Int, _ scalar: UInt32) -> Int {
        guard scalar <= 0x10FFFF else { return -1 }  // not a code point: keys hold 21 bits
        let key = Self.key(node, scalar)
        var index = slot(key)
        while true {
            let stored = keys[index]
            if stored == key { return Int(children[index]) }
            if stored == .max { return -1 }
            index = (index + 1) & mask
        }
    }

    private mutating func childOrInsert(_ node: Int, _ scalar: UInt32) -> Int {
        let existing = child(node, scalar)
        if existing >= 0 { return existing }
        if (edgeCount + 1) * 2 > keys.count { grow() }
        let created = pieceIds.count
        pieceIds.append(-1)
        place(Self.key(node, scalar), Int32(created))
        edgeCount += 1
        return created
    }

    private mutating func place(_ key: UInt64, _ value: Int32) {
        var index = slot(key)
        while keys[index] != .max { index = (index + 1) & mask }
        keys[index] = key
        children[index] = value
    }

    private mutating func grow() {
        let oldKeys = keys, oldChildren = children
        keys = Array(repeating: .max, count: oldKeys.count * 2)
        children = Array(repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (key, value) in zip(oldKeys, oldChildren) where key != .max { place(key, value) }
    }

    /// Calls `body(length, id)` for every piece that is a prefix of `text[start...]`, shortest first.
    @inline(__always)
    func forEachPrefix(of text: UnsafeBufferPointer<UInt32>, from start: Int, _ body: (Int, Int) -> Void) {
        var node = 0
        var position = start
        while position < text.count {
            node = child(node, text[position])
            if node < 0 { return }
            position += 1
            let id = pieceIds[node]
            if id >= 0 { body(position - start, Int(id)) }
        }
    }
}
