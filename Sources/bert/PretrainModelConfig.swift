import ArgumentParser
import BERT
import Foundation

/// The model a new `bert pretrain` run builds: a family member (`--model-type`) sized by the command's options, and
/// the pre-training class its objective needs.
struct PretrainModelChoice {
    let config: BertConfig
    /// MLM only (`*ForMaskedLM`), or MLM + a sentence-level head (`BertForPreTraining` NSP, `AlbertForPreTraining` SOP).
    let maskedLMOnly: Bool

    /// - Throws: `ValidationError` (exit 2) for an unknown member or an objective the member has no head for.
    init(modelType: String, objective: String, dataObjective: PretrainingObjective?, initFrom: BertConfig?,
         sizes: (hidden: Int, layers: Int, heads: Int, intermediate: Int, embedding: Int),
         vocabSize: Int, maxSeqLength: Int, padID: Int?) throws {
        guard let type = initFrom?.modelType ?? BertConfig.ModelType(rawValue: modelType) else {
            throw ValidationError("--model-type \(modelType) is unknown; use "
                + BertConfig.ModelType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard ["nsp", "sop", "mlm"].contains(objective) else {
            throw ValidationError("--objective \(objective) is unknown; use nsp, sop or mlm")
        }
        // RoBERTa and DistilBERT were trained with MLM alone and have no sentence head; ALBERT's head is SOP.
        let sentenceTask = FamilyMember(type).sentenceTask
        maskedLMOnly = objective == "mlm"
        if !maskedLMOnly, objective != sentenceTask {
            throw ValidationError("\(type.rawValue) has no \(objective) head; use --objective "
                + (sentenceTask.map { "\($0) or mlm" } ?? "mlm"))
        }
        if !maskedLMOnly, let dataObjective, dataObjective.rawValue != objective {
            throw ValidationError("the instance file holds \(dataObjective.rawValue) labels but --objective is \(objective); "
                + "make the data with `bert pretraining-data --objective \(objective)`")
        }
        if let initFrom { config = initFrom; return }
        var c = BertConfig(modelType: type)
        c.vocabSize = vocabSize
        c.hiddenSize = sizes.hidden; c.numHiddenLayers = sizes.layers; c.numAttentionHeads = sizes.heads
        c.intermediateSize = sizes.intermediate
        if let padID { c.padTokenId = padID }
        c.maxPositionEmbeddings = max(512, maxSeqLength)
        switch type {
        case .roberta, .xlmRoberta:
            // Positions start after the padding id (514 for RoBERTa-base's 512 tokens).
            c.maxPositionEmbeddings += c.padTokenId + 1
            c.typeVocabSize = 1
            (c.bosTokenId, c.eosTokenId) = (nil, nil)
        case .albert:
            (c.embeddingSize, c.numHiddenGroups, c.innerGroupNum) = (sizes.embedding, 1, 1)
            (c.bosTokenId, c.eosTokenId) = (nil, nil)
        case .bert, .distilbert:
            break
        }
        config = c
    }

    /// `config.json`'s `architectures` entry.
    var architecture: String { config.family.classPrefix + (maskedLMOnly ? "ForMaskedLM" : "ForPreTraining") }
}
