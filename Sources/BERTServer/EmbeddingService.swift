import BERTModels
import BERTTasks
import BERTTokenizers

/// One input of an embedding request as the wire carries it: a text, or token ids (OpenAI's `[[int]]`).
package enum EmbedInput: Sendable, Equatable {
    /// A text, tokenized by the model's tokenizer.
    case text(String)
    /// Token ids, used as given (TEI decodes and re-encodes them without special tokens, which gives the same ids).
    case ids([Int])
}

/// The per-request options of TEI's `/embed` (and what OpenAI's `/v1/embeddings` maps onto them).
package struct EmbedOptions: Sendable, Equatable {
    /// L2-normalise each vector (TEI default true).
    package var normalize = true
    /// Cut inputs longer than `--max-input-length` instead of refusing them.
    package var truncate = false
    /// Which end truncation cuts.
    package var truncationDirection: TruncationDirection = .right
    /// A prompt of the model's `config_sentence_transformers.json` to prepend.
    package var promptName: String?
    /// Keep the first n values of each vector (Matryoshka).
    package var dimensions: Int?

    /// The defaults.
    package init() {}
}

/// One tokenized input waiting in the queue, with what the worker needs to pool and post-process it.
package struct EmbeddingJob: Sendable {
    let ids: [Int]
    let typeIds: [Int]
    /// Leading positions pooling skips (a prompt's, when the model's Pooling has `include_prompt: false`).
    let pooledFrom: Int
    let normalize: Bool
    let dimensions: Int?
    /// Every token's last hidden state instead of the pooled vector (TEI's `/embed_all`).
    var allTokens = false
}

