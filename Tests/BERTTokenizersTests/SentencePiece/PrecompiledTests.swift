import XCTest
import BERTTokenizers

/// Precompiled alone against the crate on sentencepiece's full nmt_nfkc charsmap, and its bad-input errors.
final class PrecompiledTests: XCTestCase {
    private func normalize(_ normalizer: PrecompiledNormalizer, _ text: String) -> (String, [[Int]]) {
        var normalized = NormalizedString(text)
        normalizer.normalize(&normalized)
        return (normalized.string, normalized.scalars.indices.map { [Int(normalized.starts[$0]), Int(normalized.ends[$0])] })
    }

    func testNmtNfkcNormalisesAndAlignsAsTheCrate() throws {
        let normalizer = PrecompiledNormalizer(charsmap: try PrecompiledCharsmap(try SentencePieceFixtures.bytes("nmt_nfkc.charsmap")))
        let goldens = try SentencePieceFixtures.goldens()
        let corpus = goldens["corpus"] as! [String]
        let golden = goldens["precompiled"] as! [String: Any]
        let rows = golden["rows"] as! [[String: Any]]
        XCTAssertEqual(rows.count, corpus.count)
        for (index, (text, row)) in zip(corpus, rows).enumerated() {
            let (normalized, offsets) = normalize(normalizer, text)
            XCTAssertEqual(normalized, row["normalized"] as? String, "#\(index) \(text.debugDescription)")
            // The golden offsets come from one token per normalised character, so characters the
            // pre-tokenizer cannot see (none here: Split isolates every character) all appear.
            XCTAssertEqual(offsets, (row["offsets"] as! [[Int]]), "#\(index) \(text.debugDescription) offsets")
        }
        let randoms = goldens["random"] as! [String]
        let canonical = randoms.map { text -> String in
            let (normalized, offsets) = normalize(normalizer, text)
            return normalized + ";" + offsets.map { "\($0[0]),\($0[1])" }.joined(separator: " ")
        }
        let want = golden["random_digests"] as! [String]
        let got = SentencePieceFixtures.blockDigests(canonical)
        XCTAssertEqual(got.count, want.count)
        for (block, (g, w)) in zip(got, want).enumerated() where g != w {
            XCTFail("random block \(block) differs: \(randoms[block * 10 ..< min(block * 10 + 10, randoms.count)].map(\.debugDescription))")
        }
    }

    func testTruncatedOrCorruptCharsmapIsATypedError() throws {
        let good = try SentencePieceFixtures.bytes("nmt_nfkc.charsmap")
        func expectCorrupt(_ bytes: [UInt8], _ label: String) {
            XCTAssertThrowsError(try PrecompiledCharsmap(bytes), label) { error in
                guard case .corruptPrecompiledCharsmap = error as? TokenizerError else {
                    return XCTFail("\(label): unexpected \(error)")
                }
            }
        }
        expectCorrupt([], "empty")
        expectCorrupt([1, 0], "shorter than the size field")
        expectCorrupt(Array(good.prefix(1000)), "truncated inside the trie")
        var hugeSize = good
        hugeSize[3] = 0x7F
        expectCorrupt(hugeSize, "absurd trie size")
        var badUTF8 = good
        badUTF8[badUTF8.count - 2] = 0xFF
        expectCorrupt(badUTF8, "replacement blob not UTF-8")
        // Point the root's children past the trie: rewrite unit 0's offset field.
        var badOffset = good
        badOffset[4 + 1] = 0xFC; badOffset[4 + 2] = 0xFF; badOffset[4 + 3] = 0x7F
        XCTAssertNoThrow(try? PrecompiledCharsmap(badOffset))  // either a typed error or a safe empty map
        // Every leaf value pointing past the blob: truncate the blob but keep the trie.
        let trieSize = Int(good[0]) | Int(good[1]) << 8 | Int(good[2]) << 16 | Int(good[3]) << 24
        expectCorrupt(Array(good.prefix(4 + trieSize + 10)), "replacement blob cut short")
        // A charsmap that parses never reads outside its arrays on any input.
        let charsmap = try PrecompiledCharsmap(good)
        XCTAssertNil(charsmap.replacement(for: [0x41][...]))
        XCTAssertEqual(charsmap.replacement(for: [0xFB01][...]), [0x66, 0x69])  // ﬁ → fi
    }
}
