/// SentencePiece's `precompiled_charsmap`: a darts-clone double-array trie over UTF-8 keys whose leaves point
/// into a blob of NUL-terminated replacement strings (sentencepiece `normalizer.cc`, the `spm_precompiled`
/// crate's `Precompiled` and `DoubleArray`).
///
/// Layout: `u32 LE trie byte size`, the trie units (`u32 LE` each), then the replacement blob. Loading checks
/// every offset: the sizes, the blob's UTF-8, and a walk of every reachable trie node, so a lookup can never read
/// outside the arrays or land inside a UTF-8 sequence.
package struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    /// Replacement strings decoded once, by leaf value (the byte offset of the string in the blob).
    private let replacements: [Int: [UInt32]]
    /// The replacement of each ASCII character alone, looked up once (most text is ASCII).
    private(set) var asciiReplacements: [[UInt32]?] = []

    /// Parses and validates `bytes`.
    /// - Throws: `TokenizerError.corruptPrecompiledCharsmap` naming the offset at fault.
    package init(_ bytes: [UInt8]) throws {
        func fail(_ reason: String) -> TokenizerError { .corruptPrecompiledCharsmap(reason: reason) }
        guard bytes.count >= 4 else { throw fail("\(bytes.count) bytes, too short for the 4-byte trie size") }
        let trieSize = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard trieSize <= bytes.count - 4 else {
            throw fail("the trie size \(trieSize) at offset 0 runs past the \(bytes.count)-byte charsmap")
        }
        // As the crate: trie_size / 4 units, then the blob starts right after the declared trie size.
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for index in units.indices {
            let at = 4 + 4 * index
            units[index] = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                | UInt32(bytes[at + 3]) << 24
        }
        let blob = Array(bytes[(4 + trieSize)...])
        if let bad = Self.firstInvalidUTF8(blob) {
            throw fail("the replacement strings are not UTF-8 (byte \(4 + trieSize + bad))")
        }
        guard !units.isEmpty else { throw fail("the trie is empty") }
        self.units = units
        replacements = try Self.walkLeaves(units, blob: blob, fail: fail)
        asciiReplacements = (0 ..< 128).map { byte in
            [UInt8(byte)].withUnsafeBufferPointer { replacement(forUTF8: $0) }
        }
    }

    // darts-clone unit fields.
    @inline(__always) private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ unit: UInt32) -> Int { Int(unit & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ unit: UInt32) -> UInt32 { unit & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ unit: UInt32) -> Int {
        Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
    }

    /// Visits every node reachable from the root and decodes the replacement of every leaf; any child or leaf
    /// position outside the trie, or a leaf value outside the blob or inside a UTF-8 sequence, is an error.
    private static func walkLeaves(_ units: [UInt32], blob: [UInt8],
                                   fail: (String) -> TokenizerError) throws -> [Int: [UInt32]] {
        var replacements: [Int: [UInt32]] = [:]
        var visited = [Bool](repeating: false, count: units.count)
        var stack = [offset(units[0])]  // the root's children base
        while let base = stack.popLast() {
            for byte in 1 ... 255 {
                let position = base ^ byte
                guard position < units.count else { continue }  // no such child: a lookup stops here too
                let unit = units[position]
                guard label(unit) == UInt32(byte) else { continue }
                guard !visited[position] else { continue }
                visited[position] = true
                let next = position ^ offset(unit)
                guard next < units.count else { throw fail("trie unit \(position) points past the trie") }
                if hasLeaf(unit) {
                    let start = value(units[next])
                    guard start <= blob.count, start == blob.count || blob[start] & 0xC0 != 0x80 else {
                        throw fail("trie leaf \(next) points to byte \(start) of a \(blob.count)-byte string blob")
                    }
                    if replacements[start] == nil {
                        var end = start
                        while end < blob.count, blob[end] != 0 { end += 1 }
                        replacements[start] = String(decoding: blob[start ..< end], as: UTF8.self)
                            .unicodeScalars.map(\.value)
                    }
                }
                stack.append(next)
            }
        }
        return replacements
    }

    /// The byte offset of the first invalid UTF-8 sequence in `bytes`, or nil.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The replacement of the shortest key that is a prefix of `key` (the crate takes the first result of
    /// its common-prefix search), or nil. A NUL byte ends the key, as in the crate.
    package func replacement(forUTF8 key: UnsafeBufferPointer<UInt8>) -> [UInt32]? {
        var position = Self.offset(units[0])
        for byte in key {
            if byte == 0 { return nil }
            position ^= Int(byte)
            guard position < units.count else { return nil }
            let unit = units[position]
            guard Self.label(unit) == UInt32(byte) else { return nil }
            position ^= Self.offset(unit)
            guard position < units.count else { return nil }
            if Self.hasLeaf(unit) { return replacements[Self.value(units[position])] }
        }
        return nil
    }

    /// The replacement of `scalars` (one grapheme or one character), or nil.
    package func replacement(for scalars: ArraySlice<UInt32>) -> [UInt32]? {
        if scalars.count == 1, let only = scalars.first, only < 0x80 { return asciiReplacements[Int(only)] }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4 * scalars.count) { buffer in
            var count = 0
            for value in scalars {
                guard let scalar = Unicode.Scalar(value) else { return nil }  // raw code points may be invalid
                for byte in scalar.utf8 {
                    buffer[count] = byte
                    count += 1
                }
            }
            return replacement(forUTF8: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
