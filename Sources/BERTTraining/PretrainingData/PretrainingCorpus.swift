// Reading raw text into documents of tokenized sentences, the input of `create_pretraining_data.py`.
import BERTJSON
import Foundation

/// How a corpus file is laid out.
package enum PretrainingTextFormat: String, Sendable, Codable {
    /// Google's format: one sentence per line, blank lines between documents.
    case sentencePerLine
    /// Ordinary prose: paragraphs separated by blank lines; each paragraph is a document and is split into
    /// sentences by `SentenceSplitter`.
    case plainText
}

/// Documents as token ids: `documents[d][s]` is sentence `s` of document `d`. Empty sentences and empty
/// documents are dropped, as Google's script does.
package struct PretrainingCorpus: Sendable, Equatable {
    /// Document → sentence → token ids.
    package var documents: [[[Int]]]

    /// Wraps already tokenized documents (empty sentences and documents are removed).
    package init(documents: [[[Int]]]) {
        self.documents = documents.map { $0.filter { !$0.isEmpty } }.filter { !$0.isEmpty }
    }

    /// Total number of tokens over all sentences.
    package var tokenCount: Int { documents.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    /// Reads, splits and tokenizes `files` in order; a document never spans two files. `progress` is told the
    /// files done.
    /// Throws `unreadableFile`, `invalidUTF8` (with the byte offset) or `emptyCorpus`.
    package init(files: [URL], format: PretrainingTextFormat, tokenizer: some PretrainingTokenizer,
                vocabulary: PretrainingVocabulary, splitter: SentenceSplitter = SentenceSplitter(),
                progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        var documents: [[[Int]]] = []
        for (done, file) in files.enumerated() {
            defer { progress?(done + 1, files.count) }
            let text = try Self.readUTF8(file)
            for document in Self.sentences(in: text, format: format, splitter: splitter) {
                documents.append(document.map { vocabulary.ids(for: $0, tokenizer: tokenizer) })
            }
        }
        self.init(documents: documents)
        if self.documents.isEmpty { throw PretrainingDataError.emptyCorpus(paths: files.map(\.path)) }
    }

    /// Splits `text` into documents of sentence strings (whitespace-trimmed, empty ones dropped).
    package static func sentences(in text: String, format: PretrainingTextFormat,
                                 splitter: SentenceSplitter = SentenceSplitter()) -> [[String]] {
        var documents: [[String]] = [[]]
        var paragraph: [String] = []
        func endParagraph() {
            if !paragraph.isEmpty { documents.append(splitter.split(paragraph.joined(separator: " "))) }
            paragraph = []
        }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            switch format {
            case .sentencePerLine:
                if line.isEmpty { documents.append([]) } else { documents[documents.count - 1].append(line) }
            case .plainText:
                if line.isEmpty { endParagraph() } else { paragraph.append(line) }
            }
        }
        endParagraph()
        return documents.filter { !$0.isEmpty }
    }

    /// The file's contents as a String; throws `invalidUTF8` with the offset of the first bad byte.
    package static func readUTF8(_ url: URL) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PretrainingDataError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        let bytes = [UInt8](data)
        if let offset = firstInvalidUTF8Offset(bytes) {
            throw PretrainingDataError.invalidUTF8(path: url.path, byteOffset: offset)
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }

    /// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629: no
    /// overlongs, no surrogates, nothing past U+10FFFF), or nil when all of `bytes` is valid.
    package static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        UTF8Validation.firstInvalidOffset(in: bytes)
    }
}
