// Parity with Google's own create_pretraining_data.py: scripts/make_pretraining_goldens.py ran Google's unmodified
// functions with an rng that draws exactly as PretrainingRandomGenerator, on Tests/Fixtures/pretraining/
// corpus.tokens.txt. Same corpus, same seed, Google's next-sentence rule: every instance must match, masks, labels
// and order included.
import BERTTraining
import Foundation
import XCTest
@_spi(Fuzzing) import BERTTraining

/// Pre-tokenized text: pieces separated by spaces, looked up in the vocabulary.
private struct WhitespaceVocabularyTokenizer: PretrainingTokenizer {
    let base: TestWordPieceTokenizer
    var vocabulary: [String] { base.vocabulary }
    func tokenize(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }
    func id(of token: String) -> Int? { base.id(of: token) }
}

final class PretrainingDataGoogleParityTests: XCTestCase {
    private struct Golden: Decodable {
        struct Meta: Decodable {
            let max_seq_length: Int, dupe_factor: Int, short_seq_prob: Double, masked_lm_prob: Double
            let max_predictions_per_seq: Int, do_whole_word_mask: Bool, random_seed: UInt64, count: Int
            /// ALBERT's files only: its n-gram length (their objective is SOP).
            let ngram: Int?
        }
        struct Instance: Decodable {
            let input_ids: [Int], token_type_ids: [Int], masked_lm_positions: [Int], masked_lm_ids: [Int]
            let next_sentence_label: Int
        }
        let meta: Meta
        let instances: [Instance]
    }

    private func checkParity(_ name: String, reference: String = "google") throws {
        let fixtures = PretrainingFixtures.root.appendingPathComponent("Tests/Fixtures/pretraining")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: fixtures
            .appendingPathComponent("\(reference)_\(name).json")))
        let tokenizer = WhitespaceVocabularyTokenizer(base: try PretrainingFixtures.vocabulary().0)
        let vocabulary = try PretrainingVocabulary(tokenizer: tokenizer)
        let corpus = try PretrainingCorpus(files: [fixtures.appendingPathComponent("corpus.tokens.txt")],
                                           format: .sentencePerLine, tokenizer: tokenizer, vocabulary: vocabulary)
        let m = golden.meta
        var configuration = PretrainingDataConfiguration(
            maxSeqLength: m.max_seq_length, shortSeqProb: m.short_seq_prob, dupeFactor: m.dupe_factor,
            maskedLMProb: m.masked_lm_prob, maxPredictionsPerSeq: m.max_predictions_per_seq,
            wholeWordMask: m.do_whole_word_mask, seed: m.random_seed,
            objective: m.ngram == nil ? .nextSentencePrediction : .sentenceOrderPrediction, nextSentenceRule: .google)
        configuration.maxNgram = m.ngram ?? 1
        let instances = try PretrainingInstanceGenerator(configuration: configuration, vocabulary: vocabulary)
            .makeInstances(corpus: corpus)
        XCTAssertEqual(instances.count, m.count)
        XCTAssertEqual(golden.instances.count, m.count)
        for (i, (ours, theirs)) in zip(instances, golden.instances).enumerated() {
            let n = theirs.input_ids.count
            var labels = [Int](repeating: -100, count: m.max_seq_length)
            for (position, id) in zip(theirs.masked_lm_positions, theirs.masked_lm_ids) { labels[position] = id }
            let expected = PretrainingInstance(
                inputIDs: theirs.input_ids + [Int](repeating: vocabulary.padID, count: m.max_seq_length - n),
                tokenTypeIDs: theirs.token_type_ids + [Int](repeating: 0, count: m.max_seq_length - n),
                attentionMask: [Int](repeating: 1, count: n) + [Int](repeating: 0, count: m.max_seq_length - n),
                labels: labels, nextSentenceLabel: theirs.next_sentence_label)
            guard ours == expected else {
                return XCTFail("\(reference) \(name): instance \(i) differs from the reference's:\n ours   \(ours)\n theirs \(expected)")
            }
        }
    }

    func testNextSentencePredictionMatchesGoogle() throws { try checkParity("nsp") }

    func testWholeWordMaskingMatchesGoogle() throws { try checkParity("wwm") }

    /// ALBERT's create_pretraining_data.py (scripts/make_albert_pretraining_goldens.py): SOP instances with 3-gram
    /// masking, token and whole-word, every instance equal — masks, labels, order and the swapped-order labels.
    func testSentenceOrderWithNgramMaskingMatchesALBERT() throws { try checkParity("sop_ngram", reference: "albert") }

    func testSentenceOrderWithWholeWordNgramMaskingMatchesALBERT() throws { try checkParity("sop_ngram_wwm", reference: "albert") }
}
