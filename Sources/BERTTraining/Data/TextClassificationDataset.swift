import BERTJSON
import Foundation

/// What a text-classification label holds.
public enum TextClassificationTask: Equatable, Sendable {
    /// One class per example (`label` is a class name or id).
    case singleLabel
    /// Any number of classes per example: a JSON list, or names separated by `;` in CSV/TSV.
    case multiLabel
    /// A real-valued score per example (STS-B style).
    case regression
}

/// The target of one text-classification example.
@_spi(Fuzzing) public enum TextClassificationLabel: Equatable, Sendable {
    /// A class id (an index into the dataset's `labels`).
    case category(Int)
    /// Class ids, sorted and without repeats.
    case categories([Int])
    /// A regression target.
    case score(Double)
}

/// One text (or text pair) with its label and the 1-based line it came from.
@_spi(Fuzzing) public struct TextClassificationExample: Equatable, Sendable {
    /// The first text.
    package var text: String
    /// The second text of a pair task (NLI, paraphrase), or nil.
    package var textPair: String?
    /// The target.
    @_spi(Fuzzing) public var label: TextClassificationLabel
    /// The line where the example's record starts.
    package var line: Int

    /// Creates an example.
    package init(text: String, textPair: String? = nil, label: TextClassificationLabel, line: Int) {
        self.text = text
        self.textPair = textPair
        self.label = label
        self.line = line
    }
}

/// Which columns (CSV/TSV header names or JSON keys) hold the text, the optional pair text and the label.
public struct TextClassificationColumns: Equatable, Sendable {
    /// The first text; default `text`.
    public var text: String
    /// The pair text; nil picks `text_pair`, then `pair`, when the file has one of them.
    public var textPair: String?
    /// The label; default `label`.
    public var label: String

    /// Names the columns.
    public init(text: String = "text", textPair: String? = nil, label: String = "label") {
        self.text = text
        self.textPair = textPair
        self.label = label
    }
}

/// A text-classification dataset read from CSV, TSV or JSON Lines.
public struct TextClassificationDataset: Sendable {
    /// The examples in file order.
    @_spi(Fuzzing) public var examples: [TextClassificationExample]
    /// Class names by id (`id2label`); empty for regression.
    public var labels: [String]
    /// The kind of label.
    public var task: TextClassificationTask

    /// Class name → id (`label2id`).
    public var labelIDs: [String: Int] { Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) }) }

    /// Reads a dataset.
    ///
    /// Without `labels`, the class names are the distinct labels of the file, sorted numerically when all are
    /// integers and otherwise by Unicode code point (Python's `sorted`). Pass the training set's `labels`
    /// (a model's `id2label`) when reading evaluation data: a label outside them is then an error.
    /// - Parameters:
    ///   - url: a `.csv`, `.tsv` or `.jsonl` file (see `TabularFormat`).
    ///   - format: overrides the format the extension implies.
    ///   - task: single-label, multi-label or regression.
    ///   - columns: the column names.
    ///   - labels: a fixed class list (id order), or nil to take the classes from the data.
    /// - Throws: `DatasetError` naming the file and line of the first bad record.
    public static func read(from url: URL, format: TabularFormat? = nil, task: TextClassificationTask = .singleLabel,
                            columns: TextClassificationColumns = .init(), labels: [String]? = nil) throws -> TextClassificationDataset {
        let table = try TabularFile(contentsOf: url, format: format)
        try table.require(columns.text)
        try table.require(columns.label)
        let pairColumn: String?
        if let name = columns.textPair {
            try table.require(name)
            pairColumn = name
        } else {
            pairColumn = ["text_pair", "pair"].first(where: table.columns.contains)
        }

        // Pass 1: texts and raw label names (or scores).
        var raw: [(text: String, pair: String?, names: [String], score: Double, line: Int)] = []
        for record in table.records {
            let text = try table.text(columns.text, in: record)
            let pair = try pairColumn.map { try table.text($0, in: record) }
            switch task {
            case .regression:
                raw.append((text, pair, [], try table.number(columns.label, in: record), record.line))
            case .singleLabel:
                let value = try table.value(columns.label, in: record)
                guard let name = value.text else {
                    throw DatasetError.invalidValue(file: table.file, line: record.line, field: columns.label, value: value.preview, expected: "one label")
                }
                raw.append((text, pair, [name], 0, record.line))
            case .multiLabel:
                raw.append((text, pair, try labelNames(table.value(columns.label, in: record), table: table, record: record, column: columns.label), 0, record.line))
            }
        }

        guard task != .regression else {
            return TextClassificationDataset(examples: raw.map { TextClassificationExample(text: $0.text, textPair: $0.pair, label: .score($0.score), line: $0.line) },
                                             labels: [], task: task)
        }
        let classNames = labels ?? sortedLabelNames(Set(raw.flatMap(\.names)))
        var ids: [String: Int] = [:]
        for (i, name) in classNames.enumerated() where ids[name] == nil { ids[name] = i }
        let examples = try raw.map { r -> TextClassificationExample in
            let labelIDs = try r.names.map { name -> Int in
                guard let id = ids[name] else { throw DatasetError.unknownLabel(file: table.file, line: r.line, label: name, known: classNames) }
                return id
            }
            let label: TextClassificationLabel = task == .singleLabel ? .category(labelIDs[0]) : .categories(Array(Set(labelIDs)).sorted())
            return TextClassificationExample(text: r.text, textPair: r.pair, label: label, line: r.line)
        }
        return TextClassificationDataset(examples: examples, labels: classNames, task: task)
    }

    /// Reads a dataset whose classes are fixed by a `label2id` map (ids 0..<n, as a model config's).
    /// - Throws: `DatasetError.invalidLabelIDs` for other ids, then as `read(from:format:task:columns:labels:)`.
    public static func read(from url: URL, format: TabularFormat? = nil, task: TextClassificationTask = .singleLabel,
                            columns: TextClassificationColumns = .init(), labelIDs: [String: Int]) throws -> TextClassificationDataset {
        try read(from: url, format: format, task: task, columns: columns, labels: labelsInIDOrder(labelIDs))
    }

    /// Multi-label names: a JSON list of names, or one string of `;`-separated names (blanks dropped).
    private static func labelNames(_ value: JSONValue, table: TabularFile, record: TabularRecord, column: String) throws -> [String] {
        switch value {
        case let .array(items):
            return try items.map { item in
                guard let name = item.text else {
                    throw DatasetError.invalidValue(file: table.file, line: record.line, field: column, value: value.preview, expected: "a list of labels")
                }
                return name
            }
        case let .string(s):
            return s.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .integer, .number:
            return [value.text!]
        default:
            throw DatasetError.invalidValue(file: table.file, line: record.line, field: column, value: value.preview, expected: "a list of labels or \"a;b\"")
        }
    }
}

/// The names of a label2id map in id order, failing unless the ids are 0..<n.
func labelsInIDOrder(_ labelIDs: [String: Int]) throws -> [String] {
    let ordered = labelIDs.sorted { $0.value < $1.value }
    guard ordered.map(\.value) == Array(0..<ordered.count) else { throw DatasetError.invalidLabelIDs(ids: ordered.map(\.value)) }
    return ordered.map(\.key)
}

/// Label names sorted numerically when every one is an integer, else by Unicode code point.
func sortedLabelNames(_ names: Set<String>) -> [String] {
    if names.allSatisfy({ Int($0) != nil }) {
        return names.sorted { a, b in
            let x = Int(a)!, y = Int(b)!
            return x != y ? x < y : a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        }
    }
    return names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
}
