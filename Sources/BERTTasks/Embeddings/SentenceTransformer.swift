import BERTKernels
import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// A Sentence-Transformers model (`modules.json`: Transformer → Pooling → optional Dense → optional Normalize),
/// or a plain BERT folder with mean pooling. `encode` turns texts into vectors exactly as
/// `SentenceTransformer.encode` does.
///
/// It also loads sentence-transformers' SPLADE `SparseEncoder` folders (`MLMTransformer` → `SpladePooling`): their
/// vectors are vocabulary-wide, mostly zero, and `encodeSparse` gives their non-zero entries as
/// `SparseEncoder.encode` computes them.
///
///     let model = try SentenceTransformer(directory: url)
///     let vectors = try model.encode(["A man is eating food.", "Someone eats."])
/// `Sendable`: one instance may serve many tasks or threads at once (calls only read the model: see `BertModel`).
public final class SentenceTransformer: Sendable {
    /// The encoder.
    public let bert: BertModel
    /// Its tokenizer, truncating to `maxSequenceLength`.
    public var tokenizer: Tokenizer { truncation.current.tokenizer }
    /// The tokenizer and its truncation length, which `setMaxSequenceLength` changes together: behind a lock, so a
    /// call on another thread sees the old pair or the new one.
    private let truncation: Locked<(tokenizer: Tokenizer, maxSequenceLength: Int)>
    /// The pooling modes.
    public let pooling: Pooling
    /// Dense layers after pooling, in order.
    package let dense: [(layer: Linear, activation: DenseActivation)]
    /// Whether the pipeline ends in `Normalize`.
    public let normalizes: Bool
    /// Longest input in tokens (sentence_bert_config.json `max_seq_length`, capped by the model's positions);
    /// longer texts are truncated, as sentence-transformers does. Change it with `setMaxSequenceLength`.
    public var maxSequenceLength: Int { truncation.current.maxSequenceLength }
    /// Lowercase texts before tokenising (sentence_bert_config.json `do_lower_case`).
    public let lowercasesInput: Bool
    /// Named prompts (config_sentence_transformers.json), prepended to texts by `encode(promptName:)`.
    public let prompts: [String: String]
    /// The prompt `encode` uses when given none (`default_prompt_name`).
    public let defaultPromptName: String?
    /// Whether prompt tokens take part in pooling (the Pooling module's `include_prompt`).
    public let includesPromptInPooling: Bool
    /// How `similarity` scores embeddings: config_sentence_transformers.json's `similarity_fn_name`, else cosine
    /// (dot for SPLADE models), as sentence-transformers' `model.similarity`.
    public let similarityFunction: SimilarityFunction
    /// The SpladePooling settings of a SPLADE SparseEncoder; nil for dense models.
    public let splade: SpladePoolingConfig?
    /// A SPLADE model's masked-LM head (its encoder is `bert`).
    let maskedLM: BertForMaskedLM?
    /// Width of the output vectors (the vocabulary for SPLADE models).
    public var dimension: Int {
        if splade != nil { return bert.config.vocabSize }
        return dense.last?.layer.weight.shape[0] ?? bert.config.hiddenSize * pooling.modes.count
    }

    /// Loads a model folder, or a model id found in the Hugging Face cache.
    public convenience init(model: String) throws {
        try self.init(directory: try ModelLocator().resolve(model))
    }

