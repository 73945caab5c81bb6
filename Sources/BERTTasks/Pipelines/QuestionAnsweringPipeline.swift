import BERTModels
import BERTNN
import BERTTensor
import BERTTokenizers
import Foundation

/// A question about a context.
public struct QuestionAnsweringInput: Codable, Equatable, Sendable {
    public var question: String
    public var context: String
    /// A question and the text that may answer it.
    public init(question: String, context: String) { self.question = question; self.context = context }
}

/// An answer span (transformers' `{"score", "start", "end", "answer"}`); `start`/`end` are code-point offsets
/// into the context, `answer` = `context[start..<end]`. The empty answer (0, 0, "") is "no answer".
public struct Answer: Codable, Equatable, Sendable {
    public var score: Double
    public var start: Int, end: Int
    public var answer: String
}

/// Options of `QuestionAnsweringPipeline` (transformers 4.x names and defaults).
public struct QuestionAnsweringOptions: Sendable {
    /// Answers returned per question.
    public var topK = 1
    /// Tokens shared by consecutive windows of a long context; nil = min(maxSeqLen / 2, 128).
    public var docStride: Int?
    /// Window length including the question and special tokens; nil = min(model_max_length, 384).
    public var maxSeqLen: Int?
    /// Accepted for compatibility; transformers' fast-tokenizer path ignores it too.
    public var maxQuestionLen = 64
    /// Longest answer in tokens.
    public var maxAnswerLen = 15
    /// Also offer the empty answer, scored by the smallest [CLS] start × end probability over the windows.
    public var handleImpossibleAnswer = false
    /// Widen spans to whole words (transformers' `align_to_words`).
    public var alignToWords = true
    /// Defaults.
    public init() {}
}

/// transformers 4.x `QuestionAnsweringPipeline` (fast tokenizer path) over a `BertForQuestionAnswering` checkpoint.
///
///     let qa = try QuestionAnsweringPipeline(directory: url)
///     let answer = try qa([.init(question: "Who?", context: text)])[0][0]
///
/// A context longer than a window is split into overlapping windows (`docStride`); each window proposes
/// `topK * 2 + 10` spans (softmax over the context tokens and [CLS], start × end, `end - start < maxAnswerLen`),
/// spans with the same text (case-insensitively) add up their scores, and the best `topK` are returned.
/// `Sendable`: one instance may serve many tasks or threads at once (calls only read the model: see `BertModel`).
public final class QuestionAnsweringPipeline: Sendable {
    /// The model.
    public let model: BertForQuestionAnswering
    /// The tokenizer (no truncation or padding of its own).
    public let tokenizer: Tokenizer
    /// The model's config.
    public let config: BertConfig

    /// A pipeline over a loaded model and tokenizer.
    public init(model: BertForQuestionAnswering, tokenizer: Tokenizer, config: BertConfig) {
        self.model = model; self.tokenizer = tokenizer; self.config = config
    }

    /// Loads a Hugging Face folder (config.json, model.safetensors with `qa_outputs.*`, tokenizer files).
    public convenience init(directory: URL) throws {
        let config = try Pretrained.config(in: directory)
        let model = try BertForQuestionAnswering(config: config, randomInit: false)
        try PipelineSupport.load(model, config: config, from: Pretrained.weights(in: directory))
        self.init(model: model, tokenizer: try PipelineSupport.tokenizer(in: directory), config: config)
    }

    /// The windows of one question: question + context truncated `only_second` with overflow.
    package func windows(_ input: QuestionAnsweringInput, options: QuestionAnsweringOptions) throws -> [Encoding] {
        if input.question.isEmpty { throw PipelineError.emptyInput(field: "question") }
        if input.context.isEmpty { throw PipelineError.emptyInput(field: "context") }
        let maxSeqLen = options.maxSeqLen ?? min(tokenizer.modelMaxLength ?? 384, 384)
        let stride = options.docStride ?? min(maxSeqLen / 2, 128)
        if stride > maxSeqLen {
            throw PipelineError.invalidOption(name: "doc_stride", value: "\(stride)", reason: "must not exceed max_seq_len \(maxSeqLen)")
        }
        guard maxSeqLen <= config.maxSequenceTokens else {
            throw PipelineError.invalidOption(name: "max_seq_len", value: "\(maxSeqLen)", reason: "the model has \(config.maxSequenceTokens) positions")
        }
        var tok = tokenizer
        do {
            try tok.setTruncation(TruncationParameters(maxLength: maxSeqLen, stride: stride, strategy: .onlySecond))
        } catch {
            throw PipelineError.invalidOption(name: "doc_stride", value: "\(stride)", reason: "\(error)")
        }
        let first = try tok.encode(input.question, pair: input.context)
        return [first] + first.overflowing.map { var e = $0; e.overflowing = []; return e }
    }

