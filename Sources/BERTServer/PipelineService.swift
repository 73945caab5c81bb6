import BERTJSON
import BERTModels
import BERTTasks
import BERTTokenizers

/// The options of a `/fill-mask` request (transformers' `FillMaskPipeline` arguments).
package struct FillMaskOptions: Sendable, Hashable {
    /// Candidates per mask.
    package var topK = 5
    /// Only these words are ranked.
    package var targets: [String]?
    /// Cut texts to the model's length instead of refusing them.
    package var truncate = false
    /// transformers' defaults.
    package init() {}
}

/// The options of a `/ner` request (transformers' `TokenClassificationPipeline` arguments).
package struct EntityOptions: Sendable, Hashable {
    /// How tokens merge into entities.
    package var aggregation = AggregationStrategy.none
    /// Labels left out of the answer.
    package var ignoreLabels = ["O"]
    /// Windows overlapping by this many tokens cover a long text.
    package var stride: Int?
    /// transformers' defaults.
    package init() {}
}

/// The options of a `/qa` request (transformers' `QuestionAnsweringPipeline` arguments).
package struct AnswerOptions: Sendable, Hashable {
    package var topK = 1, docStride: Int?, maxSeqLen: Int?, maxQuestionLen = 64, maxAnswerLen = 15
    package var handleImpossibleAnswer = false, alignToWords = true
    /// transformers' defaults.
    package init() {}

    var pipelineOptions: QuestionAnsweringOptions {
        var o = QuestionAnsweringOptions()
        (o.topK, o.docStride, o.maxSeqLen, o.maxQuestionLen, o.maxAnswerLen) = (topK, docStride, maxSeqLen, maxQuestionLen, maxAnswerLen)
        (o.handleImpossibleAnswer, o.alignToWords) = (handleImpossibleAnswer, alignToWords)
        return o
    }
}

