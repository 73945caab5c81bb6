import BERTJSON
import Foundation

/// Hugging Face `BPE` model: each word starts as its characters (with `continuingSubwordPrefix` on all but the
/// first and `endOfWordSuffix` on the last), unknown characters become byte tokens (`byteFallback`) or the
/// unknown token (consecutive ones fused with `fuseUnk`), then merges apply lowest rank first, leftmost first
/// among equal ranks, exactly as the crate's `Word::merge_all`. Dropout is not supported (it is random).
package struct BPE: TokenizerModel {
    /// Token string -> id. A Swift dictionary merges canonically equivalent tokens ("é" and "e\u{301}") into one
    /// key; `tokenToId` keeps them apart.
    package var vocab: [String: Int] { ids.stringKeyed }
    /// The vocabulary keyed by exact scalars, as the crate's.
    private let ids: [ExactString: Int]
    /// The merges, in rank order, as token pairs.
    package let merges: [(String, String)]
    /// The unknown token, if any (characters with no token are dropped without one, as in the crate).
    package let unkToken: String?
    /// Prefix of every character token but a word's first.
    package let continuingSubwordPrefix: String?
    /// Suffix of a word's last character token.
    package let endOfWordSuffix: String?
    /// Consecutive unknown characters give one unknown token.
    package let fuseUnk: Bool
    /// Unknown characters become `<0xXX>` byte tokens when all their bytes have one.
    package let byteFallback: Bool
    /// A word that is itself a token is emitted whole, without merging.
    package let ignoreMerges: Bool

    private let idToTokenTable: [String?]
    private let table: ScalarVocabulary
    /// (left id << 32 | right id) -> rank and merged id.
    private let mergeTable: [UInt64: BPEMerge]
    /// Ids of single characters below U+0800 (no prefix or suffix), -1 if absent: the byte-level fast path.
    private let smallCharacters: [Int32]
    private let prefixScalars: [UInt32]
    private let suffixScalars: [UInt32]
    private let unkId: Int?
    private let cache = BPEWordCache(capacity: 10_000)

    /// Creates the model. Throws `unknownMergeToken` when a merge names a token (or yields one) missing from the
    /// vocabulary, `tokenNotInVocabulary` when `unkToken` is missing, `invalidTokenId` for an id outside
    /// 0..<2^31.
    package init(vocab: [String: Int], merges: [(String, String)], unkToken: String? = nil,
                continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil, fuseUnk: Bool = false,
                byteFallback: Bool = false, ignoreMerges: Bool = false, path: String = "BPE(vocab:merges:)",
                keyPrefix: String = "merges") throws {
        try self.init(exactVocab: vocab.exactKeyed, merges: merges, unkToken: unkToken, continuingSubwordPrefix: continuingSubwordPrefix,
                      endOfWordSuffix: endOfWordSuffix, fuseUnk: fuseUnk, byteFallback: byteFallback, ignoreMerges: ignoreMerges,
                      path: path, keyPrefix: keyPrefix)
    }

    /// Creates the model from a vocabulary keyed by exact scalars (what the file loaders read); merges name
    /// tokens scalar for scalar.
    package init(exactVocab vocab: [ExactString: Int], merges: [(String, String)], unkToken: String? = nil,
                 continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil, fuseUnk: Bool = false,
                 byteFallback: Bool = false, ignoreMerges: Bool = false, path: String = "BPE(vocab:merges:)",
                 keyPrefix: String = "merges") throws {
        if let (token, id) = vocab.first(where: { $0.value < 0 || $0.value >= vocab.count * 2 + 1024 }) {
            throw TokenizerError.invalidTokenId(path: path, key: "vocab[\"\(token.string)\"]", id: id, reason: id < 0 ? "negative" : "far beyond the vocabulary")
        }
        var unk: Int?
        if let unkToken {
            guard let id = vocab[ExactString(unkToken)] else { throw TokenizerError.tokenNotInVocabulary(token: unkToken, role: "unknown") }
            unk = id
        }
        self.ids = vocab
        self.merges = merges
        self.unkToken = unkToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        self.unkId = unk
        prefixScalars = (continuingSubwordPrefix ?? "").unicodeScalars.map(\.value)
        suffixScalars = (endOfWordSuffix ?? "").unicodeScalars.map(\.value)
        var reverse = [String?](repeating: nil, count: (vocab.values.max() ?? -1) + 1)
        for (token, id) in vocab { reverse[id] = token.string }
        idToTokenTable = reverse
        table = ScalarVocabulary(vocab.lazy.map { ($0.key.string, $0.value) }, capacityHint: vocab.count)
        var small = [Int32](repeating: -1, count: 0x800)
        for (token, id) in vocab {
            let scalars = token.string.unicodeScalars
            if scalars.count == 1, let s = scalars.first, s.value < 0x800 { small[Int(s.value)] = Int32(id) }
        }
        smallCharacters = small
        // The crate strips the prefix's length in bytes from the right token, whatever it starts with.
        let prefixBytes = (continuingSubwordPrefix ?? "").utf8.count
        var table: [UInt64: BPEMerge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            let key = "\(keyPrefix)[\(rank)]"
            guard let left = vocab[ExactString(a)] else { throw TokenizerError.unknownMergeToken(path: path, key: key, token: a) }
            guard let right = vocab[ExactString(b)] else { throw TokenizerError.unknownMergeToken(path: path, key: key, token: b) }
            let bytes = Array(b.utf8)
            guard bytes.count >= prefixBytes, let rest = String(validating: bytes[prefixBytes...], as: UTF8.self) else {
                throw TokenizerError.unknownMergeToken(path: path, key: key, token: b)
            }
            let merged = a + rest
            guard let id = vocab[ExactString(merged)] else { throw TokenizerError.unknownMergeToken(path: path, key: key, token: merged) }
            // Later duplicates win, as in the crate's HashMap collect.
            table[UInt64(left) << 32 | UInt64(right)] = BPEMerge(rank: Int32(rank), newId: Int32(id))
        }
        mergeTable = table
    }

    /// Number of vocabulary entries.
    package var vocabularySize: Int { ids.count }
    /// The id of `token` (compared scalar for scalar), if in the vocabulary.
    package func tokenToId(_ token: String) -> Int? { ids[ExactString(token)] }
    /// The string of `id`, if in the vocabulary.
    package func idToToken(_ id: Int) -> String? { id >= 0 && id < idToTokenTable.count ? idToTokenTable[id] : nil }

    /// HF `BPE::tokenize` over `text[word]`, using the word cache.
    package func tokenize(_ text: NormalizedString, word: Range<Int>, into tokens: inout [ModelToken]) {
        guard !word.isEmpty else { return }
        let scalars = text.scalars[word]
        if ignoreMerges, let id = table.lookup(prefix: [], scalars) {
            tokens.append(ModelToken(id: id, range: word))
            return
        }
        let base = word.lowerBound
        if let hit = cache.get(scalars) {
            for s in hit { tokens.append(ModelToken(id: Int(s.id), range: (base + Int(s.start))..<(base + Int(s.end)))) }
            return
        }
        let key = Array(scalars)
        var merged = BPEWord()
        initialSymbols(key, into: &merged)
        merged.mergeAll(mergeTable)
        var symbols = merged.liveSymbols()
        Self.characterRanges(&symbols, word: key)
        // The crate caches words shorter than 256 bytes.
        if key.count < 64 { cache.set(key, symbols) }
        for s in symbols { tokens.append(ModelToken(id: Int(s.id), range: (base + Int(s.start))..<(base + Int(s.end)))) }
    }

    /// The crate's `merge_word` before merging: one symbol per character, byte tokens or unknown tokens. Symbol
    /// positions are counted as the crate counts them, in bytes from the word's start summed over the symbols
    /// emitted (so a dropped character shifts the ones after it, and a pending unknown token lands after byte
    /// tokens), and `characterRanges` turns them into code points afterwards.
    private func initialSymbols(_ word: [UInt32], into out: inout BPEWord) {
        out.reserve(word.count)
        var position: Int32 = 0
        func add(_ id: Int32, _ length: Int32) {
            out.append(id, position, position + length)
            position += length
        }
        var unk: (id: Int32, length: Int32)?
        let plain = prefixScalars.isEmpty && suffixScalars.isEmpty
        var piece: [UInt32] = []
        for (i, cp) in word.enumerated() {
            let byteLength = Int32(Self.utf8Length(cp))
            var id: Int?
            if plain {
                if cp < 0x800 {
                    let small = smallCharacters[Int(cp)]
                    id = small >= 0 ? Int(small) : nil
                } else {
                    id = table.lookup(prefix: [], word[i..<(i + 1)])
                }
            } else {
                piece.removeAll(keepingCapacity: true)
                if i > 0 { piece += prefixScalars }
                piece.append(cp)
                if i == word.count - 1 { piece += suffixScalars }
                id = table.lookup(prefix: [], piece[...])
            }
            if let id {
                if let u = unk { add(u.id, u.length); unk = nil }
                add(Int32(id), byteLength)
                continue
            }
            if byteFallback {
                // The crate takes the bytes of the whole symbol string, prefix and suffix included.
                var text = String.UnicodeScalarView()
                for c in plain ? [cp] : piece { text.append(Unicode.Scalar(c) ?? "\u{FFFD}") }
                let ids = String(text).utf8.map { table.lookup(prefix: [], Self.byteToken($0)[...]) }
                if ids.allSatisfy({ $0 != nil }) {
                    for b in ids { add(Int32(b!), 1) }
                    continue
                }
            }
            guard let unkId else { continue }
            if let u = unk {
                if fuseUnk {
                    unk = (u.id, u.length + byteLength)
                    continue
                }
                add(u.id, u.length)
            }
            unk = (Int32(unkId), byteLength)
        }
        if let u = unk { add(u.id, u.length) }
    }

    /// Symbols' byte ranges as code-point ranges of `word`: the characters holding their first and last byte, as
    /// Python's byte-to-character offset conversion does (clamped to the word).
    static func characterRanges(_ symbols: inout [BPESymbol], word: [UInt32]) {
        var characterOfByte: [Int32] = []
        characterOfByte.reserveCapacity(word.count * 2)
        for (i, cp) in word.enumerated() { for _ in 0..<utf8Length(cp) { characterOfByte.append(Int32(i)) } }
        let n = Int32(word.count), bytes = characterOfByte.count
        for k in symbols.indices {
            let (s, e) = (Int(symbols[k].start), Int(symbols[k].end))
            let start = s < bytes ? characterOfByte[s] : n
            let end = e > s ? (e - 1 < bytes ? characterOfByte[e - 1] + 1 : n) : start
            symbols[k].start = start
            symbols[k].end = max(start, end)
        }
    }

    /// The UTF-8 length of `cp` (U+FFFD's for values that are not scalars).
    @inline(__always)
    static func utf8Length(_ cp: UInt32) -> Int {
        cp < 0x80 ? 1 : cp < 0x800 ? 2 : (cp < 0x10000 || cp > 0x10FFFF) ? 3 : 4
    }

    /// `<0xAB>`, the byte-fallback token of a byte.
    static func byteToken(_ byte: UInt8) -> [UInt32] {
        let hex = Array("0123456789ABCDEF".unicodeScalars).map(\.value)
        return [0x3C, 0x30, 0x78, hex[Int(byte >> 4)], hex[Int(byte & 15)], 0x3E]
    }
}

