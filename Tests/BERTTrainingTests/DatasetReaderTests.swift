import BERTTraining
import Foundation
import TestSupport
import XCTest
@_spi(Fuzzing) import BERTTraining

/// Readers on well-formed data, and each malformed case against its own error with file and line.
final class DatasetReaderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bert-dataset-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `contents` to a temporary file named `name`.
    private func write(_ name: String, _ contents: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// Runs `body`, expecting exactly `expected`.
    private func assertThrows<T>(_ expected: DatasetError, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        do {
            _ = try body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch let error as DatasetError {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    // MARK: CSV / TSV / JSONL text classification

    func testCSVQuotingAndLineNumbers() throws {
        let url = try write("train.csv", "text,label\n\"Hello, world\",pos\n\"She said \"\"hi\"\"\",neg\n\n\"two\nlines\",pos\r\nplain \"quote\" inside,neg\n\"\",neg")
        let d = try TextClassificationDataset.read(from: url)
        XCTAssertEqual(d.labels, ["neg", "pos"])
        XCTAssertEqual(d.examples.map(\.text), ["Hello, world", "She said \"hi\"", "two\nlines", "plain \"quote\" inside", ""])
        XCTAssertEqual(d.examples.map(\.line), [2, 3, 5, 7, 8])
        XCTAssertEqual(d.examples.map(\.label), [.category(1), .category(0), .category(1), .category(0), .category(0)])
    }

    func testTSVPairsWithLiteralQuotesAndNumericLabels() throws {
        let url = try write("dev.tsv", "text\ttext_pair\tlabel\nA \"quoted\ttext\tx\t10\nb\tc\t2\n")
        assertThrows(.wrongFieldCount(file: url.path, line: 2, expected: 3, found: 4)) { try TextClassificationDataset.read(from: url) }
        let ok = try write("ok.tsv", "text\tpair\tlabel\n\"a\tb\t10\nc\td\t2\ne\tf\t2\n")
        let d = try TextClassificationDataset.read(from: ok)
        XCTAssertEqual(d.labels, ["2", "10"])  // integers sort numerically
        XCTAssertEqual(d.examples[0].text, "\"a")
        XCTAssertEqual(d.examples.map(\.textPair), ["b", "d", "f"])
        XCTAssertEqual(d.labelIDs, ["2": 0, "10": 1])
    }

    func testJSONLinesMultiLabelAndRegression() throws {
        let url = try write("train.jsonl", """
        {"text": "a", "label": ["sports", "news"]}

        {"text": "b", "label": "news; tech"}
        {"text": "c", "label": []}
        """)
        let d = try TextClassificationDataset.read(from: url, task: .multiLabel)
        XCTAssertEqual(d.labels, ["news", "sports", "tech"])
        XCTAssertEqual(d.examples.map(\.label), [.categories([0, 1]), .categories([0, 2]), .categories([])])
        XCTAssertEqual(d.examples.map(\.line), [1, 3, 4])

        let csv = try write("multi.csv", "text,label\nx,b;a\n")
        XCTAssertEqual(try TextClassificationDataset.read(from: csv, task: .multiLabel).examples[0].label, .categories([0, 1]))

        let scores = try write("sts.jsonl", "{\"sentence\": \"x\", \"score\": 3.5}\n{\"sentence\": \"y\", \"score\": \"1e-1\"}\n")
        let r = try TextClassificationDataset.read(from: scores, task: .regression, columns: .init(text: "sentence", label: "score"))
        XCTAssertEqual(r.examples.map(\.label), [.score(3.5), .score(0.1)])
        XCTAssertEqual(r.labels, [])
    }

    func testFixedLabelSetAtEvaluation() throws {
        let url = try write("eval.csv", "text,label\na,neg\nb,neutral\n")
        assertThrows(.unknownLabel(file: url.path, line: 3, label: "neutral", known: ["neg", "pos"])) {
            try TextClassificationDataset.read(from: url, labels: ["neg", "pos"])
        }
        let ok = try TextClassificationDataset.read(from: try write("ok.csv", "text,label\na,pos\n"), labels: ["neg", "pos"])
        XCTAssertEqual(ok.examples[0].label, .category(1))
        let byMap = try TextClassificationDataset.read(from: try write("map.csv", "text,label\na,pos\nb,neg\n"), labelIDs: ["pos": 0, "neg": 1])
        XCTAssertEqual(byMap.labels, ["pos", "neg"])
        XCTAssertEqual(byMap.examples.map(\.label), [.category(0), .category(1)])
        assertThrows(.invalidLabelIDs(ids: [0, 2])) { try TextClassificationDataset.read(from: url, labelIDs: ["neg": 0, "pos": 2]) }
    }

    func testMalformedTabularFiles() throws {
        let unterminated = try write("a.csv", "text,label\nok,1\n\"never closed,1\nmore,2\n")
        assertThrows(.unterminatedQuote(file: unterminated.path, line: 3)) { try TextClassificationDataset.read(from: unterminated) }

        let afterQuote = try write("b.csv", "text,label\n\"x\"y,1\n")
        assertThrows(.textAfterClosingQuote(file: afterQuote.path, line: 2, field: 1)) { try TextClassificationDataset.read(from: afterQuote) }

        // The line is the one the row starts on, after a quoted field with an embedded newline.
        let fields = try write("c.csv", "text,label\n\"multi\nline\",1\nx,1,extra\n")
        assertThrows(.wrongFieldCount(file: fields.path, line: 4, expected: 2, found: 3)) { try TextClassificationDataset.read(from: fields) }

        let missing = try write("d.csv", "sentence,label\nx,1\n")
        assertThrows(.missingColumn(file: missing.path, column: "text", available: ["sentence", "label"])) { try TextClassificationDataset.read(from: missing) }

        let empty = try write("e.csv", "")
        assertThrows(.emptyFile(file: empty.path)) { try TextClassificationDataset.read(from: empty) }
        let headerOnly = try write("f.csv", "text,label\n\n")
        assertThrows(.emptyFile(file: headerOnly.path)) { try TextClassificationDataset.read(from: headerOnly) }

        let badJSON = try write("g.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": \n")
        do {
            _ = try TextClassificationDataset.read(from: badJSON)
            XCTFail("expected invalidJSON")
        } catch let DatasetError.invalidJSON(file, line, _) {
            XCTAssertEqual(file, badJSON.path)
            XCTAssertEqual(line, 2)
        }
        let notObject = try write("h.jsonl", "[1, 2]\n")
        assertThrows(.invalidJSON(file: notObject.path, line: 1, reason: "the line is not a JSON object")) { try TextClassificationDataset.read(from: notObject) }

        let missingKey = try write("i.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\"}\n")
        assertThrows(.missingField(file: missingKey.path, line: 2, field: "label")) { try TextClassificationDataset.read(from: missingKey) }

        let notText = try write("j.jsonl", "{\"text\": 5, \"label\": 1}\n")
        assertThrows(.invalidValue(file: notText.path, line: 1, field: "text", value: "5", expected: "a string")) { try TextClassificationDataset.read(from: notText) }

        let notNumber = try write("k.csv", "text,label\na,1.5\nb,high\n")
        assertThrows(.invalidValue(file: notNumber.path, line: 3, field: "label", value: "high", expected: "a number")) {
            try TextClassificationDataset.read(from: notNumber, task: .regression)
        }

        let unknownExtension = try write("l.txt", "text,label\n")
        assertThrows(.unknownFormat(file: unknownExtension.path)) { try TextClassificationDataset.read(from: unknownExtension) }

        let latin1 = directory.appendingPathComponent("m.csv")
        try Data([0x74, 0x65, 0x78, 0x74, 0x0A, 0xE9, 0x0A]).write(to: latin1)
        assertThrows(.notUTF8(file: latin1.path, line: 2, byte: 5)) { try TextClassificationDataset.read(from: latin1) }
        let afterMark = directory.appendingPathComponent("n.jsonl")
        try Data([0xEF, 0xBB, 0xBF] + Array("{\"text\": \"a\"}\r\n{\"text\": \"".utf8) + [0xC3] + Array("\"}\n".utf8)).write(to: afterMark)
        assertThrows(.notUTF8(file: afterMark.path, line: 2, byte: 28)) { try TextClassificationDataset.read(from: afterMark) }
    }

    func testCSVParserMatchesPythonCSVModule() throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("datasets/tricky_csv_rows.json"))) as! [[String]]
        let d = try TextClassificationDataset.read(from: fixtureURL("datasets/tricky.csv"))
        let rows = d.examples.map { e -> [String] in
            guard case let .category(id) = e.label else { return [] }
            return [e.text, e.textPair ?? "<nil>", d.labels[id]]
        }
        XCTAssertEqual([["text", "text_pair", "label"]] + rows, expected)
        XCTAssertEqual(d.examples.map(\.line), [2, 3, 4, 8, 9, 10, 11])  // the quoted field spans lines 4–6, line 7 is blank
    }

    // MARK: CoNLL

    func testCoNLL() throws {
        let url = try write("train.conll", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\nPeter\tB-PER\nBlackburn\tI-PER\n\n-DOCSTART- O\nx O\n")
        let d = try TokenClassificationDataset.readCoNLL(from: url)
        XCTAssertEqual(d.labels, ["B-ORG", "B-PER", "I-PER", "O"])
        XCTAssertEqual(d.sentences.map(\.tokens), [["EU", "rejects"], ["Peter", "Blackburn"], ["x"]])
        XCTAssertEqual(d.sentences.map(\.tags), [["B-ORG", "O"], ["B-PER", "I-PER"], ["O"]])
        XCTAssertEqual(d.sentences.map(\.tagIDs), [[0, 3], [1, 2], [3]])
        XCTAssertEqual(d.sentences.map(\.line), [3, 7, 11])
    }

    func testMalformedCoNLL() throws {
        let oneColumn = try write("a.conll", "EU B-ORG\nrejects\n")
        assertThrows(.tooFewColumns(file: oneColumn.path, line: 2, text: "rejects")) { try TokenClassificationDataset.readCoNLL(from: oneColumn) }
        let unknown = try write("b.conll", "EU B-ORG\n\nx B-MISC\n")
        assertThrows(.unknownTag(file: unknown.path, line: 3, tag: "B-MISC", known: ["O", "B-ORG", "I-ORG"])) {
            try TokenClassificationDataset.readCoNLL(from: unknown, labels: ["O", "B-ORG", "I-ORG"])
        }
        let mapped = try TokenClassificationDataset.readCoNLL(from: try write("m.conll", "EU B-ORG\n"), labelIDs: ["B-ORG": 1, "O": 0])
        XCTAssertEqual(mapped.sentences[0].tagIDs, [1])
        let empty = try write("c.conll", "-DOCSTART- O\n\n")
        assertThrows(.emptyFile(file: empty.path)) { try TokenClassificationDataset.readCoNLL(from: empty) }
    }

    // MARK: SQuAD

    func testSQuADFixtureWithNonASCIIOffsets() throws {
        let d = try SQuADDataset.read(from: fixtureURL("datasets/squad_unicode.json"))
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("datasets/squad_unicode_expected.json"))) as! [[String: Any]]
        XCTAssertEqual(d.examples.count, expected.count)
        for (e, x) in zip(d.examples, expected) {
            XCTAssertEqual(e.id, x["id"] as? String)
            XCTAssertEqual(e.isImpossible, x["is_impossible"] as? Bool)
            XCTAssertEqual(e.answers.map(\.answerStart), x["answer_starts"] as? [Int])
            XCTAssertEqual(e.answers.map(\.scalarRange.upperBound), x["answer_ends"] as? [Int])
        }
    }

    func testMalformedSQuAD() throws {
        func squad(_ context: String, _ answer: String, _ start: Int, id: String = "q1") -> String {
            let json = try! JSONSerialization.data(withJSONObject: ["version": "v2.0", "data": [["title": "t", "paragraphs": [["context": context, "qas": [
                ["id": id, "question": "?", "answers": [["text": answer, "answer_start": start]], "is_impossible": false]]]]]]])
            return String(decoding: json, as: UTF8.self)
        }
        // "é" as e + U+0301 is two code points; a UTF-16 or Character offset would be wrong here.
        let ok = try write("ok.json", squad("cafe\u{301} 😀 Paris", "Paris", 8))
        XCTAssertEqual(try SQuADDataset.read(from: ok).examples[0].answers, [SQuADAnswer(text: "Paris", answerStart: 8)])

        let shifted = try write("a.json", squad("cafe\u{301} 😀 Paris", "Paris", 9))
        assertThrows(.answerOutOfRange(file: shifted.path, questionID: "q1", answerStart: 9, length: 5, contextLength: 13)) { try SQuADDataset.read(from: shifted) }
        let mismatch = try write("b.json", squad("cafe\u{301} 😀 Paris", "Paris", 7))
        assertThrows(.answerMismatch(file: mismatch.path, questionID: "q1", answerStart: 7, answer: "Paris", contextSlice: " Pari")) { try SQuADDataset.read(from: mismatch) }
                // Canonically equivalent but different code points: Python's comparison fails, so ours must.
        let composed2 = try write("d.json", squad("caf\u{E9}!!", "cafe\u{301}", 0))
        assertThrows(.answerMismatch(file: composed2.path, questionID: "q1", answerStart: 0, answer: "cafe\u{301}", contextSlice: "caf\u{E9}!")) {
            try SQuADDataset.read(from: composed2)
        }
        let noContext = try write("e.json", "{\"data\": [{\"paragraphs\": [{\"qas\": []}]}]}")
        assertThrows(.invalidSQuAD(file: noContext.path, path: "data[0].paragraphs[0]", reason: "missing \"context\"")) { try SQuADDataset.read(from: noContext) }
        let badStart = try write("f.json", "{\"data\": [{\"paragraphs\": [{\"context\": \"abc\", \"qas\": [{\"id\": \"x\", \"question\": \"q\", \"answers\": [{\"text\": \"a\", \"answer_start\": \"0\"}]}]}]}]}")
        assertThrows(.invalidSQuAD(file: badStart.path, path: "data[0].paragraphs[0].qas[0].answers[0].answer_start", reason: "expected a non-negative integer")) {
            try SQuADDataset.read(from: badStart)
        }
        let twice = try write("g.json", "{\"data\": [{\"paragraphs\": [{\"context\": \"abc\", \"qas\": [{\"id\": \"x\", \"question\": \"q\", \"answers\": []}, {\"id\": \"x\", \"question\": \"q\", \"answers\": []}]}]}]}")
        assertThrows(.duplicateQuestionID(file: twice.path, questionID: "x")) { try SQuADDataset.read(from: twice) }
        let empty = try write("h.json", "  \n")
        assertThrows(.emptyFile(file: empty.path)) { try SQuADDataset.read(from: empty) }
        let broken = try write("i.json", "{\"data\": [\n")
        XCTAssertThrowsError(try SQuADDataset.read(from: broken)) { error in
            guard case let DatasetError.invalidJSON(file, _, _)? = error as? DatasetError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, broken.path)
        }
    }

    // MARK: the synthetic fine-tuning datasets of scripts/make_finetune_datasets.py

    func testSyntheticFineTuningDatasetsLoad() throws {
        let ner = try TokenClassificationDataset.readCoNLL(from: fixtureURL("datasets/ner_train.conll"))
        XCTAssertEqual(ner.sentences.count, 40)
        XCTAssertEqual(ner.labels, ["B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER", "O"])
        let dev = try TokenClassificationDataset.readCoNLL(from: fixtureURL("datasets/ner_dev.conll"), labels: ner.labels)
        XCTAssertEqual(dev.sentences.count, 12)

        let qa = try SQuADDataset.read(from: fixtureURL("datasets/qa_train.json"))
        XCTAssertEqual(qa.version, "v2.0")
        XCTAssertEqual(qa.examples.count, 72)
        XCTAssertEqual(qa.examples.filter(\.isImpossible).count, 18)
        // Gold answers scored against themselves are perfect under the v2.0 logic.
        let perfect = SQuADMetrics.evaluateV2(predictions: qa.goldAnswers.mapValues { $0.first ?? "" }, goldAnswers: qa.goldAnswers)
        XCTAssertEqual(perfect.overall.exactMatch, 100)
        XCTAssertEqual(perfect.noAnswer?.total, 18)

        XCTAssertEqual(try SentenceEmbeddingDataset.read(from: fixtureURL("datasets/embedding_pairs.jsonl")).count, 36)
        guard case let .scoredPairs(scored) = try SentenceEmbeddingDataset.read(from: fixtureURL("datasets/embedding_scored.jsonl")) else {
            return XCTFail("expected scored pairs")
        }
        XCTAssertEqual(scored.count, 36)
    }

    // MARK: sentence embeddings

    func testSentenceEmbeddingLayouts() throws {
        let triplets = try write("t.csv", "anchor,positive,negative\nq,\"a, b\",n\n")
        XCTAssertEqual(try SentenceEmbeddingDataset.read(from: triplets), .pairs([SentencePairExample(anchor: "q", positive: "a, b", negative: "n", line: 2)]))
        let pairs = try write("p.jsonl", "{\"anchor\": \"q\", \"positive\": \"p\"}\n{\"anchor\": \"r\", \"positive\": \"s\", \"negative\": \"t\"}\n")
        XCTAssertEqual(try SentenceEmbeddingDataset.read(from: pairs), .pairs([SentencePairExample(anchor: "q", positive: "p", line: 1),
                                                                              SentencePairExample(anchor: "r", positive: "s", negative: "t", line: 2)]))
        let scored = try write("s.tsv", "sentence1\tsentence2\tscore\na\tb\t0.8\n")
        XCTAssertEqual(try SentenceEmbeddingDataset.read(from: scored), .scoredPairs([ScoredSentencePair(sentence1: "a", sentence2: "b", score: 0.8, line: 2)]))

        let neither = try write("n.csv", "query,doc\nq,d\n")
        assertThrows(.missingColumn(file: neither.path, column: "anchor (with positive[, negative]) or sentence1 (with sentence2, score)", available: ["query", "doc"])) {
            try SentenceEmbeddingDataset.read(from: neither)
        }
        let noPositive = try write("o.csv", "anchor,negative\nq,d\n")
        assertThrows(.missingColumn(file: noPositive.path, column: "positive", available: ["anchor", "negative"])) { try SentenceEmbeddingDataset.read(from: noPositive) }
        let badScore = try write("q.csv", "sentence1,sentence2,score\na,b,0.5\nc,d,\n")
        assertThrows(.invalidValue(file: badScore.path, line: 3, field: "score", value: "", expected: "a number")) { try SentenceEmbeddingDataset.read(from: badScore) }
    }
}

/// The Pang & Lee polarity split of `scripts/extract_polarity.sh`, when it has been made (data/ is not committed).
final class PolarityDataTests: XCTestCase {
    func testPolaritySplitReads() throws {
        let train = repositoryRoot.appendingPathComponent("data/polarity/train.csv")
        let test = repositoryRoot.appendingPathComponent("data/polarity/test.csv")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: train.path), "run scripts/extract_polarity.sh to make data/polarity/")
        let d = try TextClassificationDataset.read(from: train)
        XCTAssertEqual(d.examples.count, 3200)
        XCTAssertEqual(d.labels, ["negative", "positive"])
        let t = try TextClassificationDataset.read(from: test, labels: d.labels)
        XCTAssertEqual(t.examples.count, 800)
        XCTAssertEqual(t.examples.filter { $0.label == .category(1) }.count, 400)
    }
}
