import BERTTokenizers
import BERTTraining
@_spi(Fuzzing) import BERTTraining
import TestSupport
import XCTest

/// `bert distill --dynamic-masking`: an instance file's texts masked again per epoch, deterministically.
final class RemaskedInstanceSourceTests: XCTestCase {
    /// One stored instance: 30 real tokens (two of them masked in the file) and 10 of padding.
    struct OneInstance: PretrainingInstanceSource {
        let instance: PretrainingInstance
        var count: Int { 1 }
        var maxSeqLength: Int { 40 }
        func instance(at index: Int, epoch: Int) throws -> PretrainingInstance { instance }
    }

    func testMasksChangePerEpochAndKeepTheText() throws {
        let vocabulary = try PretrainingVocabulary(tokenizer: WordPiecePretrainingTokenizer(Tokenizer(directory: modelURL("all-MiniLM-L6-v2"))))
        let text = [vocabulary.clsID] + (0..<28).map { 2000 + 37 * $0 } + [vocabulary.sepID]
        var ids = text, labels = [Int](repeating: -100, count: 30)
        for p in [3, 17] { labels[p] = text[p]; ids[p] = vocabulary.maskID }
        let stored = PretrainingInstance(inputIDs: ids + [Int](repeating: vocabulary.padID, count: 10),
                                         tokenTypeIDs: [Int](repeating: 0, count: 40),
                                         attentionMask: [Int](repeating: 1, count: 30) + [Int](repeating: 0, count: 10),
                                         labels: labels + [Int](repeating: -100, count: 10), nextSentenceLabel: -100)
        let base = OneInstance(instance: stored)
        XCTAssertEqual(try RemaskedInstanceSource(base: base, masker: nil, seed: 1).instance(at: 0, epoch: 3), stored, "no masker: the file's masks")
        let source = RemaskedInstanceSource(base: base, masker: MaskedLMMasker(vocabulary: vocabulary), seed: 1)
        let (e0, e0again, e1) = (try source.instance(at: 0, epoch: 0), try source.instance(at: 0, epoch: 0), try source.instance(at: 0, epoch: 1))
        XCTAssertEqual(e0, e0again, "an epoch's masks are a function of (seed, epoch, index)")
        XCTAssertNotEqual(e0.labels, e1.labels, "a new epoch draws new masks")
        for e in [e0, e1] {
            let restored = zip(e.inputIDs.prefix(30), e.labels.prefix(30)).map { $1 != -100 ? $1 : $0 }
            XCTAssertEqual(restored, text, "the text is the file's, masked positions restored")
            XCTAssertEqual(e.labels.filter { $0 != -100 }.count, 4, "Google's count: round(30 × 0.15)")
            XCTAssertEqual(Array(e.inputIDs.suffix(10)), [Int](repeating: vocabulary.padID, count: 10))
            XCTAssertEqual(Array(e.labels.suffix(10)), [Int](repeating: -100, count: 10))
            XCTAssertEqual(e.labels[0], -100, "[CLS] is never predicted")
            XCTAssertEqual(e.attentionMask, stored.attentionMask)
        }
    }
}
