/// A read-only hash table from token strings (as code points) to ids, probed with slices of normalised text
/// plus an optional prefix (WordPiece's `##`) without building a `String` per candidate.
///
/// Open addressing with linear probing; keys are stored back to back in one `[UInt32]` buffer.
struct ScalarVocabulary: Sendable {
    private var keyStorage: [UInt32] = []
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private var ids: [Int32] = []
    /// Slot -> entry index + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int
    /// Length in code points of the longest key.
    private(set) var maxKeyLength = 0

    /// Builds the table from `(token, id)` pairs; keys are compared scalar for scalar (a repeated key keeps its
    /// first id; the callers pass an `ExactString`-keyed dictionary, so there are none).
    init<S: Sequence>(_ entries: S, capacityHint: Int) where S.Element == (String, Int) {
        var size = 16
        while size < capacityHint * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        keyStorage.reserveCapacity(capacityHint * 6)
        keyStart.reserveCapacity(capacityHint)
        keyLength.reserveCapacity(capacityHint)
        ids.reserveCapacity(capacityHint)
        for (token, id) in entries { insert(token, id: id) }
    }

    private mutating func insert(_ token: String, id: Int) {
        if (ids.count + 1) * 2 > slots.count { grow() }
        let start = keyStorage.count
        for scalar in token.unicodeScalars { keyStorage.append(scalar.value) }
        let length = keyStorage.count - start
        var slot = Self.hash(prefix: [], keyStorage[start..<(start + length)]) & mask
        while slots[slot] != 0 {
            let e = Int(slots[slot]) - 1
            if equals(entry: e, prefix: [], keyStorage[start..<(start + length)]) {
                keyStorage.removeSubrange(start...)
                return
            }
            slot = (slot + 1) & mask
        }
        keyStart.append(Int32(start))
        keyLength.append(Int32(length))
        ids.append(Int32(id))
        slots[slot] = Int32(ids.count)
        maxKeyLength = max(maxKeyLength, length)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for e in 0..<ids.count {
            let start = Int(keyStart[e])
            let key = keyStorage[start..<(start + Int(keyLength[e]))]
            var slot = Self.hash(prefix: [], key) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(e + 1)
        }
    }

    @inline(__always)
    private static func hash(prefix: [UInt32], _ key: ArraySlice<UInt32>) -> Int {
        // FNV-1a over code points, then a final avalanche.
        var h: UInt64 = 0xcbf29ce484222325
        for c in prefix { h = (h ^ UInt64(c)) &* 0x100000001b3 }
        for c in key { h = (h ^ UInt64(c)) &* 0x100000001b3 }
        h ^= h >> 29
        h = h &* 0xbf58476d1ce4e5b9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    @inline(__always)
    private func equals(entry e: Int, prefix: [UInt32], _ key: ArraySlice<UInt32>) -> Bool {
        let length = Int(keyLength[e])
        guard length == prefix.count + key.count else { return false }
        var p = Int(keyStart[e])
        for c in prefix {
            if keyStorage[p] != c { return false }
            p += 1
        }
        for c in key {
            if keyStorage[p] != c { return false }
            p += 1
        }
        return true
    }

    /// The id of `prefix + key`, if present.
    @inline(__always)
    func lookup(prefix: [UInt32], _ key: ArraySlice<UInt32>) -> Int? {
        var slot = Self.hash(prefix: prefix, key) & mask
        while true {
            let s = Int(slots[slot])
            if s == 0 { return nil }
            if equals(entry: s - 1, prefix: prefix, key) { return Int(ids[s - 1]) }
            slot = (slot + 1) & mask
        }
    }
}
