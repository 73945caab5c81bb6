/// One entity found in a tag sequence: its type and the first and last token positions (both inclusive,
/// as seqeval's `(type, start, end)` tuples).
package struct EntitySpan: Hashable, Sendable, CustomStringConvertible {
    /// The entity type: the tag after its first `-` (`PER` for `B-PER`), or `_` when there is none.
    package var type: String
    /// Position of the first token.
    package var start: Int
    /// Position of the last token (inclusive).
    package var end: Int

    /// Creates a span.
    package init(type: String, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }

    /// seqeval's tuple notation, `(PER, 0, 1)`.
    package var description: String { "(\(type), \(start), \(end))" }
}

/// Entity-level scores of one tagging run, the numbers of seqeval's `classification_report` plus `accuracy_score`.
package struct EntityReport: Equatable, Sendable {
    /// One row per entity type found in the references or predictions, sorted by type name.
    package var perType: [(type: String, scores: PrecisionRecallF1)]
    /// Entity counts pooled over types.
    package var micro: PrecisionRecallF1
    /// The unweighted mean over types (NaN when no entity appears anywhere, as seqeval's `np.average([])`).
    package var macro: PrecisionRecallF1
    /// The mean over types weighted by reference support (all 0 when the references hold no entity).
    package var weighted: PrecisionRecallF1
    /// Token-level accuracy over all tags (seqeval's `accuracy_score`).
    package var accuracy: Double

    /// Field-by-field equality (the per-type rows are tuples, so it is written out).
    package static func == (a: EntityReport, b: EntityReport) -> Bool {
        a.perType.map(\.type) == b.perType.map(\.type) && a.perType.map(\.scores) == b.perType.map(\.scores)
            && a.micro == b.micro && a.macro == b.macro && a.weighted == b.weighted && a.accuracy == b.accuracy
    }
}

/// Entity-level sequence-labelling metrics, exactly as seqeval 1.2 in its default (conlleval-compatible,
/// not strict) mode with prefix tags.
///
/// Tags are read as seqeval does: the first character is the chunk tag (`B`, `I`, `E`, `S`, `O`, ...), and
/// the type is what follows the first `-` after it. This makes the reader lenient across IOB1, IOB2, IOE and
/// BIOES: an `I-` after `O` starts an entity, a type change ends one, and any tag not understood as a
/// boundary continues the current chunk. Characters are Unicode scalars, as Python string indices.
package enum SequenceLabelingMetrics {
    /// The entities of one tag sequence (seqeval's `get_entities` on a flat list).
    package static func entities(in tags: [String]) -> [EntitySpan] {
        var chunks: [EntitySpan] = []
        var previousTag = "O", previousType = "", begin = 0
        for i in 0...tags.count {
            let (tag, type) = i < tags.count ? split(tags[i]) : ("O", "_")
            if endsChunk(previousTag: previousTag, tag: tag, previousType: previousType, type: type) {
                chunks.append(EntitySpan(type: previousType, start: begin, end: i - 1))
            }
            if startsChunk(previousTag: previousTag, tag: tag, previousType: previousType, type: type) { begin = i }
            previousTag = tag
            previousType = type
        }
        return chunks
    }

    /// The entities of several sentences, positions counted in the concatenation where each sentence is
    /// followed by one `O` (seqeval's `get_entities` on a nested list), so no entity crosses sentences.
    package static func entities(inSentences sentences: [[String]]) -> [EntitySpan] {
        entities(in: sentences.flatMap { $0 + ["O"] })
    }

    /// Per-type and averaged precision, recall and F1 plus token accuracy (seqeval's `classification_report`
    /// and `accuracy_score`, `zero_division=0`).
    package static func report(predictions: [[String]], references: [[String]]) -> EntityReport {
        precondition(predictions.count == references.count, "SequenceLabelingMetrics: \(predictions.count) predicted sentences for \(references.count) references")
        var correct = 0, total = 0
        for (s, (p, r)) in zip(predictions, references).enumerated() {
            precondition(p.count == r.count, "SequenceLabelingMetrics: sentence \(s) has \(p.count) predicted tags for \(r.count) reference tags")
            for (a, b) in zip(p, r) where a == b { correct += 1 }
            total += r.count
        }
        var actual: [String: Set<EntitySpan>] = [:], predicted: [String: Set<EntitySpan>] = [:]
        for e in entities(inSentences: references) { actual[e.type, default: []].insert(e) }
        for e in entities(inSentences: predictions) { predicted[e.type, default: []].insert(e) }
        let types = Set(actual.keys).union(predicted.keys).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        let counts = types.map { type -> ClassificationMetrics.Counts in
            let a = actual[type] ?? [], p = predicted[type] ?? []
            return ClassificationMetrics.Counts(truePositives: a.intersection(p).count, predicted: p.count, actual: a.count)
        }
        let perType = zip(types, counts).map { ($0, ClassificationMetrics.scores($1)) }
        var macro = ClassificationMetrics.combine(counts, average: .macro)
        if counts.isEmpty { macro = PrecisionRecallF1(precision: .nan, recall: .nan, f1: .nan, support: 0) }
        return EntityReport(perType: perType,
                            micro: ClassificationMetrics.combine(counts, average: .micro),
                            macro: macro,
                            weighted: ClassificationMetrics.combine(counts, average: .weighted),
                            accuracy: total == 0 ? .nan : Double(correct) / Double(total))
    }

    /// seqeval's prefix split: `tag = chunk[0]`, `type = chunk[1:].split('-', 1)[-1] or '_'`. An empty tag
    /// (which makes seqeval raise `IndexError`) is read as `O`.
    static func split(_ chunk: String) -> (tag: String, type: String) {
        let scalars = chunk.unicodeScalars
        guard let first = scalars.first else { return ("O", "_") }
        let rest = scalars.dropFirst()
        let typeScalars = rest.firstIndex(of: "-").map { rest[rest.index(after: $0)...] } ?? rest
        let type = String(String.UnicodeScalarView(typeScalars))
        return (String(first), type.isEmpty ? "_" : type)
    }

    static func endsChunk(previousTag: String, tag: String, previousType: String, type: String) -> Bool {
        switch (previousTag, tag) {
        case ("E", _), ("S", _), ("B", "B"), ("B", "S"), ("B", "O"), ("I", "B"), ("I", "S"), ("I", "O"): return true
        default: return previousTag != "O" && previousTag != "." && previousType != type
        }
    }

    static func startsChunk(previousTag: String, tag: String, previousType: String, type: String) -> Bool {
        switch (previousTag, tag) {
        case (_, "B"), (_, "S"), ("E", "E"), ("E", "I"), ("S", "E"), ("S", "I"), ("O", "E"), ("O", "I"): return true
        default: return tag != "O" && tag != "." && previousType != type
        }
    }
}
