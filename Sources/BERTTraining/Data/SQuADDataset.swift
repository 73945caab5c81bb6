import BERTJSON
import Foundation

/// One gold answer of a SQuAD question.
@_spi(Fuzzing) public struct SQuADAnswer: Equatable, Sendable {
    /// The answer text.
    @_spi(Fuzzing) public var text: String
    /// The answer's offset in the context in Unicode code points (Python string indices, as the SQuAD files
    /// count), not UTF-8 bytes, UTF-16 units or Swift `Character`s.
    @_spi(Fuzzing) public var answerStart: Int

    /// Creates an answer.
    package init(text: String, answerStart: Int) {
        self.text = text
        self.answerStart = answerStart
    }

    /// The answer's code-point range in its context.
    package var scalarRange: Range<Int> { answerStart..<(answerStart + text.unicodeScalars.count) }
}

/// One SQuAD question with its context.
@_spi(Fuzzing) public struct SQuADExample: Equatable, Sendable {
    /// The question id (`qas[].id`).
    package var id: String
    /// The article title, when the file gives one.
    package var title: String?
    /// The question text.
    package var question: String
    /// The paragraph the answer comes from.
    @_spi(Fuzzing) public var context: String
    /// The gold answers; empty for an unanswerable (v2.0 `is_impossible`) question.
    @_spi(Fuzzing) public var answers: [SQuADAnswer]
    /// v2.0's `is_impossible` (false when absent, as in v1.1).
    package var isImpossible: Bool
}

/// A SQuAD v1.1 or v2.0 JSON file: `data[].paragraphs[].context` and `qas[].{id, question, answers[].{text,
/// answer_start}, is_impossible}`. `plausible_answers` is ignored.
public struct SQuADDataset: Sendable {
    /// The questions in file order.
    @_spi(Fuzzing) public var examples: [SQuADExample]
    /// The top-level `version` string, when present.
    public var version: String?

    /// Question id → gold answer texts: the `goldAnswers` argument of `SQuADMetrics.evaluateV1/V2`.
    public var goldAnswers: [String: [String]] {
        Dictionary(examples.map { ($0.id, $0.answers.map(\.text)) }, uniquingKeysWith: { a, _ in a })
    }

    /// Reads and validates a SQuAD file.
    ///
    /// Every answer must satisfy `context[answer_start ..< answer_start + len(text)] == text` in Unicode code
    /// points, compared scalar by scalar (no canonical equivalence), exactly as Python would slice it.
    /// - Throws: `DatasetError.invalidSQuAD` (with the JSON path), `.answerMismatch` and `.answerOutOfRange`
    ///   (with the question id and both strings), `.duplicateQuestionID`, `.emptyFile`.
    public static func read(from url: URL) throws -> SQuADDataset {
        let file = url.path
        let bytes = try readUTF8Bytes(url)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw DatasetError.emptyFile(file: file) }
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw DatasetError.invalidJSON(file: file, line: error.location?.line ?? 0,
                                           reason: "\(error.message) at column \(error.location?.column ?? 0)")
        }
        func fail(_ path: String, _ reason: String) -> DatasetError { .invalidSQuAD(file: file, path: path, reason: reason) }
        func field(_ object: JSONObject, _ key: String, _ path: String) throws -> JSONValue {
            guard let value = object[key] else { throw fail(path, "missing \"\(key)\"") }
            return value
        }
        func string(_ object: JSONObject, _ key: String, _ path: String) throws -> String {
            guard case let .string(s) = try field(object, key, path) else { throw fail("\(path).\(key)", "expected a string") }
            return s
        }
        func array(_ object: JSONObject, _ key: String, _ path: String) throws -> [JSONValue] {
            guard case let .array(a) = try field(object, key, path) else { throw fail("\(path).\(key)", "expected a list") }
            return a
        }
        func object(_ value: JSONValue, _ path: String) throws -> JSONObject {
            guard case let .object(o) = value else { throw fail(path, "expected an object") }
            return o
        }

        let top = try object(root, "$")
        var version: String?
        if case let .string(v)? = top["version"] { version = v }
        var examples: [SQuADExample] = []
        var seen = Set<String>()
        for (a, articleValue) in try array(top, "data", "$").enumerated() {
            let articlePath = "data[\(a)]"
            let article = try object(articleValue, articlePath)
            var title: String?
            if case let .string(t)? = article["title"] { title = t }
            for (p, paragraphValue) in try array(article, "paragraphs", articlePath).enumerated() {
                let paragraphPath = "\(articlePath).paragraphs[\(p)]"
                let paragraph = try object(paragraphValue, paragraphPath)
                let context = try string(paragraph, "context", paragraphPath)
                let contextScalars = Array(context.unicodeScalars)
                for (q, qaValue) in try array(paragraph, "qas", paragraphPath).enumerated() {
                    let qaPath = "\(paragraphPath).qas[\(q)]"
                    let qa = try object(qaValue, qaPath)
                    let id: String
                    switch try field(qa, "id", qaPath) {
                    case let .string(s): id = s
                    case let other: guard let s = other.text else { throw fail("\(qaPath).id", "expected a string") }; id = s
                    }
                    guard seen.insert(id).inserted else { throw DatasetError.duplicateQuestionID(file: file, questionID: id) }
                    let question = try string(qa, "question", qaPath)
                    var isImpossible = false
                    if let flag = qa["is_impossible"] {
                        guard case let .bool(b) = flag else { throw fail("\(qaPath).is_impossible", "expected true or false") }
                        isImpossible = b
                    }
                    var answers: [SQuADAnswer] = []
                    for (k, answerValue) in (qa["answers"] == nil && isImpossible ? [] : try array(qa, "answers", qaPath)).enumerated() {
                        let answerPath = "\(qaPath).answers[\(k)]"
                        let answer = try object(answerValue, answerPath)
                        let text = try string(answer, "text", answerPath)
                        guard let start = try field(answer, "answer_start", answerPath).intValue, start >= 0, start < 1_000_000_000_000 else {
                            throw fail("\(answerPath).answer_start", "expected a non-negative integer")
                        }
                        let textScalars = Array(text.unicodeScalars)
                        guard start + textScalars.count <= contextScalars.count else {
                            throw DatasetError.answerOutOfRange(file: file, questionID: id, answerStart: start, length: textScalars.count, contextLength: contextScalars.count)
                        }
                        let slice = contextScalars[start..<(start + textScalars.count)]
                        guard slice.elementsEqual(textScalars) else {
                            var found = String.UnicodeScalarView()
                            found.append(contentsOf: slice)
                            throw DatasetError.answerMismatch(file: file, questionID: id, answerStart: start, answer: text, contextSlice: String(found))
                        }
                        answers.append(SQuADAnswer(text: text, answerStart: start))
                    }
                    examples.append(SQuADExample(id: id, title: title, question: question, context: context, answers: answers, isImpossible: isImpossible))
                }
            }
        }
        guard !examples.isEmpty else { throw DatasetError.emptyFile(file: file) }
        return SQuADDataset(examples: examples, version: version)
    }
}
