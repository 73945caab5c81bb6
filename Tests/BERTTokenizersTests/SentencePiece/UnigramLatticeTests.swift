import XCTest
import BERTTokenizers

/// The lattice and the Unigram Viterbi on the cases of the crate's `models/unigram` unit tests.
final class UnigramLatticeTests: XCTestCase {
    private func pieces(_ lattice: inout UnigramLattice, _ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return lattice.viterbi().map { index in
            let node = lattice.nodes[index]
            return String(String.UnicodeScalarView(scalars[node.position ..< node.position + node.length]))
        }
    }

    func testViterbiNeedsEveryPositionCovered() {
        var lattice = UnigramLattice(length: 3, bosId: 1, eosId: 2)
        XCTAssertEqual(lattice.viterbi(), [])
        lattice.insert(position: 0, length: 1, score: 0, id: 3)
        XCTAssertEqual(lattice.viterbi(), [])
        lattice.insert(position: 1, length: 1, score: 0, id: 4)
        XCTAssertEqual(lattice.viterbi(), [])
        lattice.insert(position: 2, length: 1, score: 0, id: 5)
        XCTAssertEqual(lattice.viterbi().count, 3)
    }

    func testViterbiPicksTheBestPath() {
        var lattice = UnigramLattice(length: 3, bosId: 1, eosId: 2)
        lattice.insert(position: 0, length: 1, score: 0, id: 3)
        lattice.insert(position: 1, length: 1, score: 0, id: 4)
        lattice.insert(position: 2, length: 1, score: 0, id: 5)
        XCTAssertEqual(pieces(&lattice, "ABC"), ["A", "B", "C"])
        lattice.insert(position: 0, length: 2, score: 2, id: 6)
        XCTAssertEqual(pieces(&lattice, "ABC"), ["AB", "C"])
        lattice.insert(position: 1, length: 2, score: 5, id: 7)
        XCTAssertEqual(pieces(&lattice, "ABC"), ["A", "BC"])
        lattice.insert(position: 0, length: 3, score: 10, id: 8)
        XCTAssertEqual(pieces(&lattice, "ABC"), ["ABC"])
    }

    func testMarginalsAreThePathProbabilities() {
        var lattice = UnigramLattice(length: 3, bosId: 1, eosId: 2)
        lattice.insert(position: 0, length: 1, score: 1.0, id: 3)
        lattice.insert(position: 1, length: 1, score: 1.2, id: 4)
        lattice.insert(position: 2, length: 1, score: 2.5, id: 5)
        lattice.insert(position: 0, length: 2, score: 3.0, id: 6)
        lattice.insert(position: 1, length: 2, score: 4.0, id: 7)
        lattice.insert(position: 0, length: 3, score: 2.0, id: 8)
        let p1 = exp(1.0 + 1.2 + 2.5), p2 = exp(3.0 + 2.5), p3 = exp(1.0 + 4.0), p4 = exp(2.0)
        let z = p1 + p2 + p3 + p4
        var expected = [Double](repeating: 0, count: 9)
        let logZ = lattice.populateMarginal(frequency: 1, expected: &expected)
        XCTAssertEqual(logZ, log(z), accuracy: 1e-12)
        let want = [0, 0, 0, (p1 + p3) / z, p1 / z, (p1 + p2) / z, p2 / z, p3 / z, p4 / z]
        for (got, expect) in zip(expected, want) { XCTAssertEqual(got, expect, accuracy: 1e-12) }
        var twice = [Double](repeating: 0, count: 9)
        XCTAssertEqual(lattice.populateMarginal(frequency: 2, expected: &twice), 2 * log(z), accuracy: 1e-12)
        XCTAssertEqual(twice[3], 2 * want[3], accuracy: 1e-12)
    }

    private func encode(_ model: UnigramModel, _ text: String) throws -> [String] {
        let scalars = text.unicodeScalars.map(\.value)
        var tokens: [ModelToken] = []
        try model.tokenize(scalars, word: 0 ..< scalars.count, into: &tokens)
        return tokens.map { String(String.UnicodeScalarView(scalars[$0.range].compactMap(Unicode.Scalar.init))) }
    }

    func testEncodeTakesTheHighestScoringSegmentation() throws {
        let model = try UnigramModel(vocabulary: [
            ("<unk>", 0), ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("cd", 1), ("ab", 2), ("abc", 5), ("abcd", 10),
        ], unkId: 0, byteFallback: false)
        XCTAssertEqual(try encode(model, "abcd"), ["abcd"])
    }