/// A merge's rank (lower applies first) and the id of the token it makes.
struct BPEMerge: Sendable {
    var rank: Int32
    var newId: Int32
}

/// A finished symbol of a merged word: its id and code-point range within the word.
struct BPESymbol: Sendable {
    var id: Int32
    var start: Int32
    var end: Int32
}

/// The words already merged (HF's `Cache`, 10,000 entries): merging is deterministic, so a hit is exact. Keyed
/// by an FNV-1a hash of the code points, so a lookup takes the word's slice without building a key.
final class BPEWordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [UInt64: [(key: [UInt32], symbols: [BPESymbol])]] = [:]
    private var count = 0
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    @inline(__always)
    private static func hash(_ key: ArraySlice<UInt32>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for c in key { h = (h ^ UInt64(c)) &* 0x100000001b3 }
        return h
    }

    func get(_ key: ArraySlice<UInt32>) -> [BPESymbol]? {
        let h = Self.hash(key)
        lock.lock()
        defer { lock.unlock() }
        guard let bucket = entries[h] else { return nil }
        for entry in bucket where entry.key.elementsEqual(key) { return entry.symbols }
        return nil
    }

    func set(_ key: [UInt32], _ symbols: [BPESymbol]) {
        let h = Self.hash(key[...])
        lock.lock()
        defer { lock.unlock() }
        // Like the crate's cache, stop filling once full.
        guard count < capacity else { return }
        entries[h, default: []].append((key, symbols))
        count += 1
    }
}
