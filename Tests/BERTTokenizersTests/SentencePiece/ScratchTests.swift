import Foundation
import XCTest
import BERTJSON
import BERTTokenizers

struct ScratchWhitespaceSplit: PreTokenizer {
    func preTokenize(_ text: inout PreTokenizedString) {
        text.split { t, range, pieces in
            var start = range.lowerBound
            for i in range {
                if Unicode.Scalar(t.scalars[i])?.properties.isWhitespace == true {
                    pieces.append(start ..< i); start = i + 1
                }
            }
            pieces.append(start ..< range.upperBound)
        }
    }
}
struct ScratchSeq: PreTokenizer {
    let a: any PreTokenizer, b: any PreTokenizer
    func preTokenize(_ text: inout PreTokenizedString) { a.preTokenize(&text); b.preTokenize(&text) }
}

final class ScratchTests: XCTestCase {
    func testScratchXLMR() throws {
        guard case .object(var root) = try JSONValue.parse(try Data(contentsOf: SentencePieceFixtures.folder.appendingPathComponent("xlmr.json"))) else { return XCTFail() }
        root.members = root.members.map { $0.key == "pre_tokenizer" ? JSONMember(key: "pre_tokenizer", value: .object(["type": "Metaspace"])) : $0 }
        let text = try JSONValue.object(root).serializedString()
        var tokenizer = try Tokenizer(tokenizerJSONData: Data(text.utf8))
        tokenizer.preTokenizer = ScratchSeq(a: ScratchWhitespaceSplit(), b: Metaspace())
        try SentencePieceGoldenTests.check(tokenizer, "xlmr", label: "scratch xlmr")
        let goldens = try SentencePieceFixtures.goldens()
        let corpus = goldens["corpus"] as! [String]
        let golden = (goldens["tokenizers"] as! [String: Any])["xlmr"] as! [String: Any]
        let singles = golden["singles"] as! [[String: Any]]
        let decoded = golden["decoded"] as! [String]
        for (index, text) in corpus.enumerated() {
            let e = try tokenizer.encode(text)
            assertEncoding(e, singles[index], "#\(index) \(text.debugDescription)")
            XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: false), decoded[index], "#\(index) decode")
        }
    }
}
