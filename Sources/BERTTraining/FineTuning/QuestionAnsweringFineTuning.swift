import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// One window of a SQuAD example (`run_qa.py` `prepare_train_features` / `prepare_validation_features`).
package struct QuestionAnsweringFeature: Equatable, Sendable {
    /// Index of the example in its dataset.
    package var exampleIndex: Int
    package var ids: [Int]
    package var typeIds: [Int]
    /// Code-point ranges into the context for context tokens, nil for question and special tokens.
    package var contextOffsets: [Range<Int>?]
    /// Token positions of the answer in this window; both the `[CLS]` index when the answer is not inside it
    /// (or the question has none).
    package var startPosition: Int
    package var endPosition: Int
}

/// Fine-tuning and evaluating `BertForQuestionAnswering` on SQuAD v1.1/v2.0 files.
public struct QuestionAnsweringFineTuning {
    /// The task (it has no settings of its own).
    public init() {}

    /// Windows of every example: `[CLS] question [SEP] context-part [SEP]`, at most `maxLength` tokens, consecutive
    /// windows sharing `stride` context tokens (truncation only_second). Answer character spans become token
    /// positions through the offsets; an answer outside a window, or none, points at `[CLS]`.
    /// - Throws: `FineTuningError.answerNotInTokens` when an answer's span covers no context token (file named).
    package static func features(_ dataset: SQuADDataset, tokenizer: Tokenizer, maxLength: Int, stride: Int, file: String = "") throws -> [QuestionAnsweringFeature] {
        var tok = tokenizer
        try tok.setTruncation(TruncationParameters(maxLength: maxLength, stride: stride, strategy: .onlySecond))
        tok.padding = nil
        let clsId = tok.tokenToId("[CLS]")
        var out: [QuestionAnsweringFeature] = []
        for (index, example) in dataset.examples.enumerated() {
            let question = String(example.question.drop { $0.isWhitespace })
            let first = try tok.encode(question, pair: example.context)
            let answer = example.answers.first
            var located = false
            for w in [first] + first.overflowing {
                let cls = clsId.flatMap { w.ids.firstIndex(of: $0) } ?? 0
                let offsets = w.offsets.indices.map { w.sequenceIds[$0] == 1 ? w.offsets[$0] : nil }
                var start = cls, end = cls
                if let answer, let first = offsets.firstIndex(where: { $0 != nil }), let last = offsets.lastIndex(where: { $0 != nil }) {
                    let s = answer.answerStart, e = answer.answerStart + answer.text.unicodeScalars.count
                    if offsets[first]!.lowerBound <= s && offsets[last]!.upperBound >= e {
                        var a = first
                        while a <= last && offsets[a]!.lowerBound <= s { a += 1 }
                        var b = last
                        while b >= first && offsets[b]!.upperBound >= e { b -= 1 }
                        start = a - 1; end = b + 1
                        located = located || start <= end
                    }
                }
                out.append(QuestionAnsweringFeature(exampleIndex: index, ids: w.ids, typeIds: FineTunedModelFolder.modelTypeIds(w, tok), contextOffsets: offsets,
                                                    startPosition: start, endPosition: end))
            }
            if let answer, !located, !answer.text.isEmpty,
               !(try tok.encodeSequence(String(String.UnicodeScalarView(Array(example.context.unicodeScalars)[answer.scalarRange])))).ids.isEmpty {
                // The span has tokens of its own yet no window contains it whole: a mismatch the reader could not see.
                let windows = [first] + first.overflowing
                if windows.count == 1 { throw FineTuningError.answerNotInTokens(file: file, questionID: example.id, answer: answer.text) }
            }
        }
        return out
    }

    /// Padded input of a batch.
    static func input(_ batch: [QuestionAnsweringFeature], padId: Int, tokenTypes: Bool = true) throws -> EncoderInput {
        try EncoderInput(rows: batch.map(\.ids), typeRows: tokenTypes ? batch.map(\.typeIds) : nil, padId: padId)
    }

    /// A reader: encoder from `modelDirectory`, `qa_outputs` ~ N(0, initializer_range), bias 0.
    package static func makeModel(modelDirectory: URL, seed: UInt64) throws -> (BertForQuestionAnswering, BertConfig) {
        let config = try FineTunedModelFolder.taskConfig(from: modelDirectory, architecture: "BertForQuestionAnswering", labels: [])
        let model = try BertForQuestionAnswering(config: config, seed: seed)
        try FineTunedModelFolder.loadEncoder(model.bert, from: modelDirectory)
        return (model, config)
    }

    /// A fine-tuned reader folder, loaded strictly.
    package static func load(_ directory: URL) throws -> (BertForQuestionAnswering, BertConfig) {
        let config = try Pretrained.config(in: directory)
        let model = try BertForQuestionAnswering(config: config, randomInit: false)
        try FineTunedModelFolder.loadTaskModel(model, from: directory)
        return (model, config)
    }

