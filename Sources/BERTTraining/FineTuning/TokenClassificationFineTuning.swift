import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// One tokenised sentence: labels on the first sub-token of each word, -100 elsewhere (special tokens, later
/// sub-tokens), as `run_ner.py` `tokenize_and_align_labels` with `label_all_tokens=False`.
package struct TokenClassificationFeature: Equatable, Sendable {
    package var ids: [Int]
    package var typeIds: [Int]
    /// Per token: the tag id, or -100.
    package var labels: [Int]
    /// Per token: the word it came from (nil for special tokens).
    package var wordIds: [Int?]
}

/// Fine-tuning and evaluating `BertForTokenClassification` (NER, POS) on CoNLL data.
public struct TokenClassificationFineTuning {
    /// The task (it has no settings of its own).
    public init() {}

    /// Encodes pre-split words (`is_split_into_words=True`): each word is normalised and split on its own, its
    /// pieces keep the word's index, then truncation to `maxLength` and `[CLS] ... [SEP]`.
    package static func encodeWords(_ words: [String], tokenizer: Tokenizer) throws -> Encoding {
        var ids: [Int] = [], types: [Int] = [], tokens: [String] = [], wordIds: [Int?] = [], offsets: [Range<Int>] = []
        for (i, word) in words.enumerated() {
            let e = try tokenizer.encodeSequence(word)
            ids += e.ids; types += e.typeIds; tokens += e.tokens; offsets += e.offsets
            wordIds += [Int?](repeating: i, count: e.count)
        }
        let n = ids.count
        let joined = Encoding(ids: ids, typeIds: types, tokens: tokens, wordIds: wordIds, offsets: offsets,
                              specialTokensMask: [Int](repeating: 0, count: n), attentionMask: [Int](repeating: 1, count: n))
        return try tokenizer.postProcess(joined, nil)
    }

    /// Features of every sentence, truncated to `maxLength` tokens.
    package static func features(_ dataset: TokenClassificationDataset, tokenizer: Tokenizer, maxLength: Int) throws -> [TokenClassificationFeature] {
        var tok = tokenizer
        try tok.setTruncation(TruncationParameters(maxLength: maxLength))
        tok.padding = nil
        return try dataset.sentences.map { s in
            let enc = try encodeWords(s.tokens, tokenizer: tok)
            return TokenClassificationFeature(ids: enc.ids, typeIds: FineTunedModelFolder.modelTypeIds(enc, tok), labels: alignLabels(wordIds: enc.wordIds, tagIDs: s.tagIDs), wordIds: enc.wordIds)
        }
    }

    /// The first token of each word gets the word's tag id; every other token -100.
    package static func alignLabels(wordIds: [Int?], tagIDs: [Int]) -> [Int] {
        var previous: Int?
        return wordIds.map { w in
            defer { previous = w }
            guard let w, w != previous else { return -100 }
            return tagIDs[w]
        }
    }

    /// Padded input and flattened labels (-100 on padding) of a batch.
    static func batch(_ features: [TokenClassificationFeature], padId: Int, tokenTypes: Bool = true) throws -> (EncoderInput, [Int]) {
        let x = try EncoderInput(rows: features.map(\.ids), typeRows: tokenTypes ? features.map(\.typeIds) : nil, padId: padId)
        let labels = features.flatMap { $0.labels + [Int](repeating: -100, count: x.length - $0.labels.count) }
        return (x, labels)
    }

    /// A tagger over `labels`: encoder from `modelDirectory`, head ~ N(0, initializer_range), bias 0.
    package static func makeModel(modelDirectory: URL, labels: [String], seed: UInt64) throws -> (BertForTokenClassification, BertConfig) {
        let config = try FineTunedModelFolder.taskConfig(from: modelDirectory, architecture: "BertForTokenClassification", labels: labels)
        let model = try BertForTokenClassification(config: config, seed: seed)
        try FineTunedModelFolder.loadEncoder(model.bert, from: modelDirectory)
        return (model, config)
    }

