import BERTModels
import BERTNN
import BERTTasks
import BERTTensor
import BERTTokenizers
import Foundation

/// One tokenised embedding-training example: anchor/positive(/negative) ids, or two sentences and a score.
package struct SentenceEmbeddingFeature: Equatable, Sendable {
    /// Token ids of the texts: [anchor, positive(, negative)] or [sentence1, sentence2].
    package var texts: [[Int]]
    /// The similarity target of a scored pair (nil for anchor/positive data).
    package var score: Float?
}

/// Sentence-Transformers losses on embeddings.
public enum SentenceEmbeddingLoss {
    /// `MultipleNegativesRankingLoss`: cross-entropy over scale · cos(anchor_i, candidate_j), the candidates being
    /// the positives then the hard negatives of the batch; anchor i's target is candidate i.
    /// anchors [batch, dim], candidates [batch × k, dim] → scalar.
    package static func multipleNegativesRanking(anchors: Tensor, candidates: Tensor, scale: Float = 20) throws -> Tensor {
        let scores = try anchors.l2Normalized().matmul(candidates.l2Normalized().transposed(0, 1)).scaled(by: scale)
        return try scores.crossEntropy(labels: Array(0..<anchors.shape[0]))
    }

    /// `CosineSimilarityLoss`: mean squared error between cos(u_i, v_i) and the target scores.
    /// u, v [batch, dim], scores [batch] → scalar.
    package static func cosineSimilarity(_ u: Tensor, _ v: Tensor, scores: [Float]) throws -> Tensor {
        let cos = try u.l2Normalized().multiplying(v.l2Normalized()).sum(dim: -1)
        return try cos.mseLoss(Tensor(shape: [scores.count], scalars: scores))
    }
}

/// Fine-tuning a Sentence-Transformers model (Transformer → Pooling → Normalize) as `SentenceTransformer.fit`
/// trains it: `MultipleNegativesRankingLoss` for anchor/positive(/negative) data, `CosineSimilarityLoss` for
/// scored pairs. Only the encoder is trained (Dense modules, if any, stay fixed).
public struct SentenceEmbeddingFineTuning {
    /// The task (it has no settings of its own).
    public init() {}

    /// Tokenised examples, truncated to `maxLength` (or the model's own limit when smaller).
    package static func features(_ dataset: SentenceEmbeddingDataset, model: SentenceTransformer, maxLength: Int) throws -> [SentenceEmbeddingFeature] {
        var tok = model.tokenizer
        try tok.setTruncation(TruncationParameters(maxLength: min(maxLength, model.maxSequenceLength)))
        let encode = { (s: String) in try tok.encode(model.lowercasesInput ? s.lowercased() : s).ids }
        switch dataset {
        case let .pairs(p):
            return try p.map { SentenceEmbeddingFeature(texts: try [encode($0.anchor), encode($0.positive)] + ($0.negative.map { [try encode($0)] } ?? []), score: nil) }
        case let .scoredPairs(p):
            return try p.map { SentenceEmbeddingFeature(texts: [try encode($0.sentence1), try encode($0.sentence2)], score: Float($0.score)) }
        }
    }

    /// Embeddings (un-normalised, differentiable) of column `column` of a batch: [batch, dim].
    static func embed(_ model: SentenceTransformer, _ batch: [SentenceEmbeddingFeature], column: Int, padId: Int,
                      context: ForwardContext) throws -> Tensor {
        try model.embed(EncoderInput(rows: batch.map { $0.texts[column] }, padId: padId), normalize: false, context: context)
    }