    /// Loads a Sentence-Transformers folder (or a plain BERT folder, pooled by mean).
    public init(directory: URL) throws {
        var transformerDir = directory
        var modes: [PoolingMode] = [.mean]
        var denseLayers: [(Linear, DenseActivation)] = []
        var normalize = false
        var maxLength: Int?
        var lower = false
        var prompts: [String: String] = [:], defaultPrompt: String?, includePrompt = true
        var spladeConfig: SpladePoolingConfig?, similarityName: String?
        if SentenceTransformerLayout.isSentenceTransformer(directory) {
            let layout = try SentenceTransformerLayout(directory: directory)
            spladeConfig = try Self.checkedSplade(layout)
            transformerDir = layout.transformerDirectory ?? directory
            if let p = layout.pooling { modes = p.modes; includePrompt = p.includePrompt }
            (prompts, defaultPrompt, similarityName) = (layout.prompts, layout.defaultPromptName, layout.similarityFunctionName)
            normalize = layout.normalizes
            maxLength = layout.transformer?.maxSeqLength
            lower = layout.transformer?.doLowerCase ?? false
            for (config, dir) in layout.denseLayers {
                var g = SeededGenerator(seed: 0)
                let linear = Linear(config.inFeatures, config.outFeatures, bias: config.bias, std: 0, generator: &g)
                try linear.load(from: Pretrained.weights(in: dir), prefixes: ["linear.", ""])
                denseLayers.append((linear, config.activation))
            }
        }
        if spladeConfig != nil {
            let config = try Pretrained.config(in: transformerDir)
            let (decoding, weights) = try Pretrained.maskedLM(config, source: Pretrained.weights(in: transformerDir))
            let model = try BertForMaskedLM(config: decoding, randomInit: false)
            try PipelineSupport.load(model, config: config, from: weights)
            if let width = spladeConfig?.embeddingDimension, width != config.vocabSize {
                throw ModelError.invalidInput("\(directory.path): SpladePooling's embedding_dimension \(width) is not the "
                    + "model's vocab_size \(config.vocabSize); the SPLADE vector has one weight per vocabulary entry")
            }
            (maskedLM, bert) = (model, model.bert)
        } else {
            maskedLM = nil
            bert = try BertModel.fromPretrained(transformerDir)
        }
        splade = spladeConfig
        if let similarityName {
            guard let function = SimilarityFunction(rawValue: similarityName) else {
                throw ModelError.invalidInput("\(directory.path)/config_sentence_transformers.json: similarity_fn_name "
                    + "\"\(similarityName)\" is not supported; supported: "
                    + SimilarityFunction.allCases.map(\.rawValue).joined(separator: ", ") + " (maxsim is for multi-vector models)")
            }
            similarityFunction = function
        } else {
            similarityFunction = spladeConfig == nil ? .cosine : .dot
        }
        // encode is inference; fine-tuning's first training pass drops the packed copy. Packed weights speed up
        // short inputs at every width (MiniLM b1×128 20.3 → 19.2 ms; BERT-base 12–19 % since session 12's kernels).
        bert.prepareForInference()
        var tok = try Tokenizer(directory: transformerDir)
        let limit = min(maxLength ?? tok.modelMaxLength ?? bert.config.maxSequenceTokens, bert.config.maxSequenceTokens)
        try tok.setTruncation(TruncationParameters(maxLength: limit))
        tok.padding = nil
        truncation = Locked((tok, limit))
        lowercasesInput = lower
        pooling = Pooling(modes: modes)
        dense = denseLayers
        normalizes = normalize
        self.prompts = prompts
        defaultPromptName = defaultPrompt
        includesPromptInPooling = includePrompt
    }

    /// `other`'s pipeline (tokenizer, truncation, pooling, Dense, Normalize, prompts) around another encoder of the
    /// same vocabulary and width: a distillation student trained to reproduce `other`'s vectors. `dense`, when
    /// given, replaces `other`'s Dense layers (a projection from a student of another width).
    package init(sharingPipelineOf other: SentenceTransformer, encoder: BertModel,
                 dense: [(layer: Linear, activation: DenseActivation)]? = nil) {
        bert = encoder
        (splade, maskedLM, similarityFunction) = (nil, nil, other.similarityFunction)
        truncation = Locked(other.truncation.current)
        (pooling, normalizes) = (other.pooling, other.normalizes)
        self.dense = dense ?? other.dense
        (lowercasesInput, prompts) = (other.lowercasesInput, other.prompts)
        (defaultPromptName, includesPromptInPooling) = (other.defaultPromptName, other.includesPromptInPooling)
    }

