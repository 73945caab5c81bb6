import BERTKernels
import BERTNN
import BERTTensor

/// What `BertModel` returns, as `BaseModelOutputWithPoolingAndCrossAttentions`. ALBERT's hidden states are the
/// projected embeddings and every layer application's output (`transformers` 5 records each `AlbertLayer`).
public struct BertModelOutput {
    /// [batch, sequence, hidden].
    public let lastHiddenState: Tensor
    /// [batch, hidden], or nil without a pooler.
    public let poolerOutput: Tensor?
    /// The embeddings output and each layer's output, when requested (layer applications + 1 tensors).
    public let hiddenStates: [Tensor]?
    /// Each layer's attention probabilities [batch, heads, sequence, sequence], when requested.
    public let attentions: [Tensor]?
}

/// `BertModel` and its family (`RobertaModel`, `XLMRobertaModel`, `DistilBertModel`, `AlbertModel`, picked by
/// `config.modelType`): embeddings, the shared `EncoderLayer` under the member's keys, optional pooler.
///
/// ALBERT keeps `num_hidden_groups × inner_group_num` layers and applies group `int(i / (layers / groups))` at depth
/// i (`AlbertTransformer`): the same parameter tensors run several times, so their gradients are the sums of every
/// use's, with no per-use copies. Its `embedding_size`-wide embeddings go through `embedding_hidden_mapping_in`.
public final class BertModel: Module {
    public let config: BertConfig
    package let embeddings: BertEmbeddings
    /// The distinct layers (ALBERT: group-major, `inner_group_num` per group).
    package let layers: [EncoderLayer]
    package let pooler: BertPooler?
    /// ALBERT's `encoder.embedding_hidden_mapping_in` [embedding_size → hidden_size]; nil for the others.
    let embeddingProjection: Linear?
    /// Index into `layers` of each layer application, in order (ALBERT repeats them).
    package let schedule: [Int]

    /// A randomly initialised model (as `transformers` initialises BERT) from `config`.
    /// `randomInit: false` skips the random draw (zeros) for a model about to be loaded from a checkpoint.
    /// Sizes beyond `BertConfig.Limits` throw `BERTHubError.valueTooLarge` or `.modelTooLarge` before anything
    /// is allocated.
    public init(config: BertConfig, addPoolingLayer: Bool = true, seed: UInt64 = 0, randomInit: Bool = true) throws {
        try config.validateLimits(file: "model config")
        guard config.hiddenSize % config.numAttentionHeads == 0 else {
            throw ModelError.unsupportedConfig(key: "hidden_size", value: "\(config.hiddenSize)",
                                               supported: ["a multiple of num_attention_heads (\(config.numAttentionHeads))"])
        }
        let family = config.family
        let (groups, inner) = family.layerGroups(config)
        guard groups > 0, inner > 0 else {
            throw ModelError.unsupportedConfig(key: "num_hidden_groups", value: "\(config.numHiddenGroups)", supported: ["a positive number"])
        }
        let activation = try Activation(configValue: config.hiddenAct)
        var g = SeededGenerator(seed: seed)
        self.config = config
        var initConfig = config
        if !randomInit { initConfig.initializerRange = 0 }
        embeddings = try BertEmbeddings(config: initConfig, generator: &g)
        let std = Float(initConfig.initializerRange)
        let width = config.embeddingSize ?? config.hiddenSize
        embeddingProjection = family.projectsEmbeddings ? Linear(width, config.hiddenSize, std: std, generator: &g) : nil
        layers = (0..<(groups * inner)).map { _ in
            EncoderLayer(hidden: config.hiddenSize, heads: config.numAttentionHeads, intermediate: config.intermediateSize,
                         activation: activation, eps: Float(config.layerNormEps), hiddenDropout: Float(config.hiddenDropoutProb),
                         attentionDropout: Float(config.attentionProbsDropoutProb), initStd: std, keys: family.layerKeys, generator: &g)
        }
        schedule = Self.schedule(layers: config.numHiddenLayers, groups: groups, inner: inner)
        pooler = addPoolingLayer && family.hasPooler ? BertPooler(hidden: config.hiddenSize, std: std, generator: &g) : nil
    }

    /// Index into the stored layers of each layer application: at depth i, every layer of group
    /// `int(i / (layers / groups))`, computed in Double as `AlbertTransformer` does, so groups that do not divide
    /// the depth (3 layers in 2 groups: 0, 0, 1) or outnumber it (2 layers in 4 groups: 0, 2) run as in
    /// `transformers`. One group per layer (every other member) is the identity.
    package static func schedule(layers: Int, groups: Int, inner: Int) -> [Int] {
        let step = Double(layers) / Double(groups)
        return (0..<layers).flatMap { i in
            let group = min(Int(Double(i) / step), groups - 1)
            return (0..<inner).map { group * inner + $0 }
        }
    }

    package var children: [(key: String, module: Module)] {
        let family = config.family
        var c: [(key: String, module: Module)] = [("embeddings", embeddings)]
        if let p = embeddingProjection { c.append(("encoder.embedding_hidden_mapping_in", p)) }
        for (i, l) in layers.enumerated() { c.append((family.layerKey(i, inner: family.layerGroups(config).inner), l)) }
        if let p = pooler { c.append(family.poolerIsBareLinear ? ("pooler", p.dense) : ("pooler", p)) }
        return c
    }