/// A masked-LM, token-classification or question-answering folder behind the batching queue, for `/fill-mask`,
/// `/ner` and `/qa` (transformers' pipelines over HTTP, which TEI lacks). Each text or question is one queue
/// entry; the worker runs entries with equal options through the pipeline together, so concurrent requests share
/// forward passes under the same bounds as embeddings.
package final class PipelineService: Sendable {
    /// The pipeline behind the service; only the queue's worker touches it.
    package enum Pipeline {
        case fillMask(FillMaskPipeline)
        case tokenClassification(TokenClassificationPipeline)
        case questionAnswering(QuestionAnsweringPipeline)
    }

    /// One input's work.
    package enum Job: Sendable {
        case fillMask(String, FillMaskOptions)
        case entities(String, EntityOptions)
        case answer(QuestionAnsweringInput, AnswerOptions)
    }

    /// The route this model serves: `/fill-mask`, `/ner` or `/qa`.
    package let route: String
    /// The labels of a token classifier (`/info`), else empty.
    package let labels: [Int: String]
    /// The mask token of a masked LM (`/info`), else nil.
    package let maskToken: String?
    /// Longest input in tokens (the model's positions).
    package let maxInputLength: Int
    let tokenizer: Tokenizer
    /// The queue whose worker alone runs the pipeline.
    package let queue: BatchQueue<Job, Result<JSONValue, ServerError>>

    /// Takes ownership of `pipeline`.
    package init(_ pipeline: Pipeline, limits: BatchLimits, observer: (@Sendable (BatchEvent) -> Void)? = nil) {
        let config: BertConfig
        var tokenizer: Tokenizer
        switch pipeline {
        case let .fillMask(p):
            (route, config, tokenizer, maskToken) = ("/fill-mask", p.config, p.tokenizer, p.maskToken)
        case let .tokenClassification(p):
            (route, config, tokenizer, maskToken) = ("/ner", p.config, p.tokenizer, nil)
        case let .questionAnswering(p):
            (route, config, tokenizer, maskToken) = ("/qa", p.config, p.tokenizer, nil)
        }
        if case .tokenClassification = pipeline { labels = config.id2label } else { labels = [:] }
        maxInputLength = config.maxSequenceTokens
        try? tokenizer.setTruncation(nil)
        self.tokenizer = tokenizer
        queue = BatchQueue(limits: limits, observer: observer) { jobs in Self.run(jobs, on: pipeline) }
        queue.start()
    }

    /// The answer of each job, in order (per text: fill-mask candidates, entities, or a question's answers).
    package func run(_ jobs: [Job]) async throws -> [JSONValue] {
        let checked = try jobs.map { job throws(ServerError) -> (Job, Int) in
            switch job {
            case let .fillMask(text, options):
                let text = try CharacterLimit.checked(text, maxInputLength: maxInputLength, truncate: options.truncate)
                return (.fillMask(text, options), tokens(text, nil))
            case let .entities(text, options):
                // Without a stride the pipeline cuts long texts itself, so cutting characters changes nothing.
                let text = try CharacterLimit.checked(text, maxInputLength: maxInputLength, truncate: options.stride == nil)
                return (.entities(text, options), tokens(text, nil))
            case let .answer(input, _):
                _ = try CharacterLimit.checked(input.question, input.context, maxInputLength: maxInputLength, truncate: false)
                return (job, tokens(input.question, input.context))
            }
        }
        return try BatchGroups.unwrap(try await queue.submit(checked))
    }

    /// Tokens of an input, for the batch bound (a long context's windows count once: an estimate is enough).
    private func tokens(_ text: String, _ pair: String?) -> Int {
        min((try? tokenizer.encode(text, pair: pair).count) ?? maxInputLength, maxInputLength)
    }

    private static func run(_ jobs: [Job], on pipeline: Pipeline) -> [Result<JSONValue, ServerError>] {
        BatchGroups.run(jobs, key: { job -> AnyHashable in
            switch job {
            case let .fillMask(_, options): AnyHashable(options)
            case let .entities(_, options): AnyHashable(options)
            case let .answer(_, options): AnyHashable(options)
            }
        }) { group in
            switch (pipeline, group[0]) {
            case let (.fillMask(p), .fillMask(_, o)):
                let texts = group.compactMap { if case let .fillMask(text, _) = $0 { text } else { nil } }
                return try p(texts, topK: o.topK, targets: o.targets, batchSize: texts.count, truncation: o.truncate).map { masks in
                    let lists = masks.map { JSONValue.array($0.map(Self.json)) }
                    // transformers returns one mask's candidates alone, several masks' as a list per mask.
                    return lists.count == 1 ? lists[0] : .array(lists)
                }
            case let (.tokenClassification(p), .entities(_, o)):
                let texts = group.compactMap { if case let .entities(text, _) = $0 { text } else { nil } }
                return try p(texts, aggregationStrategy: o.aggregation, ignoreLabels: o.ignoreLabels, stride: o.stride,
                             batchSize: texts.count).map { .array($0.map(Self.json)) }
            case let (.questionAnswering(p), .answer(_, o)):
                let inputs = group.compactMap { if case let .answer(input, _) = $0 { input } else { nil } }
                return try p(inputs, options: o.pipelineOptions, batchSize: max(inputs.count, 8)).map { .array($0.map(Self.json)) }
            default:
                throw ServerError(.backend, "this model does not serve this route")
            }
        }
    }

    /// `/info`'s `model_type`: TEI has no such models, so the task's name keys its details.
    var modelType: JSONValue {
        switch route {
        case "/fill-mask": ["fill_mask": ["mask_token": .string(maskToken ?? "")]]
        case "/ner":
            ["token_classification": ["id2label": .object(JSONObject(members: labels.sorted { $0.key < $1.key }.map {
                JSONMember(key: String($0.key), value: .string($0.value))
            }))]]
        default: ["question_answering": .object(JSONObject())]
        }
    }

    /// transformers' fill-mask dict.
    static func json(_ p: FillMaskPrediction) -> JSONValue {
        ["score": .number(p.score), "token": .integer(Int64(p.token)), "token_str": .string(p.tokenStr), "sequence": .string(p.sequence)]
    }

    /// transformers' entity dict: `entity`, `score`, `index`, `word`, `start`, `end` (or `entity_group` without
    /// `index` when aggregated).
    static func json(_ e: TokenEntity) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let group = e.entityGroup { members.append(("entity_group", .string(group))) }
        if let entity = e.entity { members.append(("entity", .string(entity))) }
        members.append(("score", .number(e.score)))
        if let index = e.index { members.append(("index", .integer(Int64(index)))) }
        members += [("word", .string(e.word)), ("start", .integer(Int64(e.start))), ("end", .integer(Int64(e.end)))]
        return .object(JSONObject(members: members.map { JSONMember(key: $0.0, value: $0.1) }))
    }

    /// transformers' answer dict.
    static func json(_ a: Answer) -> JSONValue {
        ["score": .number(a.score), "start": .integer(Int64(a.start)), "end": .integer(Int64(a.end)), "answer": .string(a.answer)]
    }
}