    /// A fine-tuned tagger folder, loaded strictly.
    package static func load(_ directory: URL) throws -> (BertForTokenClassification, BertConfig) {
        let config = try Pretrained.config(in: directory)
        let model = try BertForTokenClassification(config: config, randomInit: false)
        try FineTunedModelFolder.loadTaskModel(model, from: directory)
        return (model, config)
    }

    /// Predicted tag ids per feature at its labelled positions, and the mean loss.
    package static func predict(_ model: BertForTokenClassification, features: [TokenClassificationFeature], batchSize: Int = 32,
                               padId: Int = 0) throws -> (predictions: [[Int]], loss: Double) {
        try GradientTape.withoutRecording {
            var out: [[Int]] = [], lossSum = 0.0, counted = 0
            for start in stride(from: 0, to: features.count, by: batchSize) {
                let part = Array(features[start..<min(start + batchSize, features.count)])
                let (x, labels) = try batch(part, padId: padId, tokenTypes: model.bert.config.family.takesTokenTypeIds)
                let (loss, logits) = try model.loss(x, labels: labels)
                let n = labels.filter { $0 != -100 }.count
                if n > 0 { lossSum += Double(loss.item) * Double(n); counted += n }
                let v = logits.scalars, k = logits.shape[2]
                for (r, f) in part.enumerated() {
                    out.append(f.labels.indices.compactMap { t -> Int? in
                        guard f.labels[t] != -100 else { return nil }
                        let row = v[((r * x.length + t) * k)..<((r * x.length + t + 1) * k)]
                        return row.indices.max { row[$0] < row[$1] }! - (r * x.length + t) * k
                    })
                }
            }
            return (out, lossSum / Double(max(counted, 1)))
        }
    }

    /// seqeval-style entity precision, recall and F1 (micro) plus token accuracy, over the labelled positions.
    package static func evaluate(_ model: BertForTokenClassification, features: [TokenClassificationFeature], labels: [String],
                                padId: Int = 0) throws -> (evaluation: FineTuningEvaluation, report: EntityReport) {
        let (predictions, loss) = try predict(model, features: features, padId: padId)
        let pred = predictions.map { $0.map { labels[$0] } }
        let refs = features.map { $0.labels.filter { $0 != -100 }.map { labels[$0] } }
        let r = SequenceLabelingMetrics.report(predictions: pred, references: refs)
        return (FineTuningEvaluation(loss: loss, metricName: "f1", metrics: ["precision": r.micro.precision, "recall": r.micro.recall,
                                                                             "f1": r.micro.f1, "accuracy": r.accuracy]), r)
    }

    /// Fine-tunes on a CoNLL `train` file (tags from the data), evaluating on `validation` each epoch.
    package static func train(modelDirectory: URL, train: URL, validation: URL?, options: TrainingArguments, output: URL,
                             control: FineTuningControl = .init()) throws -> FineTuningSummary {
        let data = try TokenClassificationDataset.readCoNLL(from: train)
        guard data.labels.count >= 2 else { throw FineTuningError.tooFewClasses(file: train.path, found: data.labels, needed: 2) }
        let tokenizer = try Tokenizer(directory: modelDirectory)
        let (model, config) = try makeModel(modelDirectory: modelDirectory, labels: data.labels, seed: options.seed)
        let padId = config.padTokenId
        let trainFeatures = try features(data, tokenizer: tokenizer, maxLength: options.maxSeqLength)
        let evalFeatures = try validation.map {
            try features(TokenClassificationDataset.readCoNLL(from: $0, labels: data.labels), tokenizer: tokenizer, maxLength: options.maxSeqLength)
        }
        let run = FineTuningRun(model: model, features: trainFeatures, options: options, output: output, objective: TokenClassificationObjective(model: model, padId: padId), evaluate: evalFeatures.map { f in { try evaluate(model, features: f, labels: data.labels, padId: padId).evaluation } }, saveModel: { dir in
            try FineTunedModelFolder.save(model, config: config, sourceDirectory: modelDirectory, to: dir)
        }, control: control)
        return try run.run()
    }
}
