import Foundation

/// A piece during Unigram training: its code points and log-probability (NaN for the `<UNK>` placeholder).
struct UnigramPiece {
    var scalars: [UInt32]
    var score: Double
}

/// The EM steps and the pruning of `UnigramTrainer` (the crate's `run_e_step`, `run_m_step` and
/// `prune_sentence_pieces`), over the distinct words and their counts.
package struct UnigramEM {
    let words: [[UInt32]]
    let counts: [Int]
    let vocabSize: Int
    let shrinkingFactor: Double

    /// The model the lattices are filled from: the pieces with `<UNK>` (id 0) as the unknown piece. The crate
    /// gives `<UNK>` a NaN score, which its minimum skips; ours gives it 0, above every log-probability, so the
    /// unknown score (lowest score − 10) is the same.
    static func model(_ pieces: [UnigramPiece]) throws -> UnigramModel {
        try UnigramModel(vocabulary: pieces.enumerated().map { i, piece in
            (piece: String(decodingScalars: piece.scalars[...]), score: i == 0 && piece.score.isNaN ? 0 : piece.score)
        }, unkId: 0, byteFallback: false, source: "the Unigram trainer")
    }

    /// The lattice of `word` under `model` (BOS and EOS ids past the vocabulary, as the crate's).
    static func lattice(_ word: [UInt32], _ model: UnigramModel, pieceCount: Int) -> UnigramLattice {
        var lattice = UnigramLattice(length: word.count, bosId: pieceCount + 1, eosId: pieceCount + 2)
        model.populateNodes(&lattice, sentence: word)
        return lattice
    }

    /// E-step: each piece's expected count over the corpus (forward-backward, weighted by word count).
    func expectations(_ model: UnigramModel, pieceCount: Int) -> [Double] {
        var expected = [Double](repeating: 0, count: pieceCount + 3)
        for (word, count) in zip(words, counts) {
            let lattice = Self.lattice(word, model, pieceCount: pieceCount)
            _ = lattice.populateMarginal(frequency: Double(count), expected: &expected)
        }
        return Array(expected.prefix(pieceCount))
    }

    /// M-step: drop pieces expected less than half a time (keeping `<UNK>`), score the rest
    /// `digamma(expected) − digamma(total)` (the Bayesian variant sentencepiece uses).
    static func maximization(_ pieces: [UnigramPiece], expected: [Double]) -> [UnigramPiece] {
        var kept: [UnigramPiece] = []
        var sum = 0.0
        for (i, piece) in pieces.enumerated() {
            if i == 0 {
                kept.append(UnigramPiece(scalars: piece.scalars, score: .nan))
                continue
            }
            if expected[i] < 0.5 { continue }
            kept.append(UnigramPiece(scalars: piece.scalars, score: expected[i]))
            sum += expected[i]
        }
        let logSum = digamma(sum)
        return kept.map { UnigramPiece(scalars: $0.scalars, score: digamma($0.score) - logSum) }
    }

    /// The crate's digamma approximation (asymptotic series after shifting x past 7).
    package static func digamma(_ value: Double) -> Double {
        var x = value
        var result = 0.0
        while x < 7 {
            result -= 1 / x
            x += 1
        }
        x -= 0.5
        let xx = 1 / x, xx2 = xx * xx, xx4 = xx2 * xx2
        result += log(x) + xx2 / 24 - 7.0 / 960 * xx4 + 31.0 / 8064 * xx4 * xx2 - 127.0 / 30720 * xx4 * xx4
        return result
    }

    /// Keeps the pieces whose removal would lose the most likelihood: a piece that is its own best segmentation
    /// is scored by how much worse its second-best segmentation (its alternatives) does over the words using it.
    func prune(_ model: UnigramModel, _ pieces: [UnigramPiece]) -> [UnigramPiece] {
        let n = pieces.count
        var alwaysKeep = [Bool](repeating: true, count: n)
        var alternatives = [[Int]](repeating: [], count: n)
        alwaysKeep[0] = false
        for id in 1..<n {
            let (keep, alternative) = Self.alternatives(pieces[id].scalars, model, pieceCount: n)
            alwaysKeep[id] = keep
            alternatives[id] = alternative
        }

        var frequency = [Double](repeating: 0, count: n)
        var inverted = [[Int]](repeating: [], count: n)
        var totalCount = 0.0
        for (w, (word, count)) in zip(words, counts).enumerated() {
            var lattice = Self.lattice(word, model, pieceCount: n)
            totalCount += Double(count)
            for node in lattice.viterbi() {
                let id = lattice.nodes[node].id
                frequency[id] += Double(count)
                inverted[id].append(w)
            }
        }
        let sum = frequency.reduce(0, +)
        let logSum = log(sum)
        var candidates: [(id: Int, loss: Double)] = []
        var kept: [UnigramPiece] = [pieces[0]]
        for id in 1..<n {
            if frequency[id] == 0 && !alwaysKeep[id] { continue }
            if alternatives[id].isEmpty {
                kept.append(pieces[id])
                continue
            }
            var f = 0.0
            for w in inverted[id] { f += Double(counts[w]) }
            if f == 0 || f.isNaN { continue }
            f /= totalCount
            let logProbPiece = log(frequency[id]) - logSum
            // The crate multiplies by (number of pieces − 1) here, where sentencepiece uses the alternatives'.
            let logSumAlternative = log(sum + frequency[id] * Double(n - 1))
            var logProbAlternative = 0.0
            for alt in alternatives[id] { logProbAlternative += log(frequency[alt] + frequency[id]) - logSumAlternative }
            candidates.append((id, f * (logProbPiece - logProbAlternative)))
        }
        let prunedSize = max(vocabSize * 11 / 10, Int(Double(n) * shrinkingFactor))
        // Stable sort by descending loss, as Rust's sort_by.
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.id < $1.id }
        for candidate in candidates {
            if kept.count == prunedSize { break }
            kept.append(pieces[candidate.id])
        }
        return kept
    }

    /// For one piece (the crate's `nbest(2)` on the piece's own lattice): whether to always keep it, and when it
    /// is its own best segmentation, the pieces of its second-best one.
    static func alternatives(_ piece: [UInt32], _ model: UnigramModel, pieceCount: Int) -> (keep: Bool, alternative: [Int]) {
        var lattice = lattice(piece, model, pieceCount: pieceCount)
        let best = lattice.viterbi()
        // The piece's own node always gives one segmentation; a better one means the piece is redundant.
        if best.count >= 2 { return (false, []) }
        guard let whole = best.first else { return (true, []) }
        var rest = UnigramLattice(length: piece.count, bosId: pieceCount + 1, eosId: pieceCount + 2)
        for node in lattice.nodes.dropFirst(2) where node.nodeId != whole {
            rest.insert(position: node.position, length: node.length, score: node.score, id: node.id)
        }
        let second = rest.viterbi()
        if second.isEmpty { return (true, []) }
        return (true, second.map { rest.nodes[$0].id })
    }
}
