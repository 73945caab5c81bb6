import Foundation

/// The lattice of every piece that can start or end at each position of a sentence (the crate's
/// `models::unigram::lattice::Lattice`, after sentencepiece's `unigram_model.cc`).
///
/// Positions count Unicode code points (the crate counts UTF-8 bytes; pieces start and end on character
/// boundaries, so the two agree node for node). Node 0 is BOS at position 0, node 1 is EOS at position
/// `length`; every inserted piece is a node with its vocabulary id and log-probability score. The Unigram
/// trainer uses `populateMarginal` (forward-backward expectations) and `viterbi`; the encoder has its own
/// allocation-free Viterbi in `UnigramModel`.
package struct UnigramLattice: Sendable {
    /// One node: a piece `id` covering `position ..< position + length`, with its score.
    package struct Node: Sendable, Equatable {
        /// Vocabulary id of the piece (BOS/EOS nodes carry the lattice's bos/eos ids).
        package var id: Int
        /// Index of this node in `nodes`.
        package var nodeId: Int
        /// First code point covered.
        package var position: Int
        /// Number of code points covered.
        package var length: Int
        /// Log-probability of the piece.
        package var score: Double
        /// Best path score up to and including this node (filled by `viterbi`).
        package var backtraceScore: Double
        /// Best predecessor on the Viterbi path (filled by `viterbi`).
        package var previous: Int?
    }

    /// Number of code points in the sentence.
    package let length: Int
    /// All nodes: BOS, EOS, then insertions in order.
    package private(set) var nodes: [Node]
    /// `beginNodes[p]`: indices of nodes starting at `p` (EOS begins at `length`).
    package private(set) var beginNodes: [[Int]]
    /// `endNodes[p]`: indices of nodes ending at `p` (BOS ends at 0).
    package private(set) var endNodes: [[Int]]

    /// An empty lattice over `length` code points; `bosId`/`eosId` label the two sentinel nodes.
    package init(length: Int, bosId: Int, eosId: Int) {
        self.length = length
        nodes = [
            Node(id: bosId, nodeId: 0, position: 0, length: 0, score: 0, backtraceScore: 0, previous: nil),
            Node(id: eosId, nodeId: 1, position: length, length: 0, score: 0, backtraceScore: 0, previous: nil),
        ]
        beginNodes = Array(repeating: [], count: length + 1)
        endNodes = Array(repeating: [], count: length + 1)
        beginNodes[length].append(1)
        endNodes[0].append(0)
    }

    /// Adds the piece `id` covering `position ..< position + length` with `score`.
    /// - Precondition: the range lies inside the sentence and `length > 0`.
    package mutating func insert(position: Int, length: Int, score: Double, id: Int) {
        precondition(length > 0 && position >= 0 && position + length <= self.length, "lattice node out of range")
        let nodeId = nodes.count
        nodes.append(Node(id: id, nodeId: nodeId, position: position, length: length, score: score,
                          backtraceScore: 0, previous: nil))
        beginNodes[position].append(nodeId)
        endNodes[position + length].append(nodeId)
    }

    /// The best-scoring path from BOS to EOS, as node indices without the sentinels; empty when some
    /// position has no node starting there (the crate returns an empty path too).
    package mutating func viterbi() -> [Int] {
        for position in 0 ... length {
            if beginNodes[position].isEmpty { return [] }
            for right in beginNodes[position] {
                nodes[right].previous = nil
                var bestScore = 0.0
                var best: Int?
                for left in endNodes[position] {
                    let score = nodes[left].backtraceScore + nodes[right].score
                    if best == nil || score > bestScore {
                        bestScore = score
                        best = left
                    }
                }
                guard let best else { return [] }
                nodes[right].previous = best
                nodes[right].backtraceScore = bestScore
            }
        }
        var path: [Int] = []
        var node = nodes[beginNodes[length][0]].previous
        while let current = node, let previous = nodes[current].previous {
            path.append(current)
            node = previous
        }
        return path.reversed()
    }

    /// Forward-backward: adds `frequency × P(node)` to `expected[node.id]` for every piece node and returns
    /// `frequency × log Z` (the crate's `populate_marginal`, summing in the same order so results agree).
    /// - Precondition: `expected` has room for every inserted id.
    package func populateMarginal(frequency: Double, expected: inout [Double]) -> Double {
        var alpha = [Double](repeating: 0, count: nodes.count)
        var beta = [Double](repeating: 0, count: nodes.count)
        for position in 0 ... length {
            for right in beginNodes[position] {
                for left in endNodes[position] {
                    alpha[right] = Self.logSumExp(alpha[right], nodes[left].score + alpha[left],
                                                  initialize: left == endNodes[position][0])
                }
            }
        }
        for position in stride(from: length, through: 0, by: -1) {
            for left in endNodes[position] {
                for right in beginNodes[position] {
                    beta[left] = Self.logSumExp(beta[left], nodes[right].score + beta[right],
                                                initialize: right == beginNodes[position][0])
                }
            }
        }
        let logZ = alpha[beginNodes[length][0]]
        for position in 0 ..< length {
            for index in beginNodes[position] {
                let node = nodes[index]
                let total = alpha[index] + node.score + beta[index] - logZ
                expected[node.id] += frequency * exp(total)
            }
        }
        return frequency * logZ
    }

    /// log(e^x + e^y), or `y` when starting a sum; differences beyond 50 nats are dropped as in sentencepiece.
    @inline(__always)
    static func logSumExp(_ x: Double, _ y: Double, initialize: Bool) -> Double {
        if initialize { return y }
        let (low, high) = x > y ? (y, x) : (x, y)
        if high > low + 50 { return high }
        return high + log(exp(low - high) + 1)
    }
}
