import Foundation

/// A SentencePiece Unigram model: pieces with log-probability scores, tokenised by Viterbi (the crate's
/// `models::unigram::Unigram` with `encode_optimized`, after sentencepiece's `unigram_model.cc`).
///
/// A character no piece starts with becomes the unknown piece, scored `min score - 10`; consecutive unknowns
/// fuse into one token. With `byteFallback`, an unknown run becomes its UTF-8 bytes as `<0xXX>` pieces when
/// every byte has one. A model without `unkId` encodes text it covers and throws
/// `TokenizerError.unigramWithoutUnknown` on text it does not, as the crate does.
package struct UnigramModel: Sendable {
    /// Pieces in id order.
    package let pieces: [String]
    /// Log-probabilities, by id.
    package let scores: [Double]
    /// Id of the unknown piece, if the model has one.
    package let unkId: Int?
    /// Whether unknown text falls back to `<0xXX>` byte pieces.
    package let byteFallback: Bool
    /// Piece → id; with duplicate pieces the last id wins, as in the crate.
    package let pieceIds: [ExactString: Int]
    private let trie: PieceTrie
    private let unknownScore: Double
    /// Id of `<0xXX>` for each byte, or -1.
    private let byteIds: [Int]

    /// The score penalty of an unknown character below the lowest piece score (sentencepiece's kUnkPenalty).
    static let unknownPenalty = 10.0

    /// A model over `vocabulary` (piece, score) in id order.
    /// - Throws: `TokenizerError.invalidTokenId` when `unkId` is outside the vocabulary, as the crate's
    ///   `UnkIdNotInVocabulary` / `EmptyVocabulary`.
    package init(vocabulary: [(piece: String, score: Double)], unkId: Int?, byteFallback: Bool,
                source: String = "tokenizer.json") throws {
        if let unkId, unkId < 0 || unkId >= vocabulary.count {
            throw TokenizerError.invalidTokenId(path: source, key: "model.unk_id", id: unkId,
                                                reason: "outside the \(vocabulary.count) pieces of the vocabulary")
        }
        pieces = vocabulary.map(\.piece)
        scores = vocabulary.map(\.score)
        self.unkId = unkId
        self.byteFallback = byteFallback
        var ids: [ExactString: Int] = [:]
        ids.reserveCapacity(vocabulary.count)
        for (id, entry) in vocabulary.enumerated() { ids[ExactString(entry.piece)] = id }
        pieceIds = ids
        trie = PieceTrie(pieces: vocabulary.lazy.map { entry in
            (scalars: entry.piece.unicodeScalars.map(\.value), id: ids[ExactString(entry.piece)]!)
        })
        unknownScore = (vocabulary.map(\.score).min() ?? .infinity) - Self.unknownPenalty
        byteIds = (0 ..< 256).map { ids[ExactString(String(format: "<0x%02X>", $0))] ?? -1 }
    }

    /// Tokenises `text[word]`, appending tokens whose ranges are normalised positions.
    /// - Throws: `TokenizerError.unigramWithoutUnknown` when the text needs the unknown piece and there is none.
    package func tokenize(_ text: [UInt32], word: Range<Int>, into tokens: inout [ModelToken]) throws {
        if word.isEmpty { return }
        try text.withUnsafeBufferPointer { all in
            let scalars = UnsafeBufferPointer(rebasing: all[word])
            try encode(scalars, base: word.lowerBound, into: &tokens)
        }
    }

    /// Viterbi over `scalars`: `bestScore[e]`, `startOf[e]` and `idOf[e]` describe the best path ending at `e`.
    private func encode(_ scalars: UnsafeBufferPointer<UInt32>, base: Int, into tokens: inout [ModelToken]) throws {
        let size = scalars.count
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: size + 1) { bestScore in
            try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * (size + 1)) { links in
                bestScore.initialize(repeating: 0)
                links.initialize(repeating: -1)
                // links[2e] = start of the best piece ending at e (-1: none yet); links[2e + 1] = its id.
                for start in 0 ..< size {
                    let scoreHere = bestScore[start]
                    var hasSingleCharacter = false
                    trie.forEachPrefix(of: scalars, from: start) { length, id in
                        let end = start + length
                        let candidate = scores[id] + scoreHere
                        if links[2 * end] < 0 || candidate > bestScore[end] {
                            bestScore[end] = candidate
                            links[2 * end] = Int32(start)
                            links[2 * end + 1] = Int32(id)
                        }
                        if length == 1 { hasSingleCharacter = true }
                    }
                    if !hasSingleCharacter {
                        let end = start + 1
                        let candidate = unknownScore + scoreHere
                        if links[2 * end] < 0 || candidate > bestScore[end] {
                            guard let unkId else { throw TokenizerError.unigramWithoutUnknown }
                            bestScore[end] = candidate
                            links[2 * end] = Int32(start)
                            links[2 * end + 1] = Int32(unkId)
                        }
                    }
                }
                emit(scalars, links: links, base: base, into: &tokens)
            }
        }
    }

    /// Walks the best path back from the end, fusing runs of unknowns, and appends the tokens in order.
    private func emit(_ scalars: UnsafeBufferPointer<UInt32>, links: UnsafeMutableBufferPointer<Int32>,
                      base: Int, into tokens: inout [ModelToken]) {
        // Token ends, collected backwards in stack scratch (no heap allocation per word).
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: scalars.count + 1) { ends in
            var count = 0
            var end = scalars.count
            var unknownEnd = -1
            while end > 0 {
                let start = Int(links[2 * end]), id = Int(links[2 * end + 1])
                if id == unkId {
                    if unknownEnd < 0 { unknownEnd = end }
                } else {
                    if unknownEnd >= 0 { ends[count] = Int32(unknownEnd); count += 1; unknownEnd = -1 }
                    ends[count] = Int32(end); count += 1
                }
                end = start
            }
            if unknownEnd >= 0 { ends[count] = Int32(unknownEnd); count += 1 }
            var start = 0
            for slot in stride(from: count - 1, through: 0, by: -1) {
                let end = Int(ends[slot])
                let id = Int(links[2 * end + 1])
                appendToken(scalars, start ..< end, id: id, base: base, into: &tokens)
                start = end
            }
        }
    }

    /// Appends the token for `scalars[span]` on the best path (`id` is its last piece: the unknown id for a
    /// fused run).
    @inline(__always)
    private func appendToken(_ scalars: UnsafeBufferPointer<UInt32>, _ span: Range<Int>, id: Int, base: Int,
                             into tokens: inout [ModelToken]) {
        let range = base + span.lowerBound ..< base + span.upperBound
        guard id == unkId else {
            tokens.append(ModelToken(id: id, range: range))
            return
        }
        // The crate looks every emitted string up again: a fused run may spell a piece (a literal
        // "<unk>"), and only a string outside the vocabulary falls back to bytes.
        let text = scalars[span]
        if let found = trie.exactMatch(text) {
            tokens.append(ModelToken(id: found, range: range))
        } else if !(byteFallback && appendBytes(text, range, &tokens)) {
            tokens.append(ModelToken(id: id, range: range))
        }
    }

    /// Appends one `<0xXX>` token per UTF-8 byte of `text`, all spanning `range`, if every byte has a piece.
    private func appendBytes(_ text: Slice<UnsafeBufferPointer<UInt32>>, _ range: Range<Int>,
                             _ tokens: inout [ModelToken]) -> Bool {
        var ids: [Int] = []
        for value in text {
            guard let scalar = Unicode.Scalar(value) else { return false }
            for byte in scalar.utf8 {
                let id = byteIds[Int(byte)]
                if id < 0 { return false }
                ids.append(id)
            }
        }
        for id in ids { tokens.append(ModelToken(id: id, range: range)) }
        return true
    }

    /// Inserts every piece matching `sentence` into `lattice`, and an unknown node (scored `min - 10`) where no
    /// single-character piece starts (the crate's `populate_nodes`, used by the Unigram trainer).
    /// - Precondition: `lattice.length == sentence.count`.
    package func populateNodes(_ lattice: inout UnigramLattice, sentence: [UInt32]) {
        precondition(lattice.length == sentence.count, "lattice and sentence lengths differ")
        sentence.withUnsafeBufferPointer { text in
            for start in 0 ..< text.count {
                var hasSingleCharacter = false
                trie.forEachPrefix(of: text, from: start) { length, id in
                    lattice.insert(position: start, length: length, score: scores[id], id: id)
                    if length == 1 { hasSingleCharacter = true }
                }
                if !hasSingleCharacter, let unkId {
                    lattice.insert(position: start, length: 1, score: unknownScore, id: unkId)
                }
            }
        }
    }

    /// The id of `piece`, if in the vocabulary.
    package func tokenToId(_ piece: String) -> Int? { pieceIds[ExactString(piece)] }
    /// The piece of `id`, if in range.
    package func idToToken(_ id: Int) -> String? { pieces.indices.contains(id) ? pieces[id] : nil }
}