    /// Answer text per question id (`postprocess_qa_predictions`): the best span over all windows among the
    /// `nBest` start and end logits, inside the context, at most `maxAnswerLength` tokens; with
    /// `versionTwoWithNegative`, "" when the `[CLS]` score (minimum over windows) beats it.
    package static func predict(_ model: BertForQuestionAnswering, dataset: SQuADDataset, features: [QuestionAnsweringFeature],
                               versionTwoWithNegative: Bool, nBest: Int = 20, maxAnswerLength: Int = 30, padId: Int = 0,
                               batchSize: Int = 32) throws -> (answers: [String: String], loss: Double) {
        try GradientTape.withoutRecording {
            var best: [Int: (score: Float, text: String)] = [:], null: [Int: Float] = [:]
            var lossSum = 0.0
            for start in Swift.stride(from: 0, to: features.count, by: batchSize) {
                let part = Array(features[start..<min(start + batchSize, features.count)])
                let x = try input(part, padId: padId, tokenTypes: model.bert.config.family.takesTokenTypeIds)
                let loss = try model.loss(x, startPositions: part.map(\.startPosition), endPositions: part.map(\.endPosition))
                lossSum += Double(loss.item) * Double(part.count)
                let (s, e) = try model(x)
                let sv = s.scalars, ev = e.scalars
                for (r, f) in part.enumerated() {
                    let sl = Array(sv[(r * x.length)..<(r * x.length + f.ids.count)]), el = Array(ev[(r * x.length)..<(r * x.length + f.ids.count)])
                    let context = Array(dataset.examples[f.exampleIndex].context.unicodeScalars)
                    null[f.exampleIndex] = min(null[f.exampleIndex] ?? .infinity, sl[0] + el[0])
                    let starts = sl.indices.sorted { sl[$0] > sl[$1] }.prefix(nBest), ends = el.indices.sorted { el[$0] > el[$1] }.prefix(nBest)
                    for a in starts {
                        for b in ends {
                            guard let ra = f.contextOffsets[a], let rb = f.contextOffsets[b], b >= a, b - a + 1 <= maxAnswerLength else { continue }
                            let score = sl[a] + el[b]
                            if score > (best[f.exampleIndex]?.score ?? -.infinity) {
                                var text = String.UnicodeScalarView()
                                text.append(contentsOf: context[ra.lowerBound..<rb.upperBound])
                                best[f.exampleIndex] = (score, String(text))
                            }
                        }
                    }
                }
            }
            var answers: [String: String] = [:]
            for (i, example) in dataset.examples.enumerated() {
                let candidate = best[i]
                if versionTwoWithNegative, let n = null[i], n > (candidate?.score ?? -.infinity) {
                    answers[example.id] = ""
                } else {
                    answers[example.id] = candidate?.text ?? ""
                }
            }
            return (answers, lossSum / Double(max(features.count, 1)))
        }
    }

    /// Whether the dataset is SQuAD v2.0 (a `v2` version string or any impossible question).
    package static func isVersionTwo(_ dataset: SQuADDataset) -> Bool {
        (dataset.version ?? "").hasPrefix("v2") || dataset.examples.contains { $0.isImpossible || $0.answers.isEmpty }
    }

    /// Exact match and F1 as the official SQuAD script (v2.0 when the data has unanswerable questions).
    package static func evaluate(_ model: BertForQuestionAnswering, dataset: SQuADDataset, features: [QuestionAnsweringFeature],
                                padId: Int = 0) throws -> (evaluation: FineTuningEvaluation, predictions: [String: String]) {
        let v2 = isVersionTwo(dataset)
        let (answers, loss) = try predict(model, dataset: dataset, features: features, versionTwoWithNegative: v2, padId: padId)
        var m: [String: Double]
        if v2 {
            let s = SQuADMetrics.evaluateV2(predictions: answers, goldAnswers: dataset.goldAnswers)
            m = ["exact_match": s.overall.exactMatch, "f1": s.overall.f1]
            if let h = s.hasAnswer { m["has_answer_f1"] = h.f1 }
            if let n = s.noAnswer { m["no_answer_f1"] = n.f1 }
        } else {
            let s = SQuADMetrics.evaluateV1(predictions: answers, goldAnswers: dataset.goldAnswers)
            m = ["exact_match": s.exactMatch, "f1": s.f1]
        }
        return (FineTuningEvaluation(loss: loss, metricName: "f1", metrics: m), answers)
    }

    /// Fine-tunes on a SQuAD `train` file, evaluating on `validation` each epoch.
    package static func train(modelDirectory: URL, train: URL, validation: URL?, options: TrainingArguments, output: URL,
                             control: FineTuningControl = .init()) throws -> FineTuningSummary {
        let data = try SQuADDataset.read(from: train)
        let tokenizer = try Tokenizer(directory: modelDirectory)
        let (model, config) = try makeModel(modelDirectory: modelDirectory, seed: options.seed)
        let padId = config.padTokenId
        let stride = min(options.docStride, options.maxSeqLength / 2)
        let trainFeatures = try features(data, tokenizer: tokenizer, maxLength: options.maxSeqLength, stride: stride, file: train.path)
        let evaluation = try validation.map { url -> (SQuADDataset, [QuestionAnsweringFeature]) in
            let d = try SQuADDataset.read(from: url)
            return (d, try features(d, tokenizer: tokenizer, maxLength: options.maxSeqLength, stride: stride, file: url.path))
        }
        let run = FineTuningRun(model: model, features: trainFeatures, options: options, output: output, objective: QuestionAnsweringObjective(model: model, padId: padId), evaluate: evaluation.map { d, f in { try evaluate(model, dataset: d, features: f, padId: padId).evaluation } }, saveModel: { dir in
            try FineTunedModelFolder.save(model, config: config, sourceDirectory: modelDirectory, to: dir)
        }, control: control)
        return try run.run()
    }
}