    /// The SpladePooling of `layout`, after checking the pipeline is exactly a SparseEncoder's SPLADE one
    /// (a masked-LM Transformer, then SpladePooling) or has no masked-LM module at all.
    private static func checkedSplade(_ layout: SentenceTransformerLayout) throws -> SpladePoolingConfig? {
        let logits = layout.transformer?.outputsMaskedLMLogits ?? false
        guard let splade = layout.spladePooling else {
            if logits {
                throw ModelError.invalidInput("\(layout.directory.path): a masked-LM Transformer module without SpladePooling "
                    + "is not a supported pipeline (SPLADE SparseEncoders are MLMTransformer → SpladePooling)")
            }
            return nil
        }
        let kinds = layout.modules.map(\.kind)
        guard logits, kinds.count == 2, case .transformer = kinds[0], case .spladePooling = kinds[1] else {
            throw ModelError.invalidInput("\(layout.directory.path): SpladePooling is supported only right after a masked-LM "
                + "Transformer (MLMTransformer → SpladePooling, sentence-transformers' SPLADE SparseEncoder); this "
                + "modules.json has \(layout.modules.map { $0.type.split(separator: ".").last.map(String.init) ?? $0.type })")
        }
        return splade
    }

    /// Every score of `a`'s embeddings against `b`'s by the model's `similarityFunction`: `[a.count][b.count]`,
    /// as sentence-transformers' `model.similarity(a, b)`.
    public func similarity(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] { similarityFunction.matrix(a, b) }

    /// Truncates inputs to `tokens` tokens from now on (sentence-transformers' `model.max_seq_length = n`).
    /// Throws unless 2 ≤ tokens ≤ the model's position count ([CLS] and [SEP] take two).
    public func setMaxSequenceLength(_ tokens: Int) throws {
        let limit = bert.config.maxSequenceTokens
        guard (2...limit).contains(tokens) else {
            throw ModelError.invalidInput("max sequence length \(tokens) is outside 2...\(limit) (the model's positions)")
        }
        var tok = tokenizer
        try tok.setTruncation(TruncationParameters(maxLength: tokens))
        truncation.withLock { $0 = (tok, tokens) }
    }

    /// Token ids of `texts`, truncated to `maxSequenceLength`.
    public func tokenize(_ texts: [String]) throws -> [Encoding] {
        let tokenizer = self.tokenizer
        return try texts.map { try tokenizer.encode(lowercasesInput ? $0.lowercased() : $0) }
    }

    /// Vectors for `texts` [texts.count][dimension]. Texts are sorted by length and batched (`batchSize`) to cut
    /// padding, then returned in input order. `normalize` nil follows the model's own Normalize module.
    /// `truncateDimension` keeps each vector's first n values (sentence-transformers' `truncate_dim`, for
    /// Matryoshka models); with `normalize: true` the shortened vectors are normalised again, as
    /// `normalize_embeddings=True` does after truncation.
    ///
    /// `prompt` (or the prompt named `promptName` in `prompts`; else the default prompt, if the model names one) is
    /// prepended to every text, as sentence-transformers' `encode(prompt=, prompt_name=)` does; a given `prompt` wins
    /// over `promptName`. When the Pooling module has `include_prompt: false`, the prompt's tokens (and [CLS]) are
    /// left out of pooling.
    public func encode(_ texts: [String], batchSize: Int = 32, normalize: Bool? = nil, truncateDimension: Int? = nil,
                       prompt: String? = nil, promptName: String? = nil,
                       progress: ((Int, Int) -> Void)? = nil) throws -> [[Float]] {
        if let n = truncateDimension, !(1...dimension).contains(n) {
            throw ModelError.invalidInput("truncateDimension \(n) is outside 1...\(dimension) (the vectors' width)")
        }
        let chosen = try resolvePrompt(prompt, name: promptName)
        let vectors = try encodeFull(chosen.map { p in texts.map { p + $0 } } ?? texts, batchSize: batchSize, normalize: normalize,
                                     pooledFrom: try chosen.map(promptLength) ?? 0, progress: progress)
        guard let n = truncateDimension, n < dimension else { return vectors }
        return vectors.map { Self.truncated($0, to: n, normalize: normalize == true) }
    }