    /// The batch loss: MNRL when the batch has no scores (hard negatives used when every example has one),
    /// else CosineSimilarityLoss.
    package static func loss(_ model: SentenceTransformer, batch: [SentenceEmbeddingFeature], padId: Int = 0,
                            context: ForwardContext = .inference) throws -> Tensor {
        let a = try embed(model, batch, column: 0, padId: padId, context: context)
        let b = try embed(model, batch, column: 1, padId: padId, context: context)
        if batch.allSatisfy({ $0.score != nil }) {
            return try SentenceEmbeddingLoss.cosineSimilarity(a, b, scores: batch.map { $0.score! })
        }
        var candidates = b
        if batch.allSatisfy({ $0.texts.count > 2 }) {
            candidates = try Tensor.concat([b, embed(model, batch, column: 2, padId: padId, context: context)], dim: 0)
        }
        return try SentenceEmbeddingLoss.multipleNegativesRanking(anchors: a, candidates: candidates)
    }

    /// Scored pairs: Spearman (and Pearson) of cosine similarity against the scores, as
    /// `EmbeddingSimilarityEvaluator`. Anchor/positive data: the fraction of anchors whose nearest positive (cosine,
    /// over the whole set) is their own, and the mean MNRL loss over batches of 32.
    package static func evaluate(_ model: SentenceTransformer, features: [SentenceEmbeddingFeature], padId: Int = 0) throws -> FineTuningEvaluation {
        try GradientTape.withoutRecording {
            var u: [[Float]] = [], v: [[Float]] = []
            var lossSum = 0.0
            for start in stride(from: 0, to: features.count, by: 32) {
                let part = Array(features[start..<min(start + 32, features.count)])
                let a = try embed(model, part, column: 0, padId: padId, context: .inference).l2Normalized()
                let b = try embed(model, part, column: 1, padId: padId, context: .inference).l2Normalized()
                let d = a.shape[1], av = a.scalars, bv = b.scalars
                for r in 0..<part.count { u.append(Array(av[(r * d)..<((r + 1) * d)])); v.append(Array(bv[(r * d)..<((r + 1) * d)])) }
                lossSum += Double(try loss(model, batch: part, padId: padId).item) * Double(part.count)
            }
            let loss = lossSum / Double(max(features.count, 1))
            if features.allSatisfy({ $0.score != nil }) {
                let cos = zip(u, v).map { Double(cosineSimilarity($0, $1)) }
                let gold = features.map { Double($0.score!) }
                return FineTuningEvaluation(loss: loss, metricName: "spearman", metrics: [
                    "spearman": RegressionMetrics.spearmanCorrelation(cos, gold), "pearson": RegressionMetrics.pearsonCorrelation(cos, gold)])
            }
            let hits = u.indices.filter { i in
                let s = v.map { cosineSimilarity(u[i], $0) }
                return s.indices.max { s[$0] < s[$1] } == i
            }.count
            return FineTuningEvaluation(loss: loss, metricName: "accuracy", metrics: ["accuracy": Double(hits) / Double(max(u.count, 1))])
        }
    }

    /// Fine-tunes a Sentence-Transformers folder on `train`; `best/` and `last/` are Sentence-Transformers folders.
    package static func train(modelDirectory: URL, train: URL, validation: URL?, options: TrainingArguments, output: URL,
                             control: FineTuningControl = .init()) throws -> FineTuningSummary {
        let model = try SentenceTransformer(directory: modelDirectory)
        if model.bert.isQuantized { throw ModelError.quantizedModel(operation: "fine-tuning") }
        let padId = model.bert.config.padTokenId
        let trainFeatures = try features(SentenceEmbeddingDataset.read(from: train), model: model, maxLength: options.maxSeqLength)
        let evalFeatures = try validation.map { try features(SentenceEmbeddingDataset.read(from: $0), model: model, maxLength: options.maxSeqLength) }
        var config = model.bert.config
        config.architectures = [config.family.classPrefix + "Model"]
        let run = FineTuningRun(model: model.bert, features: trainFeatures, options: options, output: output, objective: SentenceEmbeddingObjective(model: model, padId: padId), evaluate: evalFeatures.map { f in { try evaluate(model, features: f, padId: padId) } }, saveModel: { dir in
            try FineTunedModelFolder.save(model.bert, config: config, sourceDirectory: modelDirectory, to: dir,
                                          extraFiles: FineTunedModelFolder.sentenceTransformerFiles)
        }, control: control)
        return try run.run()
    }
}
