// Placeholder until BERTHub's BertConfig lands; same field names.
public struct BertConfig: Sendable {
    public var vocabSize = 30522, hiddenSize = 768, numHiddenLayers = 12, numAttentionHeads = 12
    public var intermediateSize = 3072, hiddenAct = "gelu", maxPositionEmbeddings = 512, typeVocabSize = 2
    public var layerNormEps: Double = 1e-12, padTokenId = 0, hiddenDropoutProb: Double = 0.1
    public var attentionProbsDropoutProb: Double = 0.1, initializerRange: Double = 0.02
    public init() {}
}
