import XCTest
import BERTTokenizers

/// Metaspace (pre-tokenizer and decoder) for every prepend scheme and split setting, against `tokenizers`.
final class MetaspaceTests: XCTestCase {
    private func splits(_ preTokenizer: any PreTokenizer, _ text: String) -> [[Any]] {
        var pre = PreTokenizedString(NormalizedString(text))
        preTokenizer.preTokenize(&pre)
        return pre.splitsWithOffsets.map { [$0.text, [$0.offsets.lowerBound, $0.offsets.upperBound]] }
    }

    private func same(_ a: [[Any]], _ b: [[Any]]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            (x[0] as? String) == (y[0] as? String) && ints(x[1]) == ints(y[1])
        }
    }

    func testEverySchemeAndSplitSettingMatchesTokenizers() throws {
        let goldens = try SentencePieceFixtures.goldens()
        let corpus = goldens["corpus"] as! [String]
        let texts = ints(goldens["metaspace_texts"]).map { corpus[$0] }
        let settings = goldens["metaspace"] as! [[String: Any]]
        XCTAssertEqual(settings.count, 6)
        for setting in settings {
            let scheme = PrependScheme(rawValue: setting["prepend_scheme"] as! String)!
            let split = setting["split"] as! Bool
            let metaspace = Metaspace(prependScheme: scheme, split: split)
            let sequence = PreTokenizerSequence([WhitespaceSplit(), metaspace])
            let decoder = MetaspaceDecoder(prependScheme: scheme)
            for (text, row) in zip(texts, setting["rows"] as! [[String: Any]]) {
                let label = "\(scheme) split \(split) \(text.debugDescription)"
                let afterWhitespace = splits(sequence, text)
                XCTAssertTrue(same(afterWhitespace, row["after_whitespace_split"] as! [[Any]]), "\(label): \(afterWhitespace)")
                let alone = splits(metaspace, text)
                XCTAssertTrue(same(alone, row["alone"] as! [[Any]]), "\(label) alone: \(alone)")
                XCTAssertEqual(decoder.decode(afterWhitespace.map { $0[0] as! String }), row["decoded"] as? String, label)
            }
        }
    }
}