/// Sentence embeddings behind the batching queue: tokenizes on the caller's task, runs the model on the queue's
/// worker, and gives the floats `SentenceTransformer.encode` gives for the same texts and options.
package final class EmbeddingService: Sendable {
    /// Width of the vectors.
    package let dimension: Int
    /// Width of each token's hidden state (`/embed_all`).
    package let hiddenSize: Int
    /// Whether the model's own modules normalise its vectors (what `encode` does by default, and so `bert index`).
    package let normalizes: Bool
    /// Longest input in tokens (`--max-input-length`; default the model's `max_seq_length`).
    package let maxInputLength: Int
    /// The pooling modes' names, as TEI's `/info` shows them (`mean`, `cls`, ..., `splade`).
    package let poolingName: String
    /// Whether the model is a SPLADE SparseEncoder (TEI's splade pooling: `/embed_sparse`, no `/embed_all`).
    package let isSparse: Bool
    /// Named prompts: their text and the positions pooling skips for them.
    let prompts: [String: (text: String, pooledFrom: Int)]
    let defaultPromptName: String?
    let lowercases: Bool
    let vocabularySize: Int
    /// The model's tokenizer without truncation, and truncating right and left at `maxInputLength`.
    let untruncated: Tokenizer, truncatedRight: Tokenizer, truncatedLeft: Tokenizer
    /// The queue whose worker alone runs the model.
    package let queue: BatchQueue<EmbeddingJob, [Float]>

    /// Takes ownership of `model`: from here on only the queue's worker thread touches it.
    /// - Throws: `ServerError.validation` when `maxInputLength` is outside 2 ... the model's positions.
    package init(model: SentenceTransformer, maxInputLength: Int?, limits: BatchLimits,
                 observer: (@Sendable (BatchEvent) -> Void)? = nil) throws {
        let positions = model.bert.config.maxPositionEmbeddings
        let maxLength = maxInputLength ?? model.maxSequenceLength
        guard (2...positions).contains(maxLength) else {
            throw ServerError(.validation, "--max-input-length \(maxLength) is outside 2...\(positions) (the model's positions)")
        }
        guard limits.maxBatchTokens >= maxLength else {
            throw ServerError(.validation, "--max-batch-tokens \(limits.maxBatchTokens) must be at least --max-input-length \(maxLength)")
        }
        dimension = model.dimension
        hiddenSize = model.bert.config.hiddenSize
        normalizes = model.normalizes
        self.maxInputLength = maxLength
        isSparse = model.splade != nil
        poolingName = isSparse ? "splade" : model.pooling.modes.map(\.teiName).joined(separator: "+")
        var prompts: [String: (String, Int)] = [:]
        for (name, text) in model.prompts { prompts[name] = (text, try model.promptLength(text)) }
        self.prompts = prompts
        defaultPromptName = model.defaultPromptName
        lowercases = model.lowercasesInput
        vocabularySize = model.tokenizer.vocabularySize
        var tokenizer = model.tokenizer
        try tokenizer.setTruncation(nil)
        untruncated = tokenizer
        try tokenizer.setTruncation(TruncationParameters(maxLength: maxLength, direction: .right))
        truncatedRight = tokenizer
        try tokenizer.setTruncation(TruncationParameters(maxLength: maxLength, direction: .left))
        truncatedLeft = tokenizer
        let dimension = dimension
        queue = BatchQueue(limits: limits, observer: observer) { jobs in
            try Self.run(jobs, on: model, dimension: dimension)
        }
        queue.start()
    }

    /// Vectors for `inputs` under `options`, in order, and the number of tokens they took.
    /// - Throws: `ServerError` (validation, tokenizer, overloaded, backend).
    /// `lengths` hears each input's token count once tokenized.
    package func embed(_ inputs: [EmbedInput], options: EmbedOptions,
                       lengths: ([Int]) -> Void = { _ in }) async throws -> (vectors: [[Float]], tokens: Int) {
        if isSparse && options.normalize {
            // As TEI: a SPLADE model's dense vectors come only unnormalised (`"normalize": false`, or /embed_sparse).
            throw ServerError(.backend, "`normalize` is not available for SPLADE models")
        }
        let jobs = try tokenize(inputs, options: options)
        lengths(jobs.map(\.ids.count))
        let vectors = try await queue.submit(jobs.map { ($0, $0.ids.count) })
        return (vectors, jobs.reduce(0) { $0 + $1.ids.count })
    }

    /// Every token's vector (the encoder's last hidden state, special and prompt tokens included, neither pooled
    /// nor normalised) for each input: `[input][token][hiddenSize]`, as TEI's `/embed_all` and
    /// sentence-transformers' `encode(output_value="token_embeddings")`; and the number of tokens.
    package func embedAll(_ inputs: [EmbedInput], options: EmbedOptions,
                          lengths: ([Int]) -> Void = { _ in }) async throws -> (tokens: [[[Float]]], count: Int) {
        if isSparse { throw ServerError(.backend, "`embed_all` is not available for SPLADE models") }
        let jobs = try tokenize(inputs, options: options).map { job in
            var job = job
            job.allTokens = true
            return job
        }
        lengths(jobs.map(\.ids.count))
        let flat = try await queue.submit(jobs.map { ($0, $0.ids.count) })
        let width = hiddenSize
        let tokens = flat.map { values in
            stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) }
        }
        return (tokens, jobs.reduce(0) { $0 + $1.ids.count })
    }

    /// The queue's jobs for `inputs`: tokenized (the prompt prepended, lowercased if the model says so), and
    /// checked against `maxInputLength` unless truncating.
    func tokenize(_ inputs: [EmbedInput], options: EmbedOptions) throws(ServerError) -> [EmbeddingJob] {
        if let d = options.dimensions, !(1...dimension).contains(d) {
            throw ServerError(.validation, "`dimensions` must be between 1 and \(dimension), the model's dimension; got \(d)")
        }
        var prompt: (text: String, pooledFrom: Int)?
        if let name = options.promptName ?? defaultPromptName {
            guard let found = prompts[name] else {
                let known = prompts.isEmpty ? "the model defines no prompts" : "known: " + prompts.keys.sorted().joined(separator: ", ")
                throw ServerError(.validation, "`prompt_name` \"\(name)\" is not among the model's prompts (\(known))")
            }
            prompt = found
        }
        let tokenizer = options.truncate ? (options.truncationDirection == .left ? truncatedLeft : truncatedRight) : untruncated
        return try inputs.map { input throws(ServerError) in
            switch input {
            case let .text(text):
                let text = try CharacterLimit.checked(text, maxInputLength: maxInputLength, truncate: options.truncate)
                var full = prompt.map { $0.text + text } ?? text
                if lowercases { full = full.lowercased() }
                let encoding: Encoding
                do { encoding = try tokenizer.encode(full) } catch {
                    throw ServerError(.tokenizer, "tokenizer error: \(error)")
                }
                try checkLength(encoding.count)
                return EmbeddingJob(ids: encoding.ids, typeIds: encoding.typeIds, pooledFrom: prompt?.pooledFrom ?? 0,
                                    normalize: options.normalize, dimensions: options.dimensions)
            case var .ids(ids):
                if options.promptName != nil {
                    throw ServerError(.validation, "`prompt_name` cannot be used with token ids")
                }
                guard !ids.isEmpty else { throw ServerError(.empty, "`input_ids` cannot be empty") }
                if let bad = ids.first(where: { !(0..<vocabularySize).contains($0) }) {
                    throw ServerError(.validation, "token id \(bad) is outside the vocabulary (0..<\(vocabularySize))")
                }
                if options.truncate, ids.count > maxInputLength {
                    ids = options.truncationDirection == .left ? Array(ids.suffix(maxInputLength)) : Array(ids.prefix(maxInputLength))
                }
                try checkLength(ids.count)
                return EmbeddingJob(ids: ids, typeIds: Array(repeating: 0, count: ids.count), pooledFrom: 0,
                                    normalize: options.normalize, dimensions: options.dimensions)
            }
        }
    }

    /// `text` as `/tokenize` shows it: with the prompt `promptName` prepended (none by default, as TEI), not
    /// truncated. Returns the text the offsets index and its encoding.
    package func encodeForDisplay(_ text: String, addSpecialTokens: Bool, promptName: String?) throws(ServerError)
        -> (text: String, encoding: Encoding) {
        var input = text
        if let promptName {
            guard let prompt = prompts[promptName] else {
                throw ServerError(.validation, "`prompt_name` \"\(promptName)\" is not among the model's prompts")
            }
            input = prompt.text + text
        }
        do { return (input, try untruncated.encode(input, addSpecialTokens: addSpecialTokens)) } catch {
            throw ServerError(.tokenizer, "tokenizer error: \(error)")
        }
    }

    /// The text of `ids`. - Throws: `.validation` for an id outside the vocabulary.
    package func decode(_ ids: [Int], skipSpecialTokens: Bool) throws(ServerError) -> String {
        if let bad = ids.first(where: { !(0..<vocabularySize).contains($0) }) {
            throw ServerError(.validation, "token id \(bad) is outside the vocabulary (0..<\(vocabularySize))")
        }
        return untruncated.decode(ids, skipSpecialTokens: skipSpecialTokens)
    }

    private func checkLength(_ count: Int) throws(ServerError) {
        if count > maxInputLength {
            throw ServerError(.validation, "`inputs` must have less than \(maxInputLength) tokens. Given: \(count)")
        }
    }

    /// One batch on the worker: inputs sharing pooling and normalisation go through the model together (the
    /// unpadded road of `SentenceTransformer.embed`), then each vector is cut to its `dimensions`.
    private static func run(_ jobs: [EmbeddingJob], on model: SentenceTransformer, dimension: Int) throws -> [[Float]] {
        var outputs = [[Float]](repeating: [], count: jobs.count)
        var groups: [[Int]] = []
        var groupOf: [Int: Int] = [:]
        for (i, job) in jobs.enumerated() {
            let key = job.allTokens ? -1 : job.pooledFrom * 2 + (job.normalize ? 1 : 0)
            if let g = groupOf[key] { groups[g].append(i) } else { groupOf[key] = groups.count; groups.append([i]) }
        }
        for group in groups {
            let first = jobs[group[0]]
            let vectors: [Float]
            do {
                let batch = try EncoderInput(rows: group.map { jobs[$0].ids }, typeRows: group.map { jobs[$0].typeIds })
                if first.allTokens {
                    // [batch, length, hidden], zero past each row's end: keep each row's own tokens.
                    let hidden = try model.bert.lastHiddenStateSkippingPadding(batch).scalars
                    let width = hidden.count / max(batch.batch * batch.length, 1)
                    for (row, i) in group.enumerated() {
                        let start = row * batch.length * width
                        outputs[i] = Array(hidden[start..<(start + jobs[i].ids.count * width)])
                    }
                    continue
                }
                vectors = try model.embed(batch, normalize: first.normalize, pooledFrom: first.pooledFrom).scalars
            } catch {
                throw ServerError(.backend, "inference failed: \(error)")
            }
            for (row, i) in group.enumerated() {
                let v = Array(vectors[(row * dimension)..<((row + 1) * dimension)])
                if let d = jobs[i].dimensions, d < dimension {
                    outputs[i] = SentenceTransformer.truncated(v, to: d, normalize: jobs[i].normalize)
                } else {
                    outputs[i] = v
                }
            }
        }
        return outputs
    }
}

extension PoolingMode {
    /// The name TEI's `/info` gives this pooling (`model_type.embedding.pooling`).
    var teiName: String {
        switch self {
        case .cls: "cls"
        case .mean: "mean"
        case .max: "max"
        case .meanSqrtLen: "mean_sqrt_len"
        case .weightedMean: "weightedmean"
        case .lastToken: "last_token"
        }
    }
}
