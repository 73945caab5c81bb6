import Foundation

/// One tagged sentence of a token-classification dataset.
@_spi(Fuzzing) public struct TaggedSentence: Equatable, Sendable {
    /// The words (first column).
    @_spi(Fuzzing) public var tokens: [String]
    /// The tags (last column), one per token.
    @_spi(Fuzzing) public var tags: [String]
    /// The tags as ids into the dataset's `labels`.
    @_spi(Fuzzing) public var tagIDs: [Int]
    /// The 1-based line of the sentence's first token.
    package var line: Int

    /// Creates a sentence.
    package init(tokens: [String], tags: [String], tagIDs: [Int], line: Int) {
        self.tokens = tokens
        self.tags = tags
        self.tagIDs = tagIDs
        self.line = line
    }
}

/// A token-classification (NER, POS, chunking) dataset read from CoNLL-style text.
///
/// Format: one token per line as whitespace-separated columns (spaces or tabs), the token first and the tag
/// last (middle columns, such as CoNLL-2003's POS and chunk tags, are ignored); a blank line ends a sentence;
/// `-DOCSTART-` lines are skipped and end a sentence.
public struct TokenClassificationDataset: Sendable {
    /// The sentences in file order.
    @_spi(Fuzzing) public var sentences: [TaggedSentence]
    /// Tag names by id (`id2label`).
    public var labels: [String]

    /// Tag name → id (`label2id`).
    public var labelIDs: [String: Int] { Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) }) }

    /// Reads a CoNLL file.
    ///
    /// Without `labels`, the tag set is the file's distinct tags sorted by Unicode code point (as the Hugging Face
    /// `run_ner` example's `sorted(set(...))`). Pass the training set's `labels` for evaluation data: a tag outside
    /// them is then an error.
    /// - Throws: `DatasetError.tooFewColumns`, `.unknownTag` (with file and line), `.emptyFile`, `.notUTF8`.
    public static func readCoNLL(from url: URL, labels: [String]? = nil) throws -> TokenClassificationDataset {
        let file = url.path
        let bytes = try readUTF8Bytes(url)
        var raw: [(tokens: [String], tags: [String], tagLines: [Int], line: Int)] = []
        var tokens: [String] = [], tags: [String] = [], tagLines: [Int] = [], first = 0
        func endSentence() {
            if !tokens.isEmpty { raw.append((tokens, tags, tagLines, first)) }
            tokens = []; tags = []; tagLines = []
        }
        for textLine in try splitLines(bytes, file: file) {
            let line = textLine.number
            let columns = textLine.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if columns.isEmpty { endSentence(); continue }
            if columns[0] == "-DOCSTART-" { endSentence(); continue }
            guard columns.count >= 2 else { throw DatasetError.tooFewColumns(file: file, line: line, text: String(columns[0])) }
            if tokens.isEmpty { first = line }
            tokens.append(String(columns[0]))
            tags.append(String(columns[columns.count - 1]))
            tagLines.append(line)
        }
        endSentence()
        guard !raw.isEmpty else { throw DatasetError.emptyFile(file: file) }

        let names = labels ?? Set(raw.flatMap(\.tags)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        var ids: [String: Int] = [:]
        for (i, name) in names.enumerated() where ids[name] == nil { ids[name] = i }
        let sentences = try raw.map { s in
            TaggedSentence(tokens: s.tokens, tags: s.tags, tagIDs: try zip(s.tags, s.tagLines).map { tag, line in
                guard let id = ids[tag] else { throw DatasetError.unknownTag(file: file, line: line, tag: tag, known: names) }
                return id
            }, line: s.line)
        }
        return TokenClassificationDataset(sentences: sentences, labels: names)
    }

    /// Reads a CoNLL file whose tags are fixed by a `label2id` map (ids 0..<n, as a model config's).
    /// - Throws: `DatasetError.invalidLabelIDs` for other ids, then as `readCoNLL(from:labels:)`.
    public static func readCoNLL(from url: URL, labelIDs: [String: Int]) throws -> TokenClassificationDataset {
        try readCoNLL(from: url, labels: labelsInIDOrder(labelIDs))
    }
}
