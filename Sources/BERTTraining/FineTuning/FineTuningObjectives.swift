import BERTModels
import BERTNN
import BERTTasks
import BERTTensor

/// Sequence classification's objective: cross-entropy (single label), BCE (multi-label) or MSE (regression) of
/// `BertForSequenceClassification`, a mean over the batch's rows.
package struct TextClassificationObjective: TrainingObjective {
    package let model: BertForSequenceClassification
    package let padId: Int

    package func step(_ batch: [TextClassificationFeature], context: ForwardContext) throws -> StepOutput {
        let x = try TextClassificationFineTuning.input(batch, padId: padId, tokenTypes: model.bert.config.family.takesTokenTypeIds)
        let (loss, _) = try model.loss(x, labels: TextClassificationFineTuning.labels(batch, numLabels: model.numLabels), context: context)
        var step = StepOutput(loss: loss, tokens: x.attentionMask.reduce(0, +))
        step.lossTerms = [(loss, Double(batch.count))]  // a mean over the batch's rows (and labels, equal per row)
        return step
    }
}

/// Token classification's objective: cross-entropy over the labelled (first sub-word) tokens.
package struct TokenClassificationObjective: TrainingObjective {
    package let model: BertForTokenClassification
    package let padId: Int

    package func step(_ part: [TokenClassificationFeature], context: ForwardContext) throws -> StepOutput {
        let (x, labels) = try TokenClassificationFineTuning.batch(part, padId: padId, tokenTypes: model.bert.config.family.takesTokenTypeIds)
        let (loss, _) = try model.loss(x, labels: labels, context: context)
        var step = StepOutput(loss: loss, tokens: x.attentionMask.reduce(0, +))
        step.lossTerms = [(loss, Double(labels.filter { $0 != -100 }.count))]  // a mean over the labelled tokens
        return step
    }
}

/// Extractive question answering's objective: the mean of the start and end cross-entropies.
package struct QuestionAnsweringObjective: TrainingObjective {
    package let model: BertForQuestionAnswering
    package let padId: Int

    package func step(_ part: [QuestionAnsweringFeature], context: ForwardContext) throws -> StepOutput {
        let x = try QuestionAnsweringFineTuning.input(part, padId: padId, tokenTypes: model.bert.config.family.takesTokenTypeIds)
        let loss = try model.loss(x, startPositions: part.map(\.startPosition), endPositions: part.map(\.endPosition), context: context)
        var step = StepOutput(loss: loss, tokens: x.attentionMask.reduce(0, +))
        step.lossTerms = [(loss, Double(part.count))]  // the start and end cross-entropies are means over the rows
        return step
    }
}

/// Sentence embedding's objective: MultipleNegativesRankingLoss or CosineSimilarityLoss, as the data's columns say.
package struct SentenceEmbeddingObjective: TrainingObjective {
    package let model: SentenceTransformer
    package let padId: Int

    package func step(_ part: [SentenceEmbeddingFeature], context: ForwardContext) throws -> StepOutput {
        StepOutput(loss: try SentenceEmbeddingFineTuning.loss(model, batch: part, padId: padId, context: context),
                   tokens: part.reduce(0) { $0 + $1.texts.reduce(0) { $0 + $1.count } })
    }
}