    func testEncodeFusesUnknownsAsTheCrate() throws {
        let model = try UnigramModel(vocabulary: [
            ("<unk>", 0), ("ab", 0), ("cd", -0.1), ("abc", -0.2), ("a", -0.3), ("b", -0.4), ("c", -0.5),
            ("ABC", -0.5), ("abcdabcd", 20), ("q", 20.5), ("r", 20.5), ("qr", -0.5),
        ], unkId: 0, byteFallback: false)
        XCTAssertEqual(try encode(model, "abc"), ["abc"])
        XCTAssertEqual(try encode(model, "AB"), ["AB"])
        XCTAssertEqual(try encode(model, "abcd"), ["ab", "cd"])
        XCTAssertEqual(try encode(model, "abcc"), ["abc", "c"])
        XCTAssertEqual(try encode(model, "xabcabaabcdd"), ["x", "abc", "ab", "a", "ab", "cd", "d"])
        XCTAssertEqual(try encode(model, "xyz東京"), ["xyz東京"])
        XCTAssertEqual(try encode(model, "ABC"), ["ABC"])
        XCTAssertEqual(try encode(model, "abABCcd"), ["ab", "ABC", "cd"])
        XCTAssertEqual(try encode(model, "ababcdabcdcd"), ["ab", "abcdabcd", "cd"])
        XCTAssertEqual(try encode(model, "abqrcd"), ["ab", "q", "r", "cd"])
    }

    func testByteFallbackSpellsUnknownsAsBytes() throws {
        let model = try UnigramModel(vocabulary: [
            ("<unk>", 0), ("<0x61>", -0.1), ("<0xC3>", -0.1), ("<0xA9>", -0.1), ("b", -1),
        ], unkId: 0, byteFallback: true)
        let scalars = "bé".unicodeScalars.map(\.value)
        var tokens: [ModelToken] = []
        try model.tokenize(scalars, word: 0 ..< 2, into: &tokens)
        XCTAssertEqual(tokens, [ModelToken(id: 4, range: 0 ..< 1), ModelToken(id: 2, range: 1 ..< 2),
                                ModelToken(id: 3, range: 1 ..< 2)])
        // "x" has no byte piece, so the run stays one unknown token.
        tokens = []
        try model.tokenize("xé".unicodeScalars.map(\.value), word: 0 ..< 2, into: &tokens)
        XCTAssertEqual(tokens, [ModelToken(id: 0, range: 0 ..< 2)])
    }

    func testModelWithoutUnknownThrowsOnlyWhenNeeded() throws {
        let model = try UnigramModel(vocabulary: [("a", -1), ("b", -2)], unkId: nil, byteFallback: false)
        XCTAssertEqual(try encode(model, "ab"), ["a", "b"])
        XCTAssertThrowsError(try encode(model, "abc")) { error in
            XCTAssertEqual(error as? TokenizerError, .unigramWithoutUnknown)
        }
        XCTAssertThrowsError(try UnigramModel(vocabulary: [("a", -1)], unkId: 1, byteFallback: false)) { error in
            guard case .invalidTokenId(_, "model.unk_id", 1, _) = error as? TokenizerError else {
                return XCTFail("unexpected \(error)")
            }
        }
    }

    func testPopulateNodesMatchesTheEncoder() throws {
        let model = try UnigramModel(vocabulary: [
            ("<unk>", 0), ("ab", 0), ("cd", -0.1), ("abc", -0.2), ("a", -0.3), ("b", -0.4), ("c", -0.5),
        ], unkId: 0, byteFallback: false)
        let sentence = "xabcd".unicodeScalars.map(\.value)
        var lattice = UnigramLattice(length: sentence.count, bosId: 7, eosId: 8)
        model.populateNodes(&lattice, sentence: sentence)
        // x: unk; a: a, ab, abc; b: b; c: c, cd; d: unk (no piece "d").
        XCTAssertEqual(lattice.nodes.count, 2 + 1 + 3 + 1 + 2 + 1)
        XCTAssertEqual(lattice.nodes[2].id, 0)
        XCTAssertEqual(lattice.nodes[2].score, -0.5 - 10)
        let path = lattice.viterbi().map { lattice.nodes[$0].id }
        XCTAssertEqual(path, [0, 1, 2])  // x, ab, cd beats x, abc, unknown d
    }
}
