// The configuration's JSON form (the instance file's header): next_sentence_rule round trip, its value for
// headers written before it existed, and the error for an unknown value.
import BERTTraining
import Foundation
import XCTest
@_spi(Fuzzing) import BERTTraining

final class PretrainingDataConfigurationTests: XCTestCase {
    private func json(_ configuration: PretrainingDataConfiguration) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    private func decode(_ text: String) throws -> PretrainingDataConfiguration {
        try JSONDecoder().decode(PretrainingDataConfiguration.self, from: Data(text.utf8))
    }

    func testNextSentenceRuleRoundTrips() throws {
        let balanced = PretrainingDataConfiguration(dupeFactor: 3, seed: 42)
        XCTAssertEqual(balanced.nextSentenceRule, .balanced)
        let text = try json(balanced)
        XCTAssertEqual(text, #"{"do_whole_word_mask":false,"dupe_factor":3,"masked_lm_prob":0.15,"#
            + #""max_predictions_per_seq":20,"max_seq_length":128,"next_sentence_rule":"balanced","objective":"nsp","#
            + #""random_seed":42,"short_seq_prob":0.1}"#)
        XCTAssertEqual(try decode(text), balanced)
        let google = PretrainingDataConfiguration(wholeWordMask: true, seed: 7, nextSentenceRule: .google)
        XCTAssertTrue(try json(google).contains(#""next_sentence_rule":"google""#))
        XCTAssertEqual(try decode(json(google)), google)
    }

    func testMissingNextSentenceRuleMeansGoogle() throws {
        // Headers written before the setting existed: those files were made with Google's rule.
        let old = #"{"do_whole_word_mask":false,"dupe_factor":3,"masked_lm_prob":0.15,"max_predictions_per_seq":20,"#
            + #""max_seq_length":128,"objective":"nsp","random_seed":42,"short_seq_prob":0.1}"#
        XCTAssertEqual(try decode(old),
                       PretrainingDataConfiguration(dupeFactor: 3, seed: 42, nextSentenceRule: .google))
    }

    func testUnknownNextSentenceRuleIsRejectedByName() throws {
        let text = try json(PretrainingDataConfiguration()).replacingOccurrences(of: #""balanced""#, with: #""coin""#)
        XCTAssertThrowsError(try decode(text)) { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.debugDescription, #"next_sentence_rule "coin" is unknown; use balanced or google"#)
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["next_sentence_rule"])
        }
        XCTAssertThrowsError(try decode(text.replacingOccurrences(of: #""coin""#, with: "1")))
    }

    func testInstanceFileHeaderRecordsTheRuleAndNamesABadOne() throws {
        let (_, vocabulary) = try PretrainingFixtures.vocabulary()
        let dir = try PretrainingFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tiny.bin")
        let configuration = PretrainingDataConfiguration(maxSeqLength: 8, nextSentenceRule: .google)
        let instance = PretrainingInstance(inputIDs: [101, 2000, 102, 2001, 102, 0, 0, 0],
                                           tokenTypeIDs: [0, 0, 0, 1, 1, 0, 0, 0], attentionMask: [1, 1, 1, 1, 1, 0, 0, 0],
                                           labels: [Int](repeating: -100, count: 8), nextSentenceLabel: 0)
        try PretrainingInstanceFileWriter.write(
            [instance], to: url, maxSeqLength: 8, vocabSize: vocabulary.size,
            settings: PretrainingInstanceFileSettings(configuration: configuration, vocabulary: vocabulary))
        XCTAssertEqual(try PretrainingInstanceFileReader(url: url).header.settings.configuration, configuration)

        // Same length, unknown value: the reader's corruptHeader carries the decoder's message.
        var bytes = try Data(contentsOf: url)
        let range = bytes.range(of: Data(#""google""#.utf8))!
        bytes.replaceSubrange(range, with: Data(#""gooGLE""#.utf8))
        let bad = dir.appendingPathComponent("bad.bin")
        try bytes.write(to: bad)
        XCTAssertThrowsError(try PretrainingInstanceFileReader(url: bad)) { error in
            guard case PretrainingDataError.corruptHeader(_, 32, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, #"settings JSON, configuration.next_sentence_rule: next_sentence_rule "gooGLE" is unknown; "#
                           + "use balanced or google")
        }
    }
}