    /// Runs the encoder. Output shapes in `BertModelOutput`.
    ///
    /// `skippingPadding`: for callers that read only real tokens (the pipelines): in inference without hidden
    /// states or attentions, padding is dropped before the encoder (`lastHiddenStateSkippingPadding`), so the last
    /// hidden state is zero at padded positions and equal at every other; the pooler output is unchanged.
    public func callAsFunction(_ input: EncoderInput, outputHiddenStates: Bool = false, outputAttentions: Bool = false,
                               context: ForwardContext = .inference, skippingPadding: Bool = false) throws -> BertModelOutput {
        if skippingPadding, !context.training, !outputHiddenStates, !outputAttentions {
            let x = try lastHiddenStateSkippingPadding(input)
            return BertModelOutput(lastHiddenState: x, poolerOutput: try pooler?(x), hiddenStates: nil, attentions: nil)
        }
        let mask = input.attentionMask.contains(0) ? try input.additiveMask() : nil
        var x = try embeddings(input, context: context)
        if let p = embeddingProjection { x = try p(x) }
        var states: [Tensor]? = outputHiddenStates ? [x] : nil
        var attentions: [Tensor]? = outputAttentions ? [] : nil
        for index in schedule {
            let (y, probs) = try layers[index](x, mask: mask, context: context, keepAttention: outputAttentions)
            x = y
            states?.append(x)
            if let probs { attentions?.append(probs) }
        }
        return BertModelOutput(lastHiddenState: x, poolerOutput: try pooler?(x), hiddenStates: states, attentions: attentions)
    }

    /// The last hidden state [batch, length, hidden] computed on the real tokens only (inference, no tape):
    /// padding is dropped before the encoder, every sequence attends within itself, and the result is scattered
    /// back with zeros at padded positions. Equal to `callAsFunction`'s `lastHiddenState` at every position whose
    /// mask is 1, and cheaper by the share of padding in the batch. Rows whose mask is not a prefix of ones
    /// (left padding) or is all zeros, and any call under a recording tape, take the padded path, so every output
    /// matches `transformers`.
    public func lastHiddenStateSkippingPadding(_ input: EncoderInput) throws -> Tensor {
        if GradientTape.isRecording { return try self(input).lastHiddenState }
        let (b, s) = (input.batch, input.length)
        var tokens: [Int] = [], sequences: [Range<Int>] = []
        tokens.reserveCapacity(b * s)
        for row in 0..<b {
            let mask = input.attentionMask[(row * s)..<((row + 1) * s)]
            let real = mask.firstIndex(of: 0).map { $0 - row * s } ?? s
            guard real > 0, !mask.dropFirst(real).contains(1) else {
                return try self(input).lastHiddenState
            }
            sequences.append(tokens.count..<(tokens.count + real))
            tokens.append(contentsOf: (row * s)..<(row * s + real))
        }
        var x = try embeddings.packed(input, tokens: tokens)
        if let p = embeddingProjection { x = try p(x) }
        // Each int8 layer quantises its output rows for the next one's q/k/v product in its last layer norm.
        var carried: QuantizedActivations?
        for (position, index) in schedule.enumerated() {
            let next = position + 1 < schedule.count ? layers[schedule[position + 1]] : nil
            (x, carried) = try layers[index].packed(x, sequences: sequences, quantizedInput: carried, quantizingOutputFor: next)
        }
        let h = config.hiddenSize
        let out = Tensor.zeros([b, s, h])
        let (src, dst) = (x.contiguous().pointer, out.pointer)
        for (i, t) in tokens.enumerated() { (dst + t * h).update(from: src + i * h, count: h) }
        return out
    }

    /// Packs every encoder layer's weights for inference (one extra copy of the encoder's linear weights, e.g.
    /// 42 MB for all-MiniLM-L6-v2): products then skip the per-call packing a BLAS does, which matters most for
    /// short inputs. A training forward pass or a checkpoint load drops the copies; call again afterwards.
    ///
    /// With `precision` int8, the encoder's linear layers (less those it keeps fp32) run dynamic int8 products
    /// instead, weights quantised per output channel (or taken as a quantised checkpoint stored them); fp32
    /// layers are packed only when `packsFP32`.
    /// - Throws: `ModelError.invalidInput` for a precision `validate` rejects.
    /// - Throws: also `ModelError.invalidInput` when a layer loaded int8-, bf16- or fp16-only
    ///   (`CheckpointLoadingOptions.lowPrecisionInference`) would have to run in another precision.
    public func prepareForInference(_ precision: InferencePrecision, packsFP32: Bool = true) throws {
        try precision.validate()
        for (index, layer) in layers.enumerated() {
            for role in InferencePrecision.roles where layer.lacksFP32(role) {
                let loaded = layer.linears(of: role).first { $0.storedHalf != nil }?.storedHalf?.dtypeName ?? "int8"
                guard precision.dtype.rawValue != loaded || !precision.lowers(role, layer: index) else { continue }
                let wanted = precision.lowers(role, layer: index) ? precision.dtype.rawValue : "fp32"
                throw ModelError.invalidInput("layer \(index)'s \(role) weights were loaded for \(loaded) inference only (no fp32 copy), so they cannot run \(wanted); load the model again without --dtype \(loaded)")
            }
        }
        for (index, layer) in layers.enumerated() { layer.prepareForInference(precision, index: index, packsFP32: packsFP32) }
    }

    /// Packs every encoder layer's weights for fp32 inference (see `prepareForInference(_:packsFP32:)`); layers
    /// loaded int8-only keep their int8 weights.
    public func prepareForInference() { for (index, layer) in layers.enumerated() { layer.prepareForInference(.fp32, index: index) } }

    /// Whether any encoder layer runs int8 products at inference, or was loaded from a quantised checkpoint: such
    /// a model cannot be trained (`ModelError.quantizedModel`).
    public var isQuantized: Bool {
        layers.contains(where: \.holdsInt8)
    }
}