    /// Answers for each input, best first (`options.topK` of them).
    public func callAsFunction(_ inputs: [QuestionAnsweringInput], options: QuestionAnsweringOptions = .init(),
                               batchSize: Int = 8) throws -> [[Answer]] {
        guard options.topK > 0 else { throw PipelineError.invalidOption(name: "top_k", value: "\(options.topK)", reason: "must be at least 1") }
        guard options.maxAnswerLen > 0 else {
            throw PipelineError.invalidOption(name: "max_answer_len", value: "\(options.maxAnswerLen)", reason: "must be at least 1")
        }
        let perInput = try inputs.map { try self.windows($0, options: options) }
        let flat = perInput.flatMap { $0 }
        let padId = tokenizer.tokenToId("[PAD]") ?? config.padTokenId
        let logits: [(start: [Float], end: [Float])] = try PipelineSupport.batched(flat, batchSize: batchSize, padId: padId, tokenTypes: config.family.feedsTokenTypeIds(tokenizerDeclares: tokenizer.returnsTokenTypeIds)) { input, lengths in
            let (s, e) = try model(input, skippingPadding: true)
            let ss = s.scalars, es = e.scalars
            return lengths.enumerated().map { r, n in
                (Array(ss[(r * input.length)..<(r * input.length + n)]), Array(es[(r * input.length)..<(r * input.length + n)]))
            }
        }
        var next = 0
        return inputs.indices.map { i in
            let n = perInput[i].count
            defer { next += n }
            return answers(inputs[i], Array(zip(perInput[i], logits[next..<(next + n)])), options)
        }
    }

    /// transformers' `postprocess`: per window `select_starts_ends` + `decode_spans`, then character spans,
    /// merging equal answers, the null answer, and the top-k.
    func answers(_ input: QuestionAnsweringInput, _ windows: [(Encoding, (start: [Float], end: [Float]))],
                 _ options: QuestionAnsweringOptions) -> [Answer] {
        let context = Array(input.context.unicodeScalars)
        var minNullScore = 1_000_000.0
        var answers: [Answer] = []
        let preTopK = options.alignToWords ? options.topK * 2 + 10 : options.topK
        for (encoding, logits) in windows {
            let n = encoding.count
            // transformers' p_mask: tokens whose `sequence_ids` is not 1 are masked, except `cls_token_id` — the
            // class token the post-processor put first (`[CLS]`, RoBERTa's and XLM-R's `<s>`). Sequence ids, not
            // type ids: RoBERTa-style pairs have type ids of zero throughout.
            let cls = encoding.specialTokensMask.first == 1 ? encoding.ids.first : nil
            let desired = (0..<n).map { p in encoding.sequenceIds[p] == 1 || encoding.ids[p] == cls }
            func probabilities(_ x: [Float]) -> [Double] {
                let masked = (0..<n).map { desired[$0] ? Double(x[$0]) : -10000 }
                let m = masked.max()!
                let e = masked.map { exp($0 - m) }
                let s = e.reduce(0, +)
                return e.map { $0 / s }
            }
            var start = probabilities(logits.start), end = probabilities(logits.end)
            if options.handleImpossibleAnswer { minNullScore = min(minNullScore, start[0] * end[0]) }
            start[0] = 0; end[0] = 0
            // candidates = tril(triu(start ⊗ end), maxAnswerLen - 1); top `preTopK` by score, highest first.
            var candidates: [(score: Double, s: Int, e: Int)] = []
            for s in 0..<n {
                for e in s..<min(n, s + options.maxAnswerLen) { candidates.append((start[s] * end[e], s, e)) }
            }
            // numpy ranks all n×n cells; cells outside the band are 0 and rank after every positive span.
            candidates.sort { $0.score != $1.score ? $0.score > $1.score : ($0.s, $0.e) < ($1.s, $1.e) }
            // `np.isin(starts, undesired_tokens.nonzero())` also admits index 0 (the row indices of the 2-D mask).
            for c in candidates.prefix(preTopK) where (desired[c.s] || c.s == 0) && (desired[c.e] || c.e == 0) {
                let (lo, hi) = charSpan(encoding, c.s, c.e, alignToWords: options.alignToWords)
                let text = context.text(lo..<hi)
                if let k = answers.firstIndex(where: { $0.answer.lowercased() == text.lowercased() }) {
                    answers[k].score += c.score
                } else {
                    answers.append(Answer(score: c.score, start: lo, end: hi, answer: text))
                }
            }
        }
        if options.handleImpossibleAnswer { answers.append(Answer(score: minNullScore, start: 0, end: 0, answer: "")) }
        // Python's stable sort, highest score first.
        let order = answers.indices.sorted { answers[$0].score != answers[$1].score ? answers[$0].score > answers[$1].score : $0 < $1 }
        return order.prefix(options.topK).map { answers[$0] }
    }

    /// transformers' `get_indices`: the character span of the words holding tokens `s` and `e` (the word's tokens
    /// inside this window, `word_to_chars`), or the tokens' own offsets when a token has no word.
    func charSpan(_ encoding: Encoding, _ s: Int, _ e: Int, alignToWords: Bool) -> (Int, Int) {
        if alignToWords, let ws = encoding.wordIds[s], let we = encoding.wordIds[e] {
            let inContext = { (p: Int) in encoding.sequenceIds[p] == 1 }  // `word_to_chars(..., sequence_index=1)`
            let startTokens = encoding.wordIds.indices.filter { encoding.wordIds[$0] == ws && inContext($0) }
            let endTokens = encoding.wordIds.indices.filter { encoding.wordIds[$0] == we && inContext($0) }
            if let a = startTokens.first, let b = endTokens.last {
                return (encoding.offsets[a].lowerBound, encoding.offsets[b].upperBound)
            }
        }
        return (encoding.offsets[s].lowerBound, encoding.offsets[e].upperBound)
    }
}