    /// `vector`'s first `dimension` values, normalised again when `normalize` (the tail of `encode`'s
    /// `truncateDimension`, shared with the server so both give the same floats).
    package static func truncated(_ vector: [Float], to dimension: Int, normalize: Bool) -> [Float] {
        let cut = Array(vector.prefix(dimension))
        guard normalize else { return cut }
        let norm = max(cut.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return cut.map { $0 / norm }
    }

    /// The prompt `encode` prepends: `prompt`, else `prompts[name]`, else the default prompt, else none.
    /// - Throws: `ModelError.invalidInput` for a name that is not among `prompts`.
    public func resolvePrompt(_ prompt: String?, name: String?) throws -> String? {
        if let prompt { return prompt }
        guard let name = name ?? defaultPromptName else { return nil }
        guard let text = prompts[name] else {
            let known = prompts.isEmpty ? "the model defines no prompts" : "known: " + prompts.keys.sorted().joined(separator: ", ")
            throw ModelError.invalidInput("prompt name \"\(name)\" is not in config_sentence_transformers.json's prompts (\(known))")
        }
        return text
    }

    /// Positions pooling skips for `prompt`: none when the Pooling module includes prompts; otherwise the prompt's
    /// token count with [CLS] but without the final [SEP] (sentence-transformers' `prompt_length`).
    package func promptLength(_ prompt: String) throws -> Int {
        includesPromptInPooling ? 0 : max(try tokenize([prompt])[0].count - 1, 0)
    }

    /// `encode` before any dimension truncation; pooling ignores each row's first `pooledFrom` positions.
    func encodeFull(_ texts: [String], batchSize: Int, normalize: Bool?, pooledFrom: Int = 0,
                    progress: ((Int, Int) -> Void)?) throws -> [[Float]] {
        guard batchSize > 0 else { throw ModelError.invalidInput("batch size \(batchSize) must be at least 1") }
        let encodings = try tokenize(texts)
        let order = encodings.indices.sorted { encodings[$0].count > encodings[$1].count }
        var result = [[Float]](repeating: [], count: texts.count)
        var done = 0
        for start in stride(from: 0, to: order.count, by: max(batchSize, 1)) {
            let idx = Array(order[start..<min(start + batchSize, order.count)])
            let batch = try EncoderInput(rows: idx.map { encodings[$0].ids }, typeRows: idx.map { encodings[$0].typeIds })
            let vectors = try embed(batch, normalize: normalize ?? normalizes, pooledFrom: pooledFrom)
            let d = vectors.shape[1], v = vectors.scalars
            for (row, i) in idx.enumerated() { result[i] = Array(v[(row * d)..<((row + 1) * d)]) }
            done += idx.count
            progress?(done, texts.count)
        }
        return result
    }

    /// Sentence vectors [batch, dimension] for an already tokenised batch (differentiable under a tape). Pooling
    /// leaves out each row's first `pooledFrom` positions (a prompt's, when the model excludes prompts).
    package func embed(_ input: EncoderInput, normalize: Bool, pooledFrom: Int = 0, context: ForwardContext = .inference) throws -> Tensor {
        if let splade, let maskedLM {
            guard !context.training, !GradientTape.isRecording else {
                throw ModelError.invalidInput("SPLADE SparseEncoder models can encode but not be trained here")
            }
            let vectors = try Self.spladeVectors(input, model: maskedLM, config: splade)
            return normalize ? try vectors.l2Normalized() : vectors
        }
        // Inference skips padding altogether (same vectors, less work); training keeps the padded graph.
        let hidden = context.training || GradientTape.isRecording
            ? try bert(input, context: context).lastHiddenState : try bert.lastHiddenStateSkippingPadding(input)
        var mask = input.attentionMask
        if pooledFrom > 0 {
            // As sentence-transformers sets attention_mask[:, :prompt_length] = 0 before pooling (attention itself
            // still saw the prompt).
            for row in 0..<input.batch { for p in 0..<min(pooledFrom, input.length) { mask[row * input.length + p] = 0 } }
        }
        var x = try pooling(hidden, mask: mask)
        for (layer, activation) in dense {
            x = try layer(x)
            switch activation {
            case .identity: break
            case .tanh: x = x.tanh()
            case .relu: x = x.relu()
            case .gelu: x = x.gelu()
            case .sigmoid: x = x.sigmoid()
            }
        }
        return normalize ? try x.l2Normalized() : x
    }
}

/// Cosine similarity of two vectors.
public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
    var dot: Float = 0, na: Float = 0, nb: Float = 0
    for i in 0..<min(a.count, b.count) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
    return dot / max(na.squareRoot() * nb.squareRoot(), 1e-12)
}
