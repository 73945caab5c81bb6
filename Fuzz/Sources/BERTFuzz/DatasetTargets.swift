// Dataset readers (Sources/BERTTraining/Data and the pre-training instance file), each given the input as a file.
import BERT
@_spi(Fuzzing) import BERTTraining
import Foundation

/// `tabular`: the input as CSV, TSV and JSON Lines, read as text classification (single-label, multi-label,
/// regression; classes from the data, from a fixed list, and from a label2id map) and as sentence-embedding pairs.
func fuzzTabular(_ input: UnsafeRawBufferPointer) {
    let url = writeScratch(input, "data.txt")
    for format in [TabularFormat.csv, .tsv, .jsonLines] {
        for task in [TextClassificationTask.singleLabel, .multiLabel, .regression] {
            if let d = try? TextClassificationDataset.read(from: url, format: format, task: task) {
                checkLabels(d)
                _ = d.labelIDs
            }
        }
        if let d = try? TextClassificationDataset.read(from: url, format: format, labels: ["neg", "pos", "0", "1"]) { checkLabels(d) }
        if let d = try? TextClassificationDataset.read(from: url, format: format, task: .multiLabel,
                                                       labelIDs: ["a": 0, "b": 1, "c": 2]) { checkLabels(d) }
        _ = try? TextClassificationDataset.read(from: url, format: format,
                                                columns: TextClassificationColumns(text: "sentence1", textPair: "sentence2", label: "score"))
        if let d = try? SentenceEmbeddingDataset.read(from: url, format: format) { _ = d.count }
    }
}

/// Every label id indexes `labels`; multi-label ids are sorted and distinct.
private func checkLabels(_ d: TextClassificationDataset) {
    for e in d.examples {
        switch e.label {
        case let .category(id): check(d.labels.indices.contains(id), "label id \(id) outside \(d.labels.count) labels")
        case let .categories(ids):
            check(ids.allSatisfy(d.labels.indices.contains) && ids == Array(Set(ids)).sorted(), "bad label ids \(ids)")
        case .score: check(d.task == .regression, "a score outside a regression task")
        }
    }
}

/// `conll`: the input as a CoNLL file, tags from the data, from a fixed list and from a label2id map.
func fuzzCoNLL(_ input: UnsafeRawBufferPointer) {
    let url = writeScratch(input, "data.conll")
    if let d = try? TokenClassificationDataset.readCoNLL(from: url) {
        for s in d.sentences {
            check(s.tokens.count == s.tags.count && s.tags.count == s.tagIDs.count, "tokens, tags and ids differ in count")
            check(s.tagIDs.allSatisfy(d.labels.indices.contains), "tag id outside the labels")
        }
        _ = d.labelIDs
    }
    _ = try? TokenClassificationDataset.readCoNLL(from: url, labels: ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
    _ = try? TokenClassificationDataset.readCoNLL(from: url, labelIDs: ["O": 0, "B-MISC": 1, "I-MISC": 2])
}

/// `squad`: the input as a SQuAD JSON file.
func fuzzSQuAD(_ input: UnsafeRawBufferPointer) {
    let url = writeScratch(input, "data.json")
    guard let d = try? SQuADDataset.read(from: url) else { return }
    _ = d.goldAnswers
    for e in d.examples {
        let context = Array(e.context.unicodeScalars)
        for a in e.answers {
            let length = a.text.unicodeScalars.count
            check(a.answerStart >= 0 && a.answerStart + length <= context.count, "answer outside its context")
        }
    }
}

/// `pretraining`: the input as a pre-training instance file (see docs/pretraining-data.md), read whole, by
/// index and by a shuffled stream.
func fuzzPretrainingFile(_ input: UnsafeRawBufferPointer) {
    let url = writeScratch(input, "train.bin")
    guard let reader = try? PretrainingInstanceFileReader(url: url) else { return }
    _ = try? reader.readAll()
    _ = try? reader.instance(at: reader.count)
    _ = try? reader.instance(at: -1)
    var stream = reader.makeStream(order: .shuffled(seed: 7), startingAt: 1)
    while let instance = try? stream.next() {
        check(instance.inputIDs.count == reader.maxSeqLength, "instance length differs from max_seq_length")
    }
}
