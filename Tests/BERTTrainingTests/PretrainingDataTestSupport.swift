// Test helpers for the pre-training data tests: a small greedy WordPiece over bert-base-uncased's vocab.txt
// (standing in for BERTTokenizers, which the pipeline receives as an injected PretrainingTokenizer) and the
// real-text corpus from scripts/fetch-pretraining-text.sh.
import BERTTraining
import Foundation
import XCTest
@_spi(Fuzzing) import BERTTraining

/// Lowercase, split on whitespace and punctuation, then greedy longest-match-first WordPiece (BERT's
/// algorithm without accent stripping or CJK handling, enough for English test text).
struct TestWordPieceTokenizer: PretrainingTokenizer {
    let vocabulary: [String]
    private let ids: [String: Int]

    init(vocabulary: [String]) {
        self.vocabulary = vocabulary
        var ids: [String: Int] = [:]
        for (i, token) in vocabulary.enumerated() where ids[token] == nil { ids[token] = i }
        self.ids = ids
    }

    func id(of token: String) -> Int? { ids[token] }

    func tokenize(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isWhitespace {
                if !current.isEmpty { words.append(current); current = "" }
            } else if character.isPunctuation || character.isSymbol {
                if !current.isEmpty { words.append(current); current = "" }
                words.append(String(character))
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.flatMap(wordPieces)
    }

    private func wordPieces(_ word: String) -> [String] {
        let chars = Array(word)
        if chars.count > 100 { return ["[UNK]"] }
        var pieces: [String] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var found: String?
            while end > start {
                let piece = (start > 0 ? "##" : "") + String(chars[start..<end])
                if ids[piece] != nil { found = piece; break }
                end -= 1
            }
            guard let piece = found else { return ["[UNK]"] }
            pieces.append(piece)
            start = end
        }
        return pieces
    }
}

/// Shared fixtures, loaded once per test process.
enum PretrainingFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let vocabURL = root.appendingPathComponent("models/all-MiniLM-L6-v2/vocab.txt")
    static let corpusFolder = root.appendingPathComponent("models/pretraining-text/files")

    static func tokenizer() throws -> TestWordPieceTokenizer {
        guard let text = try? String(contentsOf: vocabURL, encoding: .utf8) else {
            throw FixtureMissing(path: vocabURL.path, script: "scripts/fetch-models.sh")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return TestWordPieceTokenizer(vocabulary: lines)
    }

    struct FixtureMissing: Error, CustomStringConvertible {
        let path: String
        let script: String
        var description: String { "\(path) is missing: run \(script) in the repository root first" }
    }

    private static let loaded: Result<(TestWordPieceTokenizer, PretrainingVocabulary), Error> = Result {
        guard FileManager.default.fileExists(atPath: vocabURL.path) else {
            throw FixtureMissing(path: vocabURL.path, script: "scripts/fetch-models.sh")
        }
        let tokenizer = try PretrainingFixtures.tokenizer()
        return (tokenizer, try PretrainingVocabulary(tokenizer: tokenizer))
    }

    /// The test tokenizer and its resolved vocabulary; throws a clear error when vocab.txt is missing.
    static func vocabulary() throws -> (TestWordPieceTokenizer, PretrainingVocabulary) { try loaded.get() }

    /// The Python docs corpus rewritten in Google's layout (one sentence per line, blank line between
    /// documents), where a document is one section of a page (see `proseSections`), its paragraphs split into
    /// sentences by SentenceSplitter.
    private static let sentencePerLine: Result<URL, Error> = Result {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: corpusFolder.path), !names.isEmpty else {
            throw FixtureMissing(path: corpusFolder.path, script: "scripts/fetch-pretraining-text.sh")
        }
        var out = ""
        for name in names.sorted() where name.hasSuffix(".txt") {
            let text = try PretrainingCorpus.readUTF8(corpusFolder.appendingPathComponent(name))
            for section in proseSections(text) {
                let sentences = PretrainingCorpus.sentences(in: section, format: .plainText).flatMap { $0 }
                if sentences.isEmpty { continue }
                out += sentences.joined(separator: "\n") + "\n\n"
            }
        }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-bert-ptdata-\(ProcessInfo.processInfo.processIdentifier)-corpus.txt")
        try out.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The prose of a reStructuredText page, cut into sections at its headings (a line underlined with
    /// `=`, `-`, `*`, `~`, `^` or `#`). Indented blocks (code, quoted output), directives (`..`), interpreter
    /// lines and table rules are dropped, so "sentences" are sentences, as Google's format asks, rather than
    /// code listings hundreds of tokens long.
    static func proseSections(_ text: String, splitSections: Bool = false) -> [String] {
        let lines = text.components(separatedBy: "\n")
        var sections: [[String]] = [[]]
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let next = i + 1 < lines.count ? lines[i + 1] : ""
            let rule = { (l: String) in l.count >= 3 && Set(l).count == 1 && "=-*~^#+".contains(l.first!) }
            if rule(line) { i += 1; continue }
            if !line.isEmpty, rule(next) { if splitSections { sections.append([]) }; i += 2; continue }
            let prose = line.isEmpty || !(line.first!.isWhitespace || line.hasPrefix("..") || line.hasPrefix(">>>")
                                          || line.hasPrefix("|") || line.hasPrefix("+-"))
            if prose { sections[sections.count - 1].append(line) }
            i += 1
        }
        return sections.map { $0.joined(separator: "\n") }
    }

    /// The sentence-per-line corpus file (see `sentencePerLine`).
    static func sentencePerLineCorpusURL() throws -> URL { try sentencePerLine.get() }

    private static let corpus: Result<PretrainingCorpus, Error> = Result {
        let (tokenizer, vocabulary) = try PretrainingFixtures.vocabulary()
        return try PretrainingCorpus(files: [sentencePerLineCorpusURL()], format: .sentencePerLine,
                                     tokenizer: tokenizer, vocabulary: vocabulary)
    }

    /// The tokenized real-text corpus.
    static func realCorpus() throws -> PretrainingCorpus { try corpus.get() }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swift-bert-ptdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
